"""Financial audit: annual plans and coverage, findings tracked to closure, overdue
findings flagged by the tick (DOMAIN.md §3.6)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.tick import run_tick
from caidan.evaluations.inputs import (
    AuditPlanInput,
    FindingCloseInput,
    FindingInput,
    FindingResponseInput,
)
from caidan.evaluations.models import AuditFinding, AuditPlan, FindingStatus
from caidan.evaluations.services.audit import (
    audit_coverage,
    audit_finding_close,
    audit_finding_record,
    audit_finding_respond,
    audit_plan_set,
)
from caidan.notifications.models import Notification
from tests.contracts.factories import award_for, draft_contract, signed_contract

pytestmark = pytest.mark.django_db

JIANGSU = "310105-001"
TICK = "evaluations.audit_overdue"


def two_contracts(world):
    """Two signed contracts of 江苏路街道 (800,000 and 600,000 yuan) in the same year."""
    first = signed_contract(world)
    second = signed_contract(world, award=award_for(world, price="600000.00"))
    assert first.period_start.year == second.period_start.year
    return first, second


def plan_for(world, contracts, unit=JIANGSU, year=None, **kwargs):
    if year is None:
        year = contracts[0].period_start.year
    return audit_plan_set(
        unit=world.unit(unit),
        actor=world.actor("auditor"),
        data=AuditPlanInput.parse(year=year, contracts=contracts, **kwargs),
    )


def finding_on(world, plan, contract, days=10, **kwargs):
    return audit_finding_record(
        plan=plan,
        contract=contract,
        actor=world.actor("auditor"),
        data=FindingInput.parse(
            description=kwargs.pop("description", "部分活动经费缺少签到表等支出凭证。"),
            rectify_by=timezone.localdate() + dt.timedelta(days=days),
            **kwargs,
        ),
    )


def test_plan_coverage_by_count_and_amount_and_one_plan_per_unit_year(world):
    first, second = two_contracts(world)
    plan = plan_for(world, [first], note="重点审计资金使用")

    assert audit_coverage(plan) == {
        "count": 1,
        "amount": Decimal("800000.00"),
        "total": Decimal("1400000.00"),
        "share": Decimal("0.5714"),
    }
    event = AuditEvent.objects.filter(kind=EventKind.AUDIT_PLAN_SET).latest("seq")
    assert event.new["contracts"] == [first.pk] and event.new["share"] == "0.5714"
    assert Notification.objects.filter(
        kind="audit.planned", recipient=world.user("provider")
    ).exists()

    again = plan_for(world, [first.pk, second.pk], year=plan.year, note="重点审计资金使用")
    assert again.pk == plan.pk
    assert AuditPlan.objects.filter(year=plan.year, unit=plan.unit).count() == 1
    assert audit_coverage(again)["share"] == Decimal("1.0000")
    assert audit_coverage(again)["count"] == 2
    event = AuditEvent.objects.filter(kind=EventKind.AUDIT_PLAN_SET).latest("seq")
    assert event.old["contracts"] == [first.pk]

    # A plan for the district covers the street's contracts too.
    district = plan_for(world, [second], unit="310105")
    assert audit_coverage(district)["total"] == Decimal("1400000.00")
    assert audit_coverage(district)["share"] == Decimal("0.4286")


def test_plan_refusals(world):
    contract = signed_contract(world)
    year = contract.period_start.year
    with pytest.raises(PermissionDenied):
        audit_plan_set(
            unit=world.unit(JIANGSU),
            actor=world.actor("purchaser"),
            data=AuditPlanInput.parse(year=year, contracts=[contract]),
        )
    draft = draft_contract(world, award=award_for(world, price="700000.00"))
    cases = [
        ({"year": "二〇二七"}, "year"),
        ({"year": 1999}, "year"),
        ({"contracts": []}, "contracts"),
        ({"contracts": [10**9]}, "contracts"),
        ({"contracts": [draft]}, "contracts"),  # not signed
        ({"unit": "310105-002"}, "contracts"),  # another street's plan
        ({"year": year - 1}, "contracts"),  # another year's contract
    ]
    for overrides, field in cases:
        data = {"year": year, "contracts": [contract], **overrides}
        with pytest.raises(ValidationError) as exc:
            plan_for(world, data.pop("contracts"), **data)
        assert exc.value.field == field, overrides
    assert not AuditPlan.objects.exists()


def test_finding_needs_a_planned_contract_and_a_future_deadline(world):
    planned, other = two_contracts(world)
    plan = plan_for(world, [planned])
    with pytest.raises(ValidationError) as exc:
        finding_on(world, plan, other)
    assert exc.value.field == "contract"
    with pytest.raises(ValidationError) as exc:
        finding_on(world, plan, planned, days=0)
    assert exc.value.field == "rectify_by"
    with pytest.raises(ValidationError) as exc:
        finding_on(world, plan, planned, description=" ")
    assert exc.value.field == "description"
    with pytest.raises(PermissionDenied):
        audit_finding_record(
            plan=plan,
            contract=planned,
            actor=world.actor("purchaser"),
            data=FindingInput.parse(
                description="x", rectify_by=timezone.localdate() + dt.timedelta(days=5)
            ),
        )
    assert not AuditFinding.objects.exists()

    finding = finding_on(world, plan, planned)
    assert finding.status == FindingStatus.OPEN
    for username in ("provider", "purchaser"):
        assert Notification.objects.filter(
            kind="audit_finding.recorded", recipient=world.user(username)
        ).exists(), username
    assert AuditEvent.objects.filter(
        kind=EventKind.AUDIT_FINDING_RECORDED, target_id=str(planned.pk)
    ).exists()
    # A contract with findings stays in the plan.
    with pytest.raises(Conflict) as exc:
        plan_for(world, [other])
    assert exc.value.code == "has_findings"
    assert list(plan.contracts.all()) == [planned]


def test_finding_response_and_closure(world):
    contract = signed_contract(world)
    plan = plan_for(world, [contract])
    finding = finding_on(world, plan, contract)

    for username in ("purchaser", "auditor", "purchaser2"):
        with pytest.raises(PermissionDenied):
            audit_finding_respond(
                finding=finding,
                actor=world.actor(username),
                data=FindingResponseInput.parse(response="已整改"),
            )
    with pytest.raises(Conflict) as exc:
        audit_finding_close(
            finding=finding,
            actor=world.actor("auditor"),
            data=FindingCloseInput.parse(note="同意销号"),
        )
    assert exc.value.code == "not_responded"
    with pytest.raises(ValidationError) as exc:
        audit_finding_respond(
            finding=finding,
            actor=world.actor("provider"),
            data=FindingResponseInput.parse(response=""),
        )
    assert exc.value.field == "response"

    audit_finding_respond(
        finding=finding,
        actor=world.actor("provider"),
        data=FindingResponseInput.parse(response="已补齐签到表和支出凭证。"),
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESPONDED and finding.responded_at is not None
    assert Notification.objects.filter(
        kind="audit_finding.responded", recipient=world.user("auditor")
    ).exists()

    with pytest.raises(PermissionDenied):
        audit_finding_close(
            finding=finding,
            actor=world.actor("provider"),
            data=FindingCloseInput.parse(note="同意销号"),
        )
    with pytest.raises(ValidationError) as exc:
        audit_finding_close(
            finding=finding, actor=world.actor("auditor"), data=FindingCloseInput.parse(note=" ")
        )
    assert exc.value.field == "note"

    audit_finding_close(
        finding=finding,
        actor=world.actor("auditor"),
        data=FindingCloseInput.parse(note="凭证齐全，同意销号。"),
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    assert finding.closed_at is not None and finding.closing_note == "凭证齐全，同意销号。"
    assert AuditEvent.objects.filter(kind=EventKind.AUDIT_FINDING_CLOSED).exists()

    with pytest.raises(Conflict) as exc:
        audit_finding_respond(
            finding=finding,
            actor=world.actor("provider"),
            data=FindingResponseInput.parse(response="再次报送"),
        )
    assert exc.value.code == "closed"
    with pytest.raises(Conflict) as exc:
        audit_finding_close(
            finding=finding,
            actor=world.actor("auditor"),
            data=FindingCloseInput.parse(note="再次销号"),
        )
    assert exc.value.code == "closed"


def test_tick_flags_findings_past_their_deadline_once(world):
    import caidan.evaluations.services.audit  # noqa: F401 - registers the tick job

    contract = signed_contract(world)
    plan = plan_for(world, [contract])
    open_one = finding_on(world, plan, contract, days=10)
    responded = finding_on(world, plan, contract, days=10)
    audit_finding_respond(
        finding=responded,
        actor=world.actor("provider"),
        data=FindingResponseInput.parse(response="整改中"),
    )
    closed = finding_on(world, plan, contract, days=10)
    audit_finding_respond(
        finding=closed,
        actor=world.actor("provider"),
        data=FindingResponseInput.parse(response="已整改"),
    )
    audit_finding_close(
        finding=closed, actor=world.actor("auditor"), data=FindingCloseInput.parse(note="同意")
    )
    later = finding_on(world, plan, contract, days=20)

    deadline = open_one.rectify_by
    last_day = timezone.make_aware(dt.datetime.combine(deadline, dt.time(23, 59)))
    assert run_tick(now=last_day, only=[TICK])[0].changed == 0
    day_after = timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(1), dt.time(9)))
    result = run_tick(now=day_after, only=[TICK])[0]
    assert (result.changed, result.error) == (2, "")
    assert run_tick(now=day_after + dt.timedelta(hours=1), only=[TICK])[0].changed == 0

    for f in (open_one, responded, closed, later):
        f.refresh_from_db()
    assert open_one.overdue_flagged_at == day_after
    assert responded.overdue_flagged_at == day_after
    assert closed.overdue_flagged_at is None
    assert later.overdue_flagged_at is None
    assert AuditEvent.objects.filter(kind=EventKind.AUDIT_FINDING_OVERDUE).count() == 2
    for username in ("provider", "purchaser"):
        assert (
            Notification.objects.filter(
                kind="audit_finding.overdue", recipient=world.user(username)
            ).count()
            == 2
        ), username
