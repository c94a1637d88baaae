"""The money view (资金台账, issue 19 §4) and the contracts' bulk actions (§6): amounts,
gates, paid, unpaid and days overdue on the reminders' rule, totals, filters, scope, the
Excel export, the page and the API; bulk payments and report acceptances item by item."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import PermissionDenied, ValidationError
from caidan.contracts import ledger as money
from caidan.contracts.inputs import ReportInput
from caidan.contracts.models import Payment, Report
from caidan.contracts.services import payments_record_bulk, report_submit, reports_accept_bulk
from caidan.contracts.services.reminders import PAY_WITHIN_DAYS

from .factories import signed_contract
from .helpers import pay

pytestmark = pytest.mark.django_db


def _ledger(world, user="purchaser", now=None, **params):
    return money.ledger_for(actor=world.actor(user), f=money.ledger_filter_parse(params), now=now)


def test_ledger_rows_totals_and_days_overdue_on_the_reminders_rule(world):
    c = signed_contract(world)  # 800,000: 400,000 at signing (gate open), 30 %, the rest
    first = c.instalments.get(sequence=1)
    due = first.gate_opened_at + dt.timedelta(days=PAY_WITHIN_DAYS)

    on_time = _ledger(world, now=due)  # the last instant of the deadline: not overdue yet
    row = on_time.page.items[0]
    assert row.id == c.pk and row.amount == Decimal("800000.00")
    one, two, three = row.instalments
    assert (one.gate, one.gate_opened_at is not None, one.payable) == ("signature", True, True)
    assert (two.gate, two.gate_opened_at, two.payable) == ("midterm", None, False)
    assert three.gate == "final" and one.days_overdue == 0
    assert one.pay_due == due
    assert on_time.totals == {
        "amount": Decimal("800000.00"),
        "paid": Decimal("0.00"),
        "unpaid": Decimal("800000.00"),
        "overdue": Decimal("0.00"),
    }

    late = _ledger(world, now=due + dt.timedelta(days=3, seconds=1))
    one = late.page.items[0].instalments[0]
    assert one.days_overdue == 3 or one.days_overdue == 4  # whole local days past the deadline
    assert late.totals["overdue"] == one.amount == late.page.items[0].overdue_amount
    assert late.page.items[0].instalments[1].days_overdue == 0  # gate closed: never overdue

    pay(world, c, 1)
    paid = _ledger(world, now=due + dt.timedelta(days=3)).page.items[0]
    assert paid.instalments[0].paid_on == timezone.localdate()
    assert paid.instalments[0].unpaid == Decimal("0.00") and paid.days_overdue == 0
    assert paid.paid == first.amount and paid.unpaid == c.amount - first.amount


def test_ledger_scope_filters_and_refusals(world):
    c = signed_contract(world)
    year = c.proposal.year
    source = c.proposal.funding.first().source
    assert [r.id for r in _ledger(world).page.items] == [c.pk]
    assert [r.id for r in _ledger(world, "admin").page.items] == [c.pk]  # the finance bureau
    assert [r.id for r in _ledger(world, "auditor").page.items] == [c.pk]
    assert _ledger(world, "purchaser2").page.items == []  # another street's officer
    assert _ledger(world, "purchaser2").totals["amount"] == 0
    for params, found in (
        ({"year": year}, True),
        ({"year": year + 1}, False),
        ({"unit": c.unit_id}, True),
        ({"unit": c.unit_id + 10_000}, False),
        ({"provider": c.organization_id}, True),
        ({"provider": c.organization_id + 10_000}, False),
        ({"source": source}, True),
        ({"source": next(s for s in ("fiscal", "special") if s != source)}, False),
    ):
        assert bool(_ledger(world, "admin", **params).page.items) is found, params
    for role in ("provider", "expert", "resident", "committee"):
        with pytest.raises(PermissionDenied):
            _ledger(world, role)
    for params, name in (
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"unit": "x"}, "unit"),
        ({"provider": "-1"}, "provider"),
        ({"source": "lottery"}, "source"),
    ):
        with pytest.raises(ValidationError) as exc:
            money.ledger_filter_parse(params)
        assert exc.value.field == name


def test_ledger_page_costs_four_queries_whatever_its_size(world, django_assert_num_queries):
    signed_contract(world)
    signed_contract(world)
    actor = world.actor("admin")
    f = money.ledger_filter_parse({"source": "fiscal"})
    with django_assert_num_queries(4):  # contracts, funding, instalments, totals
        result = money.ledger_for(actor=actor, f=f, limit=1)
    assert len(result.page.items) == 1 and result.page.next_cursor
    with django_assert_num_queries(4):
        result = money.ledger_for(actor=actor, f=money.LedgerFilter())
    assert len(result.page.items) == 2
    assert all(len(r.instalments) == 3 for r in result.page.items)


def test_ledger_excel_has_a_row_per_instalment_and_the_totals(world):
    from openpyxl import load_workbook

    c = signed_contract(world)
    pay(world, c, 1)
    out = money.ledger_xlsx(world.actor("purchaser"), money.LedgerFilter())
    sheet = load_workbook(io.BytesIO(out.read()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == money.EXPORT_HEADERS
    assert [r[8] for r in rows[1:4]] == [1, 2, 3]
    assert rows[1][0] == c.reference and rows[1][15] == 400000 and rows[1][16] == 0
    assert rows[-1][0] == "合计" and rows[-1][7] == 800000 and rows[-1][15] == 400000
    with pytest.raises(PermissionDenied):
        money.ledger_xlsx(world.actor("provider"), money.LedgerFilter())


# --- bulk ----------------------------------------------------------------------------------------


def test_bulk_payments_mixed_batch(world):
    c = signed_contract(world)
    first, second, _ = c.instalments.order_by("sequence")
    before = AuditEvent.objects.filter(kind="payment.recorded").count()
    outcomes = payments_record_bulk(
        ids=[first.pk, second.pk, 99_999_999],
        paid_on=timezone.localdate(),
        voucher="PZ-BATCH-1",
        actor=world.actor("purchaser"),
    )
    assert [(o.id, o.ok, o.code) for o in outcomes] == [
        (first.pk, True, ""),
        (second.pk, False, "gate_closed"),
        (99_999_999, False, "not_found"),
    ]
    assert "中期评估" in outcomes[1].message and outcomes[1].label.endswith(
        f"第 2 期（¥{second.amount:,.2f}）"
    )
    assert list(
        Payment.objects.filter(instalment__contract=c).values_list("voucher", flat=True)
    ) == ["PZ-BATCH-1"]
    assert AuditEvent.objects.filter(kind="payment.recorded").count() == before + 1
    # Again: the first is now refused as paid, nothing else changes.
    again = payments_record_bulk(
        ids=[first.pk], paid_on=timezone.localdate(), voucher="PZ-2", actor=world.actor("purchaser")
    )
    assert (again[0].ok, again[0].code) == (False, "already_paid")


def test_bulk_payments_refuse_another_units_instalment(world):
    c = signed_contract(world)
    first = c.instalments.get(sequence=1)
    outcomes = payments_record_bulk(
        ids=[first.pk], paid_on=timezone.localdate(), voucher="PZ", actor=world.actor("purchaser2")
    )
    assert (outcomes[0].ok, outcomes[0].code, outcomes[0].label) == (
        False,
        "not_found",
        f"#{first.pk}",
    )
    assert not Payment.objects.filter(instalment=first).exists()


def test_bulk_accept_reports_mixed_batch(world, django_assert_max_num_queries):
    c = signed_contract(world)
    progress = list(c.reports.filter(kind="progress").order_by("due_on")[:2])
    report_submit(
        report=progress[0], actor=world.actor("provider"), data=ReportInput.parse(summary="顺利")
    )
    # The second is still due (not submitted): refused with the service's reason.
    with django_assert_max_num_queries(60):
        outcomes = reports_accept_bulk(
            ids=[progress[0].pk, progress[1].pk], actor=world.actor("purchaser")
        )
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[1].code == "not_submitted" and outcomes[1].message
    assert Report.objects.get(pk=progress[0].pk).status == "accepted"
    assert Report.objects.get(pk=progress[1].pk).status == "due"
    assert (
        AuditEvent.objects.filter(
            target_type="contracts.contract", target_id=str(c.pk), kind="report.reviewed"
        ).count()
        == 1
    )


def test_bulk_ids_bounds():
    from caidan.common.bulk import BULK_MAX, bulk_ids

    assert bulk_ids(["3", 1, 3]) == [3, 1]
    for bad in ([], ["x"], [0], list(range(1, BULK_MAX + 2))):
        with pytest.raises(ValidationError) as exc:
            bulk_ids(bad)
        assert exc.value.field == "ids"


def test_dashboard_flag_counts_overdue_instalments(world, django_assert_num_queries):
    c = signed_contract(world)
    due = c.instalments.get(sequence=1).gate_opened_at + dt.timedelta(days=PAY_WITHIN_DAYS)
    actor = world.actor("purchaser")
    assert money.overdue_count(actor, now=due) == 0
    with django_assert_num_queries(1):
        assert money.overdue_count(actor, now=due + dt.timedelta(seconds=1)) == 1
    assert money.overdue_count(world.actor("admin"), now=due + dt.timedelta(days=1)) == 1
    assert money.overdue_count(world.actor("purchaser2"), now=due + dt.timedelta(days=1)) == 0
    pay(world, c, 1)
    assert money.overdue_count(actor, now=due + dt.timedelta(days=1)) == 0
