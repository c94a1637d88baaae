"""Reads for procurement: lists by role (keyset-paginated), a tender's public record (the
announcement, amendments, answered questions, the opening record, the award notice with
the evaluation data), a bidder's own bids, and the tender's history."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import can, require
from caidan.audit.models import AuditEvent
from caidan.audit.selectors import audit_withhold
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import searched, text_match

from . import permissions  # noqa: F401 - registers the rules
from .methods import committee_needed
from .models import (
    Amendment,
    Award,
    AwardStatus,
    Bid,
    BidStatus,
    Challenge,
    Method,
    PanelMember,
    Tender,
    TenderStatus,
    lot_label,
)
from .secrecy import COUNT_KINDS, sealed

OPENED = frozenset(
    {TenderStatus.EVALUATING, TenderStatus.EVALUATED, TenderStatus.AWARDED, TenderStatus.CONCLUDED}
)


def _base() -> QuerySet[Tender]:
    return Tender.objects.select_related("unit", "proposal", "invited_organization")


def _filter(qs: QuerySet[Tender], *, status: str, method: str, search: str, unit=None):
    if status:
        if status not in TenderStatus.values:
            raise field_error("status", _("状态“%(status)s”无效。") % {"status": status})
        qs = qs.filter(status=status)
    if method:
        if method not in Method.values:
            raise field_error("method", _("采购方式“%(method)s”无效。") % {"method": method})
        qs = qs.filter(method=method)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    search = (search or "").strip()
    if search:
        qs = searched(qs, text_match(search, "title") | Q(reference=search.upper()))
    return qs


def tender_list_public(
    *,
    status: str = "",
    method: str = "",
    search: str = "",
    unit=None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Everything published, for everyone (no login)."""
    qs = tender_search_public(status=status, method=method, search=search, unit=unit)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def tender_search_public(
    *, status: str = "", method: str = "", search: str = "", unit=None
) -> QuerySet[Tender]:
    """Public tenders filtered as the public list filters them (unordered, unpaginated: the
    list pages it, the download streams it)."""
    return _filter(_base().public(), status=status, method=method, search=search, unit=unit)


def tender_list_for(
    *,
    actor,
    status: str = "",
    method: str = "",
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """A purchaser's own unit's tenders, drafts included; everyone else the public ones
    (organizations also those they are invited to)."""
    qs = tender_search_for(actor=actor, status=status, method=method, search=search)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def tender_search_for(
    *, actor, status: str = "", method: str = "", search: str = ""
) -> QuerySet[Tender]:
    """The tenders ``tender_list_for`` lists, filtered (unordered, unpaginated)."""
    if actor.has_role(Role.PURCHASER):
        qs = _base().filter(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR):
        qs = _base().public() | _base().filter(status=TenderStatus.DRAFT)
    else:
        qs = _base().public()
    return _filter(qs, status=status, method=method, search=search)


#: The columns the list shows (``TenderOut``): the tender's own and its unit's name.
TENDER_ROW_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "method",
    "unit_id",
    "unit__name",
    "budget",
    "bid_security",
    "published_at",
    "deadline",
    "opened_at",
    "has_lots",  # for the phase (``models.tender_phase``)
)


