"""Contracts: drafting, signing and publication, amendments and versions, payment gates,
reports, reminders, termination, renewal, PDF (DOMAIN.md §3.5, §4.1)."""

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.calendar import add_working_days, end_of_day
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.tick import run_tick
from caidan.contracts.inputs import PaymentInput, ReportInput
from caidan.contracts.lifecycles import contract_lifecycle
from caidan.contracts.models import (
    TRANSITIONS,
    ContractAction,
    ContractStatus,
    ContractVersion,
    Instalment,
    Payment,
    Report,
)
from caidan.contracts.pdf import contract_pdf
from caidan.contracts.services import (
    contract_amend,
    contract_cancel,
    contract_create,
    contract_renew,
    contract_sign,
    contract_terminate,
    contract_update,
    payment_record,
    report_attach,
    report_review,
    report_submit,
)
from caidan.evaluations.inputs import ScoresInput

from .factories import award_for, draft_contract, signed_contract

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def amounts(contract):
    return [i.amount for i in contract.instalments.order_by("sequence")]


def pay(world, contract, seq):
    inst = contract.instalments.get(sequence=seq)
    return payment_record(
        instalment=inst,
        actor=world.actor("purchaser"),
        data=PaymentInput.parse(paid_on=timezone.localdate(), voucher=f"PZ-{seq}"),
    )


def accept(world, contract, kind, **extra):
    report = contract.reports.get(kind=kind)
    if kind == "final":
        from django.core.files.uploadedfile import SimpleUploadedFile

        report_attach(
            report=report,
            file=SimpleUploadedFile("财务报表.pdf", b"%PDF-1.4\n%x\n"),
            actor=world.actor("provider"),
        )
    report_submit(
        report=report,
        actor=world.actor("provider"),
        data=ReportInput.parse(
            summary="服务开展顺利，完成 2400 人次探访。",
            fund_lines=extra.get(
                "fund_lines", [{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}]
            ),
        ),
    )
    return report_review(report=report, accept=True, actor=world.actor("purchaser"))


# --- drafting -------------------------------------------------------------------------------------


def test_contract_from_the_award_with_its_defaults(world):
    award = award_for(world)
    c = contract_create(award=award, actor=world.actor("purchaser"))
    assert c.status == "draft" and c.reference.startswith("HT-")
    assert c.amount == award.amount == Decimal("800000.00")
    assert c.organization.name == "阳光家庭综合服务中心"
    assert c.sign_due == award.decided_at + dt.timedelta(days=30)
    assert c.payment_split == [50, 35, 15]
    assert amounts(c) == [Decimal("400000.00"), Decimal("280000.00"), Decimal("120000.00")]
    assert [i.gate for i in c.instalments.order_by("sequence")] == ["signature", "midterm", "final"]
    for field in (
        "settlement_method",
        "acceptance_criteria",
        "rights_obligations",
        "breach_liability",
        "quality_standards",
        "service_content",
    ):
        assert getattr(c, field)
    with pytest.raises(Conflict) as exc:
        contract_create(award=award, actor=world.actor("purchaser"))
    assert exc.value.code == "contract_exists"


def test_only_the_awarding_purchaser_drafts(world):
    award = award_for(world)
    with pytest.raises(PermissionDenied):
        contract_create(award=award, actor=world.actor("purchaser2"))
    with pytest.raises(PermissionDenied):
        contract_create(award=award, actor=world.actor("provider"))


def test_odd_contract_sum_splits_to_the_fen(world):
    c = draft_contract(world, award=award_for(world, price="100000.01"))
    assert sum(amounts(c)) == Decimal("100000.01")
    assert amounts(c)[0] in (Decimal("50000.00"), Decimal("50000.01"))


@pytest.mark.parametrize(("security", "ok"), [("80000.00", True), ("80000.01", False), ("0", True)])
def test_performance_security_at_most_ten_percent(world, security, ok):
    if ok:
        assert draft_contract(world, performance_security=security).performance_security == Decimal(
            security
        )
    else:
        with pytest.raises(ValidationError) as exc:
            draft_contract(world, performance_security=security)
        assert exc.value.field == "performance_security" and "§48" in exc.value.message


