"""Contracts: reports (mid-term, final) and completion, and the reminders of overdue signing,
reports and payments (DOMAIN.md §3.5, §4.1)."""

import datetime as dt

import pytest

from caidan.common.calendar import end_of_day
from caidan.common.errors import ValidationError
from caidan.common.tick import run_tick
from caidan.contracts.inputs import ReportInput
from caidan.contracts.models import Instalment, Payment, Report
from caidan.contracts.services import report_review, report_submit
from caidan.evaluations.inputs import ScoresInput
from tests.evaluations.factories import waive_missing

from .factories import draft_contract, signed_contract
from .helpers import accept, pay

pytestmark = pytest.mark.django_db


# --- reports ----------------------------------------------------------------------------------------


def test_midterm_report_needs_the_fund_usage_statement_and_can_be_returned(world):
    c = signed_contract(world)
    r = c.reports.get(kind="midterm")
    with pytest.raises(ValidationError) as exc:
        report_submit(
            report=r, actor=world.actor("provider"), data=ReportInput.parse(summary="进展顺利")
        )
    assert exc.value.field == "fund_lines"
    with pytest.raises(ValidationError) as exc:
        report_submit(
            report=r,
            actor=world.actor("provider"),
            data=ReportInput.parse(
                summary="进展顺利", fund_lines=[{"line": "人员费", "budget": "1", "spent": 2.5}]
            ),
        )
    assert exc.value.field == "fund_lines.0.spent"
    lines = [{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}]
    report_submit(
        report=r,
        actor=world.actor("provider"),
        data=ReportInput.parse(summary="进展顺利", fund_lines=lines),
    )
    with pytest.raises(ValidationError) as exc:
        report_review(report=r, accept=False, comment="", actor=world.actor("purchaser"))
    assert exc.value.field == "comment"
    r = report_review(
        report=r, accept=False, comment="请补充探访台账", actor=world.actor("purchaser")
    )
    assert r.status == "returned" and r.review_comment == "请补充探访台账"
    r = report_submit(
        report=r,
        actor=world.actor("provider"),
        data=ReportInput.parse(summary="已补充台账", fund_lines=lines),
    )
    assert r.status == "submitted"


def test_final_report_needs_financial_statements(world):
    c = signed_contract(world)
    r = c.reports.get(kind="final")
    with pytest.raises(ValidationError) as exc:
        report_submit(
            report=r, actor=world.actor("provider"), data=ReportInput.parse(summary="项目总结")
        )
    assert exc.value.field == "attachments"


def test_all_paid_and_final_accepted_completes_the_contract(world):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import appointed_contract, full_scores, scheduled

    c = appointed_contract(world)
    for stage in ("mid", "final"):  # the gates open only by passed evaluations
        e = scheduled(world, stage, contract=c)
        evaluation_score(
            evaluation=e,
            actor=world.actor("evaluator"),
            data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
        )
        waive_missing(world, e)
        evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    accept(world, c, "midterm")
    for seq in (1, 2, 3):
        pay(world, c, seq)
    c.refresh_from_db()
    assert c.status == "active"  # the final report is not accepted yet
    accept(world, c, "final")
    c.refresh_from_db()
    assert c.status == "completed"
    assert sum(p.amount for p in Payment.objects.filter(instalment__contract=c)) == c.amount


# --- reminders (tick on a fixed clock) ---------------------------------------------------------------


def test_overdue_signing_reports_and_payments_are_flagged_once(world):
    from caidan.notifications.models import Notification

    draft = draft_contract(world)
    late = draft.sign_due + dt.timedelta(minutes=1)
    assert (
        run_tick(now=draft.sign_due - dt.timedelta(minutes=1), only=["contracts.reminders"])[
            0
        ].changed
        == 0
    )
    assert run_tick(now=late, only=["contracts.reminders"])[0].changed == 1
    assert run_tick(now=late, only=["contracts.reminders"])[0].changed == 0
    draft.refresh_from_db()
    assert draft.sign_overdue_flagged_at == late
    assert Notification.objects.filter(kind="contract.sign_overdue").count() == 2  # both sides

    active = signed_contract(world)
    first_report = active.reports.order_by("due_on").first()
    after_due = end_of_day(first_report.due_on + dt.timedelta(days=1))
    changed = run_tick(now=after_due, only=["contracts.reminders"])[0].changed
    # the first report and the unpaid first instalment (gate open > 15 days before)
    assert changed >= 2
    first_report.refresh_from_db()
    assert first_report.overdue_flagged_at == after_due
    assert Instalment.objects.get(contract=active, sequence=1).due_reminded_at is not None
    assert run_tick(now=after_due, only=["contracts.reminders"])[0].changed == 0


def test_reports_are_scheduled_across_the_period(world):
    c = signed_contract(world)
    reports = list(Report.objects.filter(contract=c).order_by("due_on"))
    assert all(c.period_start < r.due_on for r in reports)
    midterm = next(r for r in reports if r.kind == "midterm")
    assert abs((midterm.due_on - (c.period_start + (c.period_end - c.period_start) / 2)).days) <= 1
    assert reports[-1].kind == "final" and reports[-1].due_on == c.period_end + dt.timedelta(
        days=30
    )