def tender_rows(
    *,
    actor=None,
    status: str = "",
    method: str = "",
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """``tender_list_for`` (``tender_list_public`` without an actor) as ``.values()`` rows of
    the columns the list shows: one query, no model instances (docs/architecture.md, "Fast
    lists")."""
    if actor is None:
        qs = tender_search_public(status=status, method=method, search=search)
    else:
        qs = tender_search_for(actor=actor, status=status, method=method, search=search)
    qs = qs.select_related(None).values(*TENDER_ROW_FIELDS)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def tender_get_for(*, actor, tender_id: Any) -> Tender:
    """One tender as ``actor`` may see it: public once published, a draft only to those who
    may manage or oversee it (NotFound otherwise, so ids reveal nothing)."""
    try:
        tender = _base().get(pk=int(tender_id))
    except (Tender.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("采购项目不存在。")) from None
    if not tender.is_public and not can(actor, Perm.PROCUREMENT_VIEW, tender):
        raise NotFound(_("采购项目不存在。"))
    return tender


def tender_get(*, pk: Any, actor) -> Tender:
    """``tender_get_for`` under its older name (other apps' callers)."""
    return tender_get_for(actor=actor, tender_id=pk)


def clarifications_public(tender: Tender) -> list:
    """Answered questions, without the asker."""
    return list(tender.clarifications.filter(answered_at__isnull=False).order_by("id"))


def clarifications_for_purchaser(tender: Tender, actor) -> list:
    """The questions to answer. Each has ``asker``: the asking organization once the
    tender is opened, None before — no one, the purchaser included, learns who asked
    before opening (招标投标法 §22; ``secrecy``)."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    items = list(tender.clarifications.select_related("asked_by").order_by("answered_at", "id"))
    hidden = sealed(tender)
    for c in items:
        c.asker = None if hidden else c.asked_by
    return items


def clarifications_of(tender: Tender, organization) -> list:
    """The questions ``organization`` asked about ``tender`` (only it sees them as its own)."""
    if organization is None:
        return []
    return list(tender.clarifications.filter(asked_by=organization).order_by("id"))


def clarification_asker(c, actor):
    """The asker of one question as ``actor`` may see it: the asking organization itself
    always; anyone else only after the tender is opened."""
    own = actor is not None and getattr(actor, "organization", None) is not None
    if own and actor.organization.pk == c.asked_by_id:
        return c.asked_by
    return None if sealed(c.tender) else c.asked_by


def opening_record(tender: Tender) -> list[Bid]:
    """Who bid, at what price, valid or not (and why): public once opened, empty before."""
    if tender.opened_at is None:
        return []
    return list(
        Bid.objects.public()
        .filter(tender=tender)
        .select_related("organization")
        .order_by("rank", "price", "id")
    )


def bids_of(*, actor, organization, tender: Tender | None = None) -> list[Bid]:
    """An organization's own bids: status, time and receipt (never the sealed content)."""
    require(actor, Perm.PROCUREMENT_BID, organization)
    qs = Bid.objects.filter(organization=organization).select_related("tender", "tender__unit")
    if tender is not None:
        qs = qs.filter(tender=tender)
    return list(qs.order_by("-id")[:200])


def panel_public(tender: Tender) -> list[PanelMember]:
    """The experts who evaluated (their names are published with the award)."""
    return list(
        PanelMember.objects.filter(tender=tender, status__in=["active", "voided"])
        .select_related("expert")
        .order_by("position")
    )


def current_award(tender: Tender) -> Award | None:
    return (
        Award.objects.filter(tender=tender, status=AwardStatus.CONFIRMED)
        .select_related("bid__organization")
        .first()
    )


def award_notice(tender: Tender) -> dict[str, Any] | None:
    """The award notice (中标公告): winner, amount, ranking with scores, the experts' names,
    dates and the evaluation data as JSON for ``score_check``. None before an award."""
    award = current_award(tender)
    history = list(
        Award.objects.filter(tender=tender)
        .exclude(status=AwardStatus.CONFIRMED)
        .select_related("bid__organization")
    )
    if award is None and not history:
        return None
    from .services.lots import cap_sentence, lot_cap, skipped_sentence

    cap = lot_cap(tender)
    return {
        "lot_rule": cap_sentence(cap),
        "cap_notes": [skipped_sentence(row, cap) for row in award.cap_skipped]
        if award is not None and cap
        else [],
        "award": award,
        "ended_awards": history,
        "ranking": [b for b in opening_record(tender) if b.rank is not None],
        "invalid": [b for b in opening_record(tender) if b.status == BidStatus.INVALID],
        "experts": panel_public(tender) if committee_needed(tender) else [],
        "evaluation": evaluation_data(tender),
    }


def evaluation_data(tender: Tender) -> dict[str, Any] | None:
    """The input of the evaluation (the ``score_check`` format), public after the award."""
    if not tender.result or tender.status not in (TenderStatus.AWARDED, TenderStatus.CONCLUDED):
        return None
    return tender.result.get("input")


def challenges_for(tender: Tender, actor) -> list[Challenge]:
    """The purchaser, admin and auditors see every challenge; a bidder its own; the public
    the answered ones (without grounds of pending ones)."""
    qs = Challenge.objects.filter(tender=tender).select_related("organization").order_by("id")
    if can(actor, Perm.PROCUREMENT_MANAGE, tender) or can(actor, Perm.PROCUREMENT_OVERSEE):
        return list(qs)
    if actor.organization is not None:
        return list(qs.filter(Q(organization=actor.organization) | Q(status="answered")))
    return list(qs.filter(status="answered"))


def tender_history(tender: Tender, *, actor) -> list[AuditEvent]:
    """Who did what: for the purchaser, the platform admin and auditors. Before opening,
    bid events are left out (even their number is secret) and the askers of questions
    and requesters of recusals are withheld (``secrecy``)."""
    if not (can(actor, Perm.PROCUREMENT_MANAGE, tender) or can(actor, Perm.PROCUREMENT_OVERSEE)):
        return []
    qs = AuditEvent.objects.filter(target_type="procurement.tender", target_id=str(tender.pk))
    if sealed(tender):
        qs = qs.exclude(kind__in=list(COUNT_KINDS))
    return audit_withhold(qs.select_related("actor").order_by("seq")[:500])


def eligible_proposals(actor) -> QuerySet:
    """Approved projects of the purchaser's units with no live tender (to start one)."""
    from caidan.projects.models import Proposal

    from .services.tenders import LIVE

    if not actor.has_role(Role.PURCHASER):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(status="approved", unit__path__startswith=actor.unit.path)
        .exclude(tenders__status__in=LIVE)
        .select_related("unit")
        .order_by("-id")
    )