@pytest.mark.parametrize(
    ("split", "ok"),
    [
        ([50, 35, 15], True),
        ([50, 30, 20], True),
        ([50, 40, 10], True),
        ([60, 30, 10], False),
        ([50, 45, 5], False),
        ([50, 25, 25], False),
        ([50, 35, 10], False),
    ],
)
def test_payment_split_within_the_seeds_bounds(world, split, ok):
    if ok:
        c = draft_contract(world, payment_split=split)
        assert [i.percent for i in c.instalments.order_by("sequence")] == split
    else:
        with pytest.raises(ValidationError) as exc:
            draft_contract(world, payment_split=split)
        assert exc.value.field == "payment_split"


def test_required_terms_and_one_year_term(world):
    with pytest.raises(ValidationError) as exc:
        draft_contract(world, breach_liability="  ")
    assert exc.value.field == "breach_liability"
    award = award_for(world)
    start = award.tender.proposal.period_start
    with pytest.raises(ValidationError) as exc:
        draft_contract(
            world, award=award, period_end=start.replace(year=start.year + 1) + dt.timedelta(days=1)
        )
    assert exc.value.field == "period_end"
    with pytest.raises(ValidationError) as exc:
        draft_contract(world, amount="800000.01")
    assert exc.value.field == "amount"


def test_editing_a_draft_withdraws_a_given_signature(world):
    c = draft_contract(world)
    contract_sign(contract=c, actor=world.actor("provider"))
    c = contract_update(
        contract=c, changes={"quantity": "探访 2400 人次"}, actor=world.actor("purchaser")
    )
    assert c.provider_signed_at is None


# --- signing ------------------------------------------------------------------------------------


def test_both_parties_sign_then_it_is_published_and_the_first_gate_opens(world):
    c = draft_contract(world)
    contract_sign(contract=c, actor=world.actor("purchaser"))
    c.refresh_from_db()
    assert c.status == "draft" and c.purchaser_signed_at
    with pytest.raises(Conflict) as exc:
        contract_sign(contract=c, actor=world.actor("purchaser"))
    assert exc.value.code == "already_signed"
    with pytest.raises(PermissionDenied):
        contract_sign(contract=c, actor=world.actor("hub"))
    contract_sign(contract=c, actor=world.actor("provider"))
    c.refresh_from_db()
    assert c.status == "active" and c.signed_at
    assert c.published_at <= c.publish_due == end_of_day(add_working_days(c.signed_at, 2))
    first = c.instalments.get(sequence=1)
    assert first.gate_opened_at == c.signed_at
    assert not c.instalments.get(sequence=2).gate_opened_at
    assert ContractVersion.objects.get(contract=c, version=1).terms["amount"] == "800000.00"
    kinds = list(c.reports.values_list("kind", flat=True))
    assert kinds.count("midterm") == 1 and kinds.count("final") == 1 and "progress" in kinds


def test_signing_is_blocked_while_a_complaint_is_pending(world):
    """A complaint filed after the draft holds the signature until it ends (DOMAIN §4.7)."""
    from caidan.complaints.services import complaint_withdraw

    from .factories import complained_draft

    c, complaint, complainant = complained_draft(world)
    with pytest.raises(Conflict) as exc:
        contract_sign(contract=c, actor=world.actor("purchaser"))
    assert exc.value.code == "signing_blocked" and "投诉" in exc.value.message
    complaint_withdraw(complaint=complaint, actor=complainant)
    contract_sign(contract=c, actor=world.actor("purchaser"))


def test_public_sees_signed_contracts_only(world):
    from caidan.accounts.actor import Actor
    from caidan.accounts.permissions import can

    c = draft_contract(world)
    anyone = Actor.anonymous()
    assert not c.is_public
    assert can(world.actor("provider"), "contracts.view", c)
    assert not can(world.actor("purchaser2"), "contracts.view", c)
    contract_sign(contract=c, actor=world.actor("purchaser"))
    contract_sign(contract=c, actor=world.actor("provider"))
    c.refresh_from_db()
    assert c.is_public and anyone is not None


# --- payments ------------------------------------------------------------------------------------


def test_gate_not_met_refuses_payment_and_paid_twice_refused(world):
    c = signed_contract(world)
    pay(world, c, 1)
    with pytest.raises(Conflict) as exc:
        pay(world, c, 1)
    assert exc.value.code == "already_paid"
    with pytest.raises(Conflict) as exc:
        pay(world, c, 2)
    assert exc.value.code == "gate_closed" and "中期评估" in exc.value.message
    assert Payment.objects.filter(instalment__contract=c).count() == 1


