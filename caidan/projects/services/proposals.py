"""Proposals (项目申报): drafting, validation, submission, withdrawal, hub packaging.

One transition service per step; each checks ``TRANSITIONS``, locks the row, audits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.money import format_yuan
from caidan.common.perms import Perm

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import ProposalInput
from ..lifecycles import proposal_lifecycle
from ..models import (
    EDITABLE,
    Proposal,
    ProposalAction,
    ProposalFunding,
)
from .ceilings import ceiling_refusal, ceiling_room


def _check_item(data: ProposalInput) -> None:
    """A third-level item of a published catalog."""
    item = data.catalog_item
    if item.level != 3:
        raise field_error("catalog_item", _("项目须对应目录的三级条目。"))
    if item.version.status != "published":
        raise field_error("catalog_item", _("所选条目不属于已发布的目录版本。"))


def _check_references(data: ProposalInput, *, unit) -> None:
    """The rules of a draft that need the database: its catalog item (``_check_item``);
    needs and menu items of the proposing unit, still public."""
    _check_item(data)
    for need in data.needs:
        if need.status != "visible":
            raise field_error(
                "needs", _("需求 #%(pk)s 已被隐藏，不能作为项目依据。") % {"pk": need.pk}
            )
        if need.unit_id != unit.pk:
            raise field_error(
                "needs", _("需求 #%(pk)s 不属于%(name)s。") % {"pk": need.pk, "name": unit.name}
            )
    for menu_item in data.menu_items:
        if menu_item.menu.unit_id != unit.pk:
            raise field_error(
                "menu_items",
                _("菜单项 #%(pk)s 不属于%(name)s的菜单。")
                % {"pk": menu_item.pk, "name": unit.name},
            )


def _negative_list(proposal_or_data) -> None:
    from caidan.catalog.services import negative_list_refuse

    for field in ("title", "description", "service_targets"):
        negative_list_refuse(text=getattr(proposal_or_data, field, "") or "", field=field)


FIELDS = (
    "title",
    "year",
    "catalog_item",
    "description",
    "service_targets",
    "target_groups",
    "scale",
    "scale_unit",
    "outputs",
    "outcomes",
    "budget",
    "period_start",
    "period_end",
    "stability_justification",
    "purchase_mode",
    "procurement_method",
    "grade_policy",
    "required_fields",
    "require_experience",
)


def _snapshot(p: Proposal) -> dict[str, Any]:
    data = {f: getattr(p, f) for f in FIELDS if f != "catalog_item"}
    data["catalog_item"] = p.catalog_item_id
    data["funding"] = {f.source: str(f.amount) for f in p.funding.all()}
    return data


def _save(proposal: Proposal, data: ProposalInput) -> None:
    for f in FIELDS:
        setattr(proposal, f, getattr(data, f))
    proposal.outputs = [row.as_json() for row in data.outputs]
    proposal.outcomes = [row.as_json() for row in data.outcomes]
    proposal.save()
    proposal.funding.all().delete()
    ProposalFunding.objects.bulk_create(
        [ProposalFunding(proposal=proposal, source=f.source, amount=f.amount) for f in data.funding]
    )
    proposal.needs.set(data.needs)
    proposal.menu_items.set(data.menu_items)


def proposal_input(proposal: Proposal, **changes: Any) -> ProposalInput:
    """The proposal as it stands, as an input (with ``changes``), checked again."""
    current = {f: getattr(proposal, f) for f in FIELDS}
    current["funding"] = [{"source": f.source, "amount": f.amount} for f in proposal.funding.all()]
    current["needs"] = list(proposal.needs.all())
    current["menu_items"] = list(proposal.menu_items.all())
    return ProposalInput.parse({**current, **changes})


def proposal_create(
    *, data: ProposalInput, unit, actor: Actor, proposing_organization=None
) -> Proposal:
    """Draft a proposal for ``unit``: by the unit's purchaser, or by a provider / hub for
    the unit (venture philanthropy and grassroots proposals a hub may package)."""
    if proposing_organization is not None:
        require(actor, Perm.PROJECTS_DRAFT_AS_ORGANIZATION, proposing_organization)
    else:
        require(actor, Perm.PROJECTS_DRAFT_FOR_UNIT, unit)
    _check_references(data, unit=unit)
    _negative_list(data)
    with transaction.atomic():
        proposal = Proposal(
            unit=unit, proposing_organization=proposing_organization, created_by=user_of(actor)
        )
        _save(proposal, data)
        audit_record(
            kind=EventKind.PROPOSAL_CREATED, actor=actor, target=proposal, new=_snapshot(proposal)
        )
    return proposal


def proposal_update(*, proposal: Proposal, changes: dict[str, Any], actor: Actor) -> Proposal:
    """Change some fields of a draft (or a returned proposal); the whole proposal is checked
    again as one input."""
    require(actor, Perm.PROJECTS_EDIT, proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status not in EDITABLE:
            raise Conflict(
                _("项目处于“%(get_status_display)s”状态，只有草稿或退回修改的项目可以修改。")
                % {"get_status_display": proposal.get_status_display()}
            )
        before = _snapshot(proposal)
        data = proposal_input(proposal, **changes)
        _check_references(data, unit=proposal.unit)
        _negative_list(data)
        _save(proposal, data)
        after = _snapshot(proposal)
        audit_record(
            kind=EventKind.PROPOSAL_UPDATED,
            actor=actor,
            target=proposal,
            old={k: before[k] for k in after if before.get(k) != after.get(k)},
            new={k: after[k] for k in after if before.get(k) != after.get(k)},
        )
    return proposal


def _check_room(proposal: Proposal) -> None:
    """Warn before the wall: a budget more than the room left under the year's ceiling is
    refused now, not after the committee has voted. Without a ceiling the proposal enters
    the library (the library feeds the budget); it cannot be put on an agenda until one is
    set."""
    room = ceiling_room(unit=proposal.unit, year=proposal.year)
    if room.ceiling is not None and not room.fits(proposal.budget):
        raise ceiling_refusal(room, proposal.budget, step="不能申报")


def proposal_submit(*, proposal: Proposal, actor: Actor) -> Proposal:
    """Submit to the project library: everything is re-checked, the negative list too."""
    require(actor, Perm.PROJECTS_EDIT, proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _check_item(proposal_input(proposal))
        _negative_list(proposal)
        _check_room(proposal)
        proposal_lifecycle.apply(
            proposal, ProposalAction.SUBMIT, actor=actor, submitted_at=timezone.now()
        )
        ask_to_schedule(proposal)
    return proposal


def schedule_task(proposal: Proposal) -> str:
    """The task of "put this proposal on a review agenda" (done when it is scheduled,
    withdrawn or packaged)."""
    return f"proposal_schedule:proposal:{proposal.pk}"


def _agenda_setters() -> list:
    """Who sets the review committee's agenda: the platform admins (the bureau that
    organises the sessions); the committee members only where there is no admin. The
    members themselves are asked to vote once a proposal is on an open session's agenda."""
    from caidan.accounts.models import User

    people = User.objects.filter(is_active=True, memberships__is_active=True).distinct()
    admins = list(people.filter(memberships__role=Role.PLATFORM_ADMIN))
    return admins or list(people.filter(memberships__role=Role.COMMITTEE_MEMBER))


