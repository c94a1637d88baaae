"""Financial audit of projects (DOMAIN.md §3.6): the auditor's annual plan (which projects
of a unit's year are audited: coverage by number and amount), findings with a
rectification deadline, the provider's response, closure by the auditor, and overdue
findings flagged once by the tick."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Unit, User
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.common.tick import flag_once, tick_job
from caidan.contracts.models import Contract, ContractStatus
from caidan.evaluations.codes import Code
from caidan.notifications.services import due_day, notifications_resolve, notify

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import AuditPlanInput, FindingCloseInput, FindingInput, FindingResponseInput
from ..lifecycles import FindingAction, finding_lifecycle
from ..models import AuditFinding, AuditPlan, FindingStatus

SIGNED = (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.TERMINATED)
SHARE_PLACES = Decimal("0.0001")


def _parties(contract: Contract) -> list[User]:
    """The provider's people and the purchaser's officers, each once."""
    people = organization_users([contract.organization_id])
    return people + [u for u in unit_officers(contract.unit) if u not in people]


def respond_task(finding: AuditFinding) -> str:
    """The provider reports its rectification of a finding."""
    return f"finding_respond:finding:{finding.pk}"


def close_task(finding: AuditFinding) -> str:
    """The auditor closes (销号) a finding whose rectification was reported."""
    return f"finding_close:finding:{finding.pk}"


def _tell_finding(f: AuditFinding, kind: str, title: str, body: str, *, ask: str) -> None:
    """The provider is asked (``ask``: its imperative title); the purchaser is told."""
    c = f.contract
    notify(
        recipients=organization_users([c.organization_id]),
        kind=kind,
        title=ask,
        body=body,
        url=f"/contracts/{c.pk}/",
        task=respond_task(f),
    )
    notify(
        recipients=unit_officers(c.unit),
        kind=kind,
        title=title,
        body=body,
        url=f"/contracts/{c.pk}/",
    )


def unit_year_contracts(unit: Unit, year: int):
    """The signed contracts of ``unit`` and the units below it whose service period starts
    in ``year``: what an audit plan for that unit and year can cover."""
    return Contract.objects.filter(
        unit__path__startswith=unit.path, period_start__year=year, status__in=SIGNED
    )


def audit_coverage(plan: AuditPlan) -> dict[str, Any]:
    """How much of the unit-year the plan covers: ``count`` and ``amount`` of the planned
    contracts, ``total`` of the unit-year's contract amounts, ``share`` = amount ÷ total
    (a Decimal fraction to 4 places; None when the unit-year has no contracts)."""
    zero = Decimal("0.00")
    planned = plan.contracts.aggregate(amount=Sum("amount"))
    amount = planned["amount"] or zero
    total = (
        unit_year_contracts(plan.unit, plan.year).aggregate(total=Sum("amount"))["total"] or zero
    )
    share = (Decimal(amount) / Decimal(total)).quantize(SHARE_PLACES) if total else None
    return {
        "count": plan.contracts.count(),
        "amount": Decimal(amount).quantize(Decimal("0.01")),
        "total": Decimal(total).quantize(Decimal("0.01")),
        "share": share,
    }


def _resolve_contracts(unit: Unit, year: int, ids: list[int]) -> list[Contract]:
    """The chosen contracts: signed ones of the unit (or below) starting in ``year``."""
    found = {c.pk: c for c in Contract.objects.select_related("unit").filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise field_error(
            "contracts", _("找不到合同：%(join)s。") % {"join": "、".join(map(str, missing))}
        )
    for pk in ids:
        c = found[pk]
        if c.status not in SIGNED:
            raise field_error(
                "contracts", _("“%(title)s”尚未签订生效，不能列入审计计划。") % {"title": c.title}
            )
        if not c.unit.path.startswith(unit.path):
            raise field_error(
                "contracts",
                _("“%(title)s”不属于%(name)s，不能列入其审计计划。")
                % {"title": c.title, "name": unit.name},
            )
        if c.period_start.year != year:
            raise field_error(
                "contracts",
                _("“%(title)s”的服务期始于 %(year)s 年，不属于 %(year_2)s 年度。")
                % {"title": c.title, "year": c.period_start.year, "year_2": year},
            )
    return [found[pk] for pk in ids]


def audit_plan_set(*, unit: Unit, data: AuditPlanInput, actor: Actor) -> AuditPlan:
    """The auditor sets the annual audit plan of a unit (one per year and unit): which of
    the unit-year's signed contracts are audited. Setting it again replaces the list; a
    contract with findings cannot be taken out."""
    require(actor, Perm.EVALUATIONS_AUDIT, unit)
    year, note = data.year, data.note
    chosen = _resolve_contracts(unit, year, data.contracts)
    new_ids = sorted(c.pk for c in chosen)
    with transaction.atomic():
        plan = AuditPlan.objects.select_for_update().filter(year=year, unit=unit).first()
        if plan is None:
            try:
                with transaction.atomic():
                    plan = AuditPlan.objects.create(
                        year=year, unit=unit, note=note, created_by=user_of(actor)
                    )
            except IntegrityError:
                raise Conflict(
                    _("%(name)s %(year)s 年度的审计计划刚被他人创建，请刷新后重试。")
                    % {"name": unit.name, "year": year},
                    code=Code.PLAN_EXISTS,
                ) from None
            old_ids: list[int] = []
            old_note = None
        else:
            old_ids = sorted(plan.contracts.values_list("pk", flat=True))
            old_note = plan.note
            if old_ids == new_ids and old_note == note:
                return plan
            removed = set(old_ids) - set(new_ids)
            kept = AuditFinding.objects.filter(plan=plan, contract_id__in=removed).first()
            if kept is not None:
                raise Conflict(
                    _("“%(title)s”已有审计发现，不能移出审计计划。")
                    % {"title": kept.contract.title},
                    code=Code.HAS_FINDINGS,
                )
            if old_note != note:
                plan.note = note
                plan.save(update_fields=["note"])
        plan.contracts.set(chosen)
        coverage = audit_coverage(plan)
        audit_record(
            kind=EventKind.AUDIT_PLAN_SET,
            actor=actor,
            target=plan,
            old={"contracts": old_ids, "note": old_note} if old_note is not None else None,
            new={
                "year": year,
                "unit": unit.pk,
                "contracts": new_ids,
                "note": note,
                "count": coverage["count"],
                "amount": coverage["amount"],
                "share": coverage["share"],
            },
        )
        for c in chosen:
            if c.pk in old_ids:
                continue
            notify(
                recipients=_parties(c),
                kind="audit.planned",
                title=f"列入 {year} 年度审计计划：{c.title}",
                body="请按合同约定配合审计，备齐项目资金使用情况和财务报表。",
                url=f"/contracts/{c.pk}/",
            )
    return plan


def audit_finding_record(
    *, plan: AuditPlan, contract: Contract, data: FindingInput, actor: Actor
) -> AuditFinding:
    """The auditor records a finding on a planned contract, with a rectification deadline."""
    require(actor, Perm.EVALUATIONS_AUDIT, plan)
    description, rectify_by = data.description, data.rectify_by
    if rectify_by <= timezone.localdate():
        raise field_error(
            "rectify_by", _("整改期限 %(rectify_by)s 须晚于今天。") % {"rectify_by": rectify_by}
        )
    with transaction.atomic():
        p = AuditPlan.objects.select_for_update().get(pk=plan.pk)
        c = p.contracts.select_related("unit", "organization").filter(pk=contract.pk).first()
        if c is None:
            raise field_error(
                "contract",
                _("该合同不在 %(year)s 年度审计计划中：请先将其列入审计计划。") % {"year": p.year},
            )
        finding = AuditFinding.objects.create(
            plan=p,
            contract=c,
            description=description,
            rectify_by=rectify_by,
            created_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.AUDIT_FINDING_RECORDED,
            actor=actor,
            target=c,
            new={"finding": finding.pk, "plan": p.pk, "rectify_by": rectify_by.isoformat()},
        )
        _tell_finding(
            finding,
            "audit_finding.recorded",
            f"审计发现待整改：{c.title}",
            f"请于 {rectify_by} 前整改并报送整改情况。\n{description[:500]}",
            ask=f"请整改审计发现并报送整改情况，截止 {due_day(rectify_by)}：{c.title}",
        )
    return finding


def _lock_finding(finding: AuditFinding) -> AuditFinding:
    return (
        AuditFinding.objects.select_for_update(of=("self",))  # created_by is an outer join
        .select_related("contract", "contract__unit", "contract__organization", "created_by")
        .get(pk=finding.pk)
    )


def audit_finding_respond(
    *, finding: AuditFinding, data: FindingResponseInput, actor: Actor
) -> AuditFinding:
    """The contract's provider reports its rectification (again, until the finding is closed)."""
    require(actor, Perm.EVALUATIONS_RESPOND, finding.contract)
    response = data.response
    with transaction.atomic():
        f = _lock_finding(finding)
        if f.status == FindingStatus.CLOSED:
            raise Conflict(_("该审计发现已整改销号。"), code=Code.CLOSED)
        finding_lifecycle.apply(
            f,
            FindingAction.RESPOND,
            actor=actor,
            update_fields=[],
            response=response,
            responded_at=timezone.now(),
            audit_old={"response": f.response},
            audit_new={"late": f.rectify_by < timezone.localdate()},
        )
        notifications_resolve(task=respond_task(f))
        officers = unit_officers(f.contract.unit)
        auditors = [f.created_by] if f.created_by and f.created_by.is_active else []
        if auditors:
            notify(
                recipients=auditors,
                kind="audit_finding.responded",
                title=f"请核查整改情况并销号：{f.contract.title}",
                body=response[:500],
                url=f"/contracts/{f.contract_id}/",
                task=close_task(f),
            )
        notify(
            recipients=[u for u in officers if u not in auditors],
            kind="audit_finding.responded",
            title=f"整改情况已报送：{f.contract.title}",
            body=response[:500],
            url=f"/contracts/{f.contract_id}/",
        )
    return f


