"""Reads for the project library: lists by role, the annual plan, sessions, usage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.audit.models import AuditEvent
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import searched, text_match

from . import permissions  # noqa: F401 - registers the rules
from .models import (
    AgendaItem,
    BudgetCeiling,
    Proposal,
    ProposalAction,
    ProposalStatus,
    ReviewSession,
)
from .services.review import approved_total, quorum_needed


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "unit", "catalog_item", "catalog_item__version", "proposing_organization"
    )


def proposal_list_for(
    *,
    actor,
    status: str = "",
    year: int | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """What this role may see: a purchaser its unit's proposals, an organization its own,
    the committee / admin / auditors everything except others' drafts."""
    qs = proposal_search_for(actor=actor, status=status, year=year, search=search)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def proposal_search_for(
    *, actor, status: str = "", year: int | None = None, search: str = ""
) -> QuerySet[Proposal]:
    """The proposals ``proposal_list_for`` lists, filtered (unordered, unpaginated)."""
    require(actor, Perm.PROJECTS_VIEW)
    qs = _base()
    if actor.has_role(Role.PURCHASER):
        qs = qs.filter(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        org = actor.organization
        qs = qs.filter(Q(proposing_organization=org) | Q(lead_organization=org))
    elif actor.has_role(Role.COMMITTEE_MEMBER, Role.PLATFORM_ADMIN, Role.AUDITOR):
        qs = qs.exclude(status=ProposalStatus.DRAFT)
    else:
        qs = qs.public()
    if status:
        if status not in ProposalStatus.values:
            raise field_error("status", _("状态“%(status)s”无效。") % {"status": status})
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if search.strip():
        qs = searched(qs, text_match(search, "title"))
    return qs


#: The columns a proposal list shows (``ProposalOut``), its unit's and catalog item's too.
PROPOSAL_ROW_FIELDS = (
    "id",
    "title",
    "year",
    "status",
    "unit_id",
    "unit__name",
    "catalog_item_id",
    "catalog_item__code",
    "catalog_item__name",
    "catalog_item__version__name",
    "budget",
    "period_start",
    "period_end",
    "purchase_mode",
    "procurement_method",
    "proposing_organization_id",
)


def _rows(qs: QuerySet[Proposal], *, cursor: str | None, limit: int | None) -> Page:
    """A page of ``qs`` as ``.values()`` rows (docs/architecture.md, "Fast lists"): one query,
    the to-one names through joins."""
    rows = qs.select_related(None).values(*PROPOSAL_ROW_FIELDS)
    return keyset_paginate(rows, ordering=("-id",), cursor=cursor, limit=limit)


def proposal_rows_for(
    *,
    actor,
    status: str = "",
    year: int | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """``proposal_list_for`` as ``.values()`` rows of ``PROPOSAL_ROW_FIELDS``."""
    qs = proposal_search_for(actor=actor, status=status, year=year, search=search)
    return _rows(qs, cursor=cursor, limit=limit)


def annual_plan_rows(
    *,
    year: int | None = None,
    unit_id: int | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """``annual_plan`` as ``.values()`` rows of ``PROPOSAL_ROW_FIELDS``."""
    qs = annual_plan_search(year=year, unit_id=unit_id, search=search)
    return _rows(qs, cursor=cursor, limit=limit)


def annual_plan(
    *,
    year: int | None = None,
    unit_id: int | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Approved projects (the annual plan, 年度计划): public."""
    qs = annual_plan_search(year=year, unit_id=unit_id, search=search)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def annual_plan_search(
    *, year: int | None = None, unit_id: int | None = None, search: str = ""
) -> QuerySet[Proposal]:
    """Approved projects filtered as the plan filters them (unordered, unpaginated: the plan
    pages it, the download streams it)."""
    qs = _base().public()
    if year:
        qs = qs.filter(year=year)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if search.strip():
        qs = searched(qs, text_match(search, "title"))
    return qs


def annual_totals() -> list[dict[str, Any]]:
    """Projects approved and funds per year: one query over the plan totals table
    (``projects/totals.py``), never over the proposals."""
    from .models import PlanDimension
    from .totals import plan_totals_for

    return [
        {
            "year": r.year,
            "count": r.count,
            "total": r.total,
            "total_wan": (r.total / Decimal(10000)).quantize(Decimal("0.1")),
        }
        for r in plan_totals_for(PlanDimension.YEAR)
    ]


def proposal_get_for(*, actor, proposal_id: int) -> Proposal:
    proposal = (
        _base()
        .select_related("lead_organization", "packaged_into")
        .prefetch_related(
            "funding",
            "needs",
            "menu_items",
            Prefetch(
                "packaged_parts",
                queryset=Proposal.objects.select_related("proposing_organization").order_by("id"),
            ),
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound(_("找不到该项目。"))
    if not proposal.is_public:
        require(actor, Perm.PROJECTS_VIEW, proposal)
    return proposal


REVIEWERS = (Role.COMMITTEE_MEMBER, Role.PLATFORM_ADMIN, Role.AUDITOR)


def proposal_history(proposal: Proposal, *, actor) -> list[AuditEvent]:
    """Who did what, for those who work on the proposal: its owners see its steps; the
    committee, platform admin and auditors also see votes and recusals (which stay inside
    the committee). The public sees none of it."""
    from .permissions import owns_proposal

    if not actor.is_authenticated:
        return []
    reviewer = actor.has_role(*REVIEWERS)
    if not (reviewer or owns_proposal(actor, proposal)):
        return []
    qs = AuditEvent.objects.filter(target_type="projects.proposal", target_id=str(proposal.pk))
    if not reviewer:
        qs = qs.exclude(kind__in=["vote.cast", "recusal.recorded"])
    events = list(qs.order_by("seq")[:500])
    labels = dict(ProposalAction.choices)
    for event in events:
        action = (event.new or {}).get("action", "")
        event.action_label = labels.get(action, "")
    return events


def budget_usage(*, unit, year: int) -> dict[str, Any]:
    ceiling = BudgetCeiling.objects.filter(unit=unit, year=year).first()
    used = approved_total(unit=unit, year=year)
    return {
        "unit": unit,
        "year": year,
        "ceiling": ceiling.amount if ceiling else None,
        "approved": used,
        "remaining": (ceiling.amount - used) if ceiling else None,
    }


def ceilings_list(
    *, year: int | None = None, cursor: str | None = None, limit: int | None = None
) -> Page:
    """A page of ceilings with what is approved against each (two queries)."""
    qs = BudgetCeiling.objects.select_related("unit")
    if year:
        qs = qs.filter(year=year)
    page = keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)
    keys = Q()
    for c in page.items:
        keys |= Q(unit_id=c.unit_id, year=c.year)
    approved = {}
    if page.items:
        approved = {
            (r["unit_id"], r["year"]): r["s"]
            for r in Proposal.objects.filter(keys, status=ProposalStatus.APPROVED)
            .values("unit_id", "year")
            .annotate(s=Sum("budget"))
        }
    rows = []
    for c in page.items:
        used = approved.get((c.unit_id, c.year)) or Decimal("0.00")
        rows.append({"ceiling": c, "approved": used, "remaining": c.amount - used})
    page.items = rows
    return page


def _require_reviewer(actor) -> None:
    require(actor, Perm.PROJECTS_VIEW)
    if not actor.has_role(*REVIEWERS):
        from caidan.common.errors import PermissionDenied

        raise PermissionDenied(_("只有审定委员会委员、平台管理员和审计可以查看审定会议。"))


def session_list(*, actor, cursor: str | None = None, limit: int | None = None) -> Page:
    _require_reviewer(actor)
    qs = ReviewSession.objects.select_related("unit").annotate(items=Count("agenda"))
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def session_get_for(*, actor, session_id: int) -> ReviewSession:
    _require_reviewer(actor)
    session = ReviewSession.objects.select_related("unit").filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("找不到该审定会议。"))
    return session


def session_agenda(session: ReviewSession, *, actor) -> list[dict[str, Any]]:
    """The agenda with tallies, from three queries however long it is."""
    from django.db.models import Prefetch

    from .models import Recusal, ReviewVote
    from .services.review import tally_from

    members = session.members.count()
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("proposal", "proposal__unit")
        .prefetch_related(
            Prefetch(
                "votes", queryset=ReviewVote.objects.only("id", "item_id", "member_id", "choice")
            ),
            Prefetch("recusals", queryset=Recusal.objects.select_related("member")),
        )
        .order_by("position", "id")
    )
    out = []
    uid = actor.user.pk if actor.user else None
    for item in items:
        votes, recusals = list(item.votes.all()), list(item.recusals.all())
        t = tally_from([v.choice for v in votes], members=members, recused=len(recusals))
        out.append(
            {
                "item": item,
                "tally": t,
                "quorum": quorum_needed(session, t["eligible"]) if t["eligible"] > 0 else 0,
                "my_vote": next((v for v in votes if v.member_id == uid), None),
                "my_recusal": next((r for r in recusals if r.member_id == uid), None),
                "recusals": recusals,
            }
        )
    return out


def agenda_item_get_for(*, actor, item_id: int) -> AgendaItem:
    item = AgendaItem.objects.select_related("session", "proposal").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("找不到该议程。"))
    session_get_for(actor=actor, session_id=item.session_id)
    return item


# --- hub bundles (issue 21) ----------------------------------------------------------------------

# A member's proposal the hub may take into a bundle (the packaging transition's sources).
BUNDLEABLE = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED)


def hub_of(actor):
    """The hub organization the actor acts for (its role's organization), checked."""
    require(actor, Perm.PROJECTS_PACKAGE)
    hub = actor.organization
    if hub is None or not hub.is_hub:
        raise field_error("hub", _("当前角色不属于任何枢纽型社会组织。"))
    require(actor, Perm.PROJECTS_PACKAGE, hub)
    return hub


def hub_members(hub) -> list:
    """The hub's member groups (所联系的社会组织), by name, each with ``open_proposals``:
    how many of its proposals the hub may bundle now."""
    from caidan.orgs.models import Organization

    return list(
        Organization.objects.filter(hub=hub)
        .annotate(
            open_proposals=Count("proposals_made", filter=Q(proposals_made__status__in=BUNDLEABLE))
        )
        .order_by("name", "id")[:500]
    )


def hub_member_proposals(hub) -> QuerySet[Proposal]:
    """The member groups' proposals the hub may bundle, newest first, with their group."""
    return (
        Proposal.objects.filter(proposing_organization__hub=hub, status__in=BUNDLEABLE)
        .select_related("proposing_organization", "unit")
        .order_by("-id")
    )


def hub_bundles(hub) -> list[Proposal]:
    """The bundles the hub leads, newest first, each with its parts prefetched."""
    return list(
        Proposal.objects.filter(lead_organization=hub)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "packaged_parts",
                queryset=Proposal.objects.select_related("proposing_organization").order_by("id"),
            )
        )
        .order_by("-id")[:100]
    )