def ask_to_schedule(proposal: Proposal, *, again: bool = False) -> None:
    from caidan.notifications.services import notify

    notify(
        recipients=_agenda_setters(),
        kind="proposal.submitted",
        title=f"请将“{proposal.title}”列入审定议程"
        + ("（已移出议程，待重新安排）" if again else ""),
        body=f"{proposal.unit.name}申报的“{proposal.title}”（预算 {format_yuan(proposal.budget)}）"
        "已进入项目库，请安排审定会议并列入议程。",
        url=f"/projects/proposals/{proposal.pk}/",
        task=schedule_task(proposal),
    )


def _resolve_schedule(proposal: Proposal) -> None:
    from caidan.notifications.services import notifications_resolve

    notifications_resolve(task=schedule_task(proposal))


def proposal_withdraw(*, proposal: Proposal, reason: str = "", actor: Actor) -> Proposal:
    require(actor, Perm.PROJECTS_EDIT, proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        proposal = proposal_lifecycle.apply(
            proposal, ProposalAction.WITHDRAW, actor=actor, note=reason
        )
        _resolve_schedule(proposal)
        return proposal


def _hub_eligible(hub, data: ProposalInput, *, on: dt.date) -> None:
    from caidan.orgs.eligibility import Requirements, eligibility

    result = eligibility(
        hub,
        Requirements(
            grade_policy=data.grade_policy,
            fields=tuple(data.required_fields),
            require_experience=data.require_experience,
        ),
        on=on,
    )
    if not result.eligible:
        raise Conflict(
            _("枢纽组织“%(name)s”不符合承接条件，不能打包申报：%(reasons)s")
            % {"name": hub.name, "reasons": "；".join(result.reasons)},
            code=Common.INELIGIBLE,
            detail={"field": "hub", "reasons": result.reasons},
        )


def proposal_package(
    *,
    parts: list[Proposal],
    hub,
    title: str,
    actor: Actor,
    now: dt.datetime | None = None,
    **overrides: Any,
) -> Proposal:
    """A hub organization packages several grassroots proposals (of its affiliates, for one
    unit and year) into one proposal it leads; the parts become "packaged". The hub leads
    and answers for the package, so it must itself be an eligible provider on the day
    (DOMAIN §4.2; 102号令), for the package's requirements."""
    require(actor, Perm.PROJECTS_PACKAGE, hub)
    now = now or timezone.now()
    if not hub.is_hub:
        raise field_error("hub", _("“%(name)s”不是枢纽型社会组织。") % {"name": hub.name})
    if len(parts) < 2:
        raise field_error("parts", _("打包至少需要两个项目申报。"))
    affiliates = set(hub.affiliates.values_list("pk", flat=True)) | {hub.pk}
    units = {p.unit_id for p in parts}
    years = {p.year for p in parts}
    if len(units) != 1 or len(years) != 1:
        raise field_error("parts", _("打包的项目须属于同一购买主体、同一预算年度。"))
    for p in parts:
        if p.proposing_organization_id not in affiliates:
            raise field_error(
                "parts", _("“%(title)s”不是本枢纽组织所联系的社会组织申报的。") % {"title": p.title}
            )
    with transaction.atomic():
        locked = list(Proposal.objects.select_for_update().filter(pk__in=[p.pk for p in parts]))
        funding: dict[str, Decimal] = {}
        for p in locked:
            for f in p.funding.all():
                funding[f.source] = funding.get(f.source, Decimal("0.00")) + f.amount
        first = locked[0]
        data = {
            "title": title,
            "catalog_item": first.catalog_item,
            "description": "\n".join(f"· {p.title}：{p.description}" for p in locked),
            "service_targets": "；".join(p.service_targets for p in locked if p.service_targets),
            "target_groups": sorted({g for p in locked for g in p.target_groups}),
            "scale": sum(p.scale for p in locked),
            "scale_unit": first.scale_unit,
            "outputs": [o for p in locked for o in p.outputs],
            "outcomes": [o for p in locked for o in p.outcomes],
            "budget": sum((p.budget for p in locked), Decimal("0.00")),
            "funding": [{"source": s, "amount": a} for s, a in funding.items()],
            "period_start": min(p.period_start for p in locked),
            "period_end": max(p.period_end for p in locked),
            "stability_justification": "",
            "purchase_mode": first.purchase_mode,
            "procurement_method": first.procurement_method,
            "grade_policy": first.grade_policy,
            "required_fields": sorted({f for p in locked for f in p.required_fields}),
            "require_experience": any(p.require_experience for p in locked),
            "year": first.year,
            "needs": [n for p in locked for n in p.needs.all()],
            "menu_items": [m for p in locked for m in p.menu_items.all()],
            **overrides,
        }
        unit = first.unit
        cleaned = ProposalInput.parse(data)
        _check_references(cleaned, unit=unit)
        _negative_list(cleaned)
        _hub_eligible(hub, cleaned, on=timezone.localdate(now))
        package = Proposal(
            unit=unit, proposing_organization=hub, lead_organization=hub, created_by=user_of(actor)
        )
        _save(package, cleaned)
        audit_record(
            kind=EventKind.PROPOSAL_CREATED,
            actor=actor,
            target=package,
            new={**_snapshot(package), "packaged_from": [p.pk for p in locked]},
        )
        for p in locked:
            proposal_lifecycle.apply(p, ProposalAction.PACKAGE, actor=actor, packaged_into=package)
            _resolve_schedule(p)
    return package