def audit_finding_close(
    *, finding: AuditFinding, data: FindingCloseInput, actor: Actor
) -> AuditFinding:
    """The auditor closes (销号) a finding whose rectification was reported."""
    require(actor, Perm.EVALUATIONS_AUDIT, finding)
    note = data.note
    with transaction.atomic():
        f = _lock_finding(finding)
        if f.status == FindingStatus.CLOSED:
            raise Conflict(_("该审计发现已整改销号。"), code=Code.CLOSED)
        if f.status != FindingStatus.RESPONDED:
            raise Conflict(_("承接主体尚未报送整改情况，不能销号。"), code=Code.NOT_RESPONDED)
        finding_lifecycle.apply(
            f,
            FindingAction.CLOSE,
            actor=actor,
            note=note,
            update_fields=[],
            closed_at=timezone.now(),
            closing_note=note,
        )
        notifications_resolve(task=[respond_task(f), close_task(f)])
        notify(
            recipients=_parties(f.contract),
            kind="audit_finding.closed",
            title=f"审计发现已整改销号：{f.contract.title}",
            body=note[:500],
            url=f"/contracts/{f.contract_id}/",
        )
    return f


@tick_job("evaluations.audit_overdue")
def audit_overdue(now: dt.datetime) -> int:
    """Flag, once, each finding not closed by its rectification deadline (the day after
    ``rectify_by``), and tell both parties."""
    system = Actor.system()
    today = timezone.localtime(now).date()

    def apply(f: AuditFinding) -> None:
        c = Contract.objects.select_related("unit").get(pk=f.contract_id)
        audit_record(
            kind=EventKind.AUDIT_FINDING_OVERDUE,
            actor=system,
            target=c,
            new={"finding": f.pk, "status": f.status, "rectify_by": f.rectify_by.isoformat()},
        )
        _tell_finding(
            f,
            "audit_finding.overdue",
            f"审计整改逾期：{c.title}",
            f"审计发现的整改期限 {f.rectify_by} 已过，尚未整改销号。",
            ask=f"整改已逾期，请尽快整改并报送：{c.title}",
        )

    return flag_once(
        AuditFinding.objects.filter(
            status__in=[FindingStatus.OPEN, FindingStatus.RESPONDED], rectify_by__lt=today
        ),
        flag="overdue_flagged_at",
        now=now,
        apply=apply,
    )