def test_payment_must_be_the_instalment_amount_and_dated_sensibly(world):
    c = signed_contract(world)
    inst = c.instalments.get(sequence=1)
    with pytest.raises(ValidationError) as exc:
        payment_record(
            instalment=inst,
            actor=world.actor("purchaser"),
            data=PaymentInput.parse(paid_on=timezone.localdate(), voucher="PZ", amount="399999.99"),
        )
    assert exc.value.field == "amount"
    with pytest.raises(ValidationError) as exc:
        payment_record(
            instalment=inst,
            actor=world.actor("purchaser"),
            data=PaymentInput.parse(
                paid_on=timezone.localdate() + dt.timedelta(days=1), voucher="PZ"
            ),
        )
    assert exc.value.field == "paid_on"
    with pytest.raises(PermissionDenied):
        payment_record(
            instalment=inst,
            actor=world.actor("provider"),
            data=PaymentInput.parse(paid_on=timezone.localdate(), voucher="PZ"),
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_payment_refused_under_concurrency(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    c = signed_contract(world)
    inst = c.instalments.get(sequence=1)
    barrier = threading.Barrier(2)
    results = []

    def attempt(n):
        try:
            barrier.wait()
            payment_record(
                instalment=inst,
                actor=world.actor("purchaser"),
                data=PaymentInput.parse(paid_on=timezone.localdate(), voucher=f"PZ-{n}"),
            )
            results.append("paid")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_paid", "paid"]
    assert Payment.objects.filter(instalment=inst).count() == 1


# --- amendments -----------------------------------------------------------------------------------


def test_amendment_resplits_unpaid_instalments_and_keeps_the_original(world):
    c = signed_contract(world)
    pay(world, c, 1)  # 400,000.00 paid
    with pytest.raises(ValidationError) as exc:
        contract_amend(
            contract=c,
            changes={"amount": "700000.01"},
            rationale=" ",
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "rationale"
    a = contract_amend(
        contract=c,
        changes={"amount": "700000.01"},
        rationale="服务对象减少 120 人，相应核减服务费",
        actor=world.actor("purchaser"),
    )
    c.refresh_from_db()
    assert c.version == 2 and a.version == 2
    assert a.changes["amount"] == ["800000.00", "700000.01"]
    got = amounts(c)
    assert got[0] == Decimal("400000.00")  # paid: unchanged
    assert sum(got) == Decimal("700000.01")
    assert got[1] > got[2]  # 35 : 15 of the remainder
    original = ContractVersion.objects.get(contract=c, version=1)
    assert original.terms["amount"] == "800000.00"
    assert ContractVersion.objects.get(contract=c, version=2).terms["amount"] == "700000.01"
    with pytest.raises(ValidationError):
        contract_amend(
            contract=c,
            changes={"amount": "399999.99"},
            rationale="再减",
            actor=world.actor("purchaser"),
        )


def test_amendment_only_on_an_active_contract_and_with_changes(world):
    c = draft_contract(world)
    with pytest.raises(Conflict):
        contract_amend(
            contract=c, changes={"quantity": "x"}, rationale="r", actor=world.actor("purchaser")
        )


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


# --- termination, cancel, renewal ---------------------------------------------------------------------


def test_termination_records_kind_reason_and_settlement(world):
    c = signed_contract(world)
    with pytest.raises(ValidationError) as exc:
        contract_terminate(
            contract=c, kind="whim", reason="x", settlement="y", actor=world.actor("purchaser")
        )
    assert exc.value.field == "kind"
    with pytest.raises(ValidationError) as exc:
        contract_terminate(
            contract=c,
            kind="breach",
            reason="连续两月未提供服务",
            settlement="",
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "settlement"
    c = contract_terminate(
        contract=c,
        kind="breach",
        reason="连续两月未提供服务",
        settlement="已付首期款按实际服务量结算，余款不再支付",
        actor=world.actor("purchaser"),
    )
    assert c.status == "terminated" and c.termination_kind == "breach"
    with pytest.raises(Conflict):
        pay(world, c, 1)


def test_cancel_an_unsigned_draft_allows_a_new_one(world):
    c = draft_contract(world)
    contract_cancel(contract=c, reason="中标人放弃", actor=world.actor("purchaser"))
    again = contract_create(award=c.award, actor=world.actor("purchaser"))
    assert again.status == "draft"


def test_renewal_intent_up_to_three_years(world):
    c = signed_contract(world)
    with pytest.raises(Conflict) as exc:
        contract_renew(contract=c, actor=world.actor("purchaser"))
    assert exc.value.code == "no_intent"
    with pytest.raises(ValidationError) as exc:
        contract_amend(
            contract=c,
            changes={"renewal_intent": True, "renewal_years": 4},
            rationale="续签",
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "renewal_years"
    contract_amend(
        contract=c,
        changes={"renewal_intent": True, "renewal_years": 2},
        rationale="需求稳定，约定续签一年",
        actor=world.actor("purchaser"),
    )
    second = contract_renew(contract=c, actor=world.actor("purchaser"))
    assert second.year_index == 2 and second.renews == c and second.status == "draft"
    assert second.period_start == c.period_start.replace(year=c.period_start.year + 1)
    with pytest.raises(Conflict):
        contract_renew(contract=c, actor=world.actor("purchaser"))
    contract_sign(contract=second, actor=world.actor("purchaser"))
    contract_sign(contract=second, actor=world.actor("provider"))
    second.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        contract_renew(contract=second, actor=world.actor("purchaser"))
    assert exc.value.code == "max_years"


def test_renewal_asks_the_registered_sections_without_knowing_them(world):
    """Contracts refuse a renewal with what a section registered in ``contracts.links``
    holds against it (evaluations: a published 差), by its code and reason."""
    from caidan.contracts.links import (
        ContractSection,
        RenewalBlock,
        register_contract_section,
        renewal_blocks,
        unregister_contract_section,
    )

    c = signed_contract(world, renewal_intent=True, renewal_years=2)
    assert renewal_blocks(c) == []
    register_contract_section(
        ContractSection(
            name="test-blocks", renewal_blocks=lambda contract: [RenewalBlock("held", "暂缓。")]
        )
    )
    try:
        with pytest.raises(Conflict) as exc:
            contract_renew(contract=c, actor=world.actor("purchaser"))
        assert (exc.value.code, exc.value.message) == ("held", "暂缓。")
    finally:
        unregister_contract_section("test-blocks")
    assert contract_renew(contract=c, actor=world.actor("purchaser")).year_index == 2


# --- lifecycle table and PDF ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ContractAction.values)
def test_transition_from_every_status(world, action):
    c = draft_contract(world)
    sources, target = TRANSITIONS[action]
    for status in ContractStatus.values:
        c.status = status
        c.save(update_fields=["status"])
        if status in sources:
            contract_lifecycle.apply(c, action, actor=world.actor("purchaser"))
            c.refresh_from_db()
            assert c.status == target
        else:
            with pytest.raises(Conflict) as exc:
                contract_lifecycle.apply(c, action, actor=world.actor("purchaser"))
            assert exc.value.code == "bad_transition"
            c.refresh_from_db()
            assert c.status == status
    assert AuditEvent.objects.filter(
        kind="contract.transition", target_id=str(c.pk)
    ).count() == len(sources)


def test_pdf_contains_the_key_fields_and_the_public_one_no_names(world):
    from pypdf import PdfReader

    c = signed_contract(world)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contract_pdf(c))).pages)
    for needle in (
        c.reference,
        "800000.00",
        "阳光家庭综合服务中心",
        "江苏路街道",
        "违约责任",
        "400000.00",
        "中期评估通过",
    ):
        assert needle in text, needle
    assert c.purchaser_signed_by.get_full_name() in text
    public = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(contract_pdf(c, public=True))).pages
    )
    assert c.reference in public and "800000.00" in public
    assert c.purchaser_signed_by.get_full_name() not in public
    assert c.provider_signed_by.get_full_name() not in public


def test_reports_are_scheduled_across_the_period(world):
    c = signed_contract(world)
    reports = list(Report.objects.filter(contract=c).order_by("due_on"))
    assert all(c.period_start < r.due_on for r in reports)
    midterm = next(r for r in reports if r.kind == "midterm")
    assert abs((midterm.due_on - (c.period_start + (c.period_end - c.period_start) / 2)).days) <= 1
    assert reports[-1].kind == "final" and reports[-1].due_on == c.period_end + dt.timedelta(
        days=30
    )