def eligible_proposal_get_for(*, actor, proposal_id: int):
    """One of ``eligible_proposals`` (NotFound otherwise)."""
    proposal = eligible_proposals(actor).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("该项目不存在、尚未立项，或已有进行中的采购。"))
    return proposal


# --- one object for an edge (API handler or view) ---------------------------------------------


def amendments_of(tender: Tender) -> list:
    """The 澄清修改公告 published where the notice is (实施条例 §31), in the order published,
    in one query however many lots. A tender in lots has one notice and one deadline
    (docs/procurement.md, "Lots"): its page lists its own amendments and every lot's; a lot's
    page lists the tender's, its own, and those of other lots that moved the deadline (which
    is also its deadline). An amendment to a lot names it (``lot_number``, ``lot_label``,
    "第 1 包"); one to the tender itself has neither."""
    if tender.has_lots:
        on = Q(tender=tender) | Q(tender__parent=tender)
    elif tender.parent_id:
        moved = ~Q(new_deadline=F("old_deadline"))
        on = (
            Q(tender=tender.parent_id)
            | Q(tender=tender)
            | (Q(tender__parent=tender.parent_id) & moved)
        )
    else:
        on = Q(tender=tender)
    rows = list(
        Amendment.objects.filter(on)
        .annotate(lot_number=F("tender__lot_number"))
        .order_by("created_at", "id")
    )
    for a in rows:
        a.lot_label = lot_label(a.lot_number)
    return rows


def unanswered_count(tender: Tender) -> int:
    """How many questions await the purchaser's answer (for the purchaser's badge)."""
    return sum(1 for c in tender.clarifications.all() if not c.answered_at)


def has_award_notice(tender: Tender) -> bool:
    """Whether an award notice exists (a confirmed award, or one that ended)."""
    return tender.awards.exists()


def clarification_get(clarification_id: int):
    """One question with its tender (NotFound otherwise). The services check who may
    answer it."""
    from .models import Clarification

    c = (
        Clarification.objects.select_related("tender", "tender__unit", "asked_by")
        .filter(pk=clarification_id)
        .first()
    )
    if c is None:
        raise NotFound(_("答疑问题不存在。"))
    return c


def bid_by_receipt(tender: Tender, receipt: str) -> Bid | None:
    """The opened bid of ``tender`` with this receipt (None before opening or when none)."""
    if tender.opened_at is None:
        return None
    return (
        Bid.objects.filter(
            tender=tender, receipt=receipt, status__in=[BidStatus.VALID, BidStatus.INVALID]
        )
        .select_related("organization")
        .first()
    )


def bid_of_tender(tender: Tender, bid_id: int) -> Bid | None:
    """A bid of ``tender`` by id, with its organization (None when it is not one of them)."""
    return Bid.objects.select_related("organization").filter(pk=bid_id, tender=tender).first()


def bid_get(bid_id: int) -> Bid | None:
    """Any bid by id, with its organization and tender (the services check the rest)."""
    return (
        Bid.objects.select_related("organization", "tender", "tender__unit")
        .filter(pk=bid_id)
        .first()
    )


def award_get(award_id: int) -> Award:
    """One award with its tender and winning bid (NotFound otherwise)."""
    award = (
        Award.objects.select_related("tender", "tender__unit", "bid__organization")
        .filter(pk=award_id)
        .first()
    )
    if award is None:
        raise NotFound(_("中标结果不存在。"))
    return award


def challenge_get(challenge_id: int) -> Challenge:
    """One challenge with its tender and organization (NotFound otherwise)."""
    c = (
        Challenge.objects.select_related("tender", "tender__unit", "organization")
        .filter(pk=challenge_id)
        .first()
    )
    if c is None:
        raise NotFound(_("质疑不存在。"))
    return c


def _own(qs: QuerySet, actor, message: str, *, via: str = "organization"):
    """One of the acting organization's own objects (``via`` the lookup to it); NotFound for
    anyone else's, so ids of other organizations' bids reveal nothing."""
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    obj = qs.filter(**{via: actor.organization}).first()
    if obj is None:
        raise NotFound(message)
    return obj


def own_bid_get_for(*, actor, bid_id: int) -> Bid:
    """A bid of the actor's organization."""
    qs = Bid.objects.select_related("organization", "tender__unit").filter(pk=bid_id)
    return _own(qs, actor, "投标不存在。")


def own_award_get_for(*, actor, award_id: int) -> Award:
    """An award won by the actor's organization."""
    qs = Award.objects.select_related("tender", "bid__organization").filter(pk=award_id)
    return _own(qs, actor, "中标结果不存在。", via="bid__organization")


def own_challenge_get_for(*, actor, challenge_id: int) -> Challenge:
    """A challenge the actor's organization filed."""
    qs = Challenge.objects.select_related("tender", "organization").filter(pk=challenge_id)
    return _own(qs, actor, "质疑不存在。")


def proposal_for_tender(proposal_id: int):
    """The project a new tender is for (None when there is none); ``tender_create`` checks
    that it is approved and the purchaser's."""
    from caidan.projects.models import Proposal

    return Proposal.objects.select_related("unit").filter(pk=proposal_id).first()


def organization_by_id(organization_id: int | None):
    """A registered organization by id (None when there is none)."""
    from caidan.orgs.models import Organization

    if organization_id is None:
        return None
    return Organization.objects.filter(pk=organization_id).first()


def organizations_for_choice() -> QuerySet:
    """Active organizations by name, for a form's choice (invited bidder, expert ties)."""
    from caidan.orgs.models import Organization

    return Organization.objects.filter(status="active").only("pk", "name").order_by("name")
