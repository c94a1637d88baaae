"""Reads for the expert panel and its score sheets (DOMAIN.md §3.4, §4.4).

Score sheets are private: an expert sees only its own sheet until every member of the
committee has submitted, then all of them; the purchaser (and the platform's overseers)
see the sheets only once the tender has an evaluation result.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role, Unit, User
from caidan.accounts.permissions import can, require
from caidan.common.actor import Actor
from caidan.common.errors import NotFound, PermissionDenied
from caidan.common.perms import Perm
from caidan.procurement.codes import Code

from . import permissions  # noqa: F401 - registers the rules
from .models import (
    Expert,
    ExpertDraw,
    MemberStatus,
    PanelMember,
    ScoreCorrection,
    ScoreSheet,
    Tender,
    TenderStatus,
)

SEATED = (MemberStatus.DRAWN, MemberStatus.ACTIVE)  # on the committee (declared or not)


def panel_for(tender: Tender) -> QuerySet[PanelMember]:
    """Every panel row of the tender (members, reserves, recused, voided) by draw position."""
    return (
        PanelMember.objects.filter(tender=tender)
        .select_related("expert", "expert__user", "draw", "replaced_by")
        .order_by("position")
    )


def panel_complete(tender: Tender) -> bool:
    """Whether the committee is full, has declared, and every member has submitted:
    ``committee_size`` active members, none still to declare, each with a submitted,
    non-voided sheet."""
    seated = list(
        PanelMember.objects.filter(tender=tender, status__in=SEATED).values_list("status", "pk")
    )
    active = [pk for status, pk in seated if status == MemberStatus.ACTIVE]
    if not tender.committee_size or len(seated) != len(active):
        return False
    if len(active) != tender.committee_size:
        return False
    submitted = ScoreSheet.objects.filter(
        member_id__in=active, submitted_at__isnull=False, voided=False
    ).count()
    return submitted == len(active)


def visible_sheets(tender: Tender, actor: Actor) -> QuerySet[ScoreSheet]:
    """The score sheets of ``tender`` this actor may read (possibly none).

    * An expert on the panel: its own sheet; every sheet once the whole committee has
      submitted (``panel_complete``).
    * The purchaser managing the tender, platform admins and auditors: every sheet, but only
      once the tender has an evaluation result (``tender.result``), never while experts
      are still scoring.
    * Anyone else: none.
    """
    sheets = (
        ScoreSheet.objects.filter(tender=tender)
        .select_related("member", "member__expert")
        .order_by("member__position")
    )
    user = getattr(actor, "user", None)
    if user is None and getattr(actor, "via", "") != "system":
        return sheets.none()
    if actor.has_role(Role.EXPERT):
        own = sheets.filter(member__expert__user=user)
        if not own.exists():
            return sheets.none()
        return sheets if panel_complete(tender) else own
    if (
        getattr(actor, "via", "") == "system"
        or can(actor, Perm.PROCUREMENT_MANAGE, tender)
        or can(actor, Perm.PROCUREMENT_OVERSEE, tender)
    ):
        return sheets if tender.result is not None else sheets.none()
    return sheets.none()


def corrections_of(sheet: ScoreSheet | None) -> list[ScoreCorrection]:
    """The corrections of one score sheet (87号令 §64), oldest first, with the bidders."""
    if sheet is None:
        return []
    return list(sheet.corrections.select_related("bid__organization").order_by("id"))


def expert_tenders(user) -> QuerySet[Tender]:
    """Tenders this person is drawn for (as a member still to declare, or an active one),
    newest first; ordered on the primary key so it can be keyset-paginated."""
    if user is None:
        return Tender.objects.none()
    ids = PanelMember.objects.filter(expert__user=user, status__in=SEATED).values("tender_id")
    return Tender.objects.filter(pk__in=ids).select_related("unit").order_by("-id")


def seats_of(user, tenders) -> dict[int, PanelMember]:
    """This person's seat (drawn or active) on each of ``tenders``, by tender id. One query;
    an expert holds at most one row per tender (the draw never picks anyone twice)."""
    if user is None:
        return {}
    return {
        m.tender_id: m
        for m in PanelMember.objects.filter(
            expert__user=user, tender_id__in=[t.pk for t in tenders], status__in=SEATED
        )
    }


def submission_times(tender: Tender) -> dict[int, Any]:
    """When each member submitted its (not voided) score sheet, by member id; ``None`` for a
    draft. Times only — never the scores, so the purchaser may see progress while experts
    are still scoring."""
    return dict(
        ScoreSheet.objects.filter(tender=tender, voided=False).values_list(
            "member_id", "submitted_at"
        )
    )


def expert_pool(
    *, search: str = "", active: bool | None = None, with_ties: bool = False
) -> QuerySet[Expert]:
    """The expert pool (active and retired, or only one of them with ``active``), with the
    login and the government unit (and the ties, ``with_ties``), for listing; ``search``
    matches the name. Unordered: the caller paginates."""
    qs = Expert.objects.select_related("user", "employer_unit")
    if with_ties:
        qs = qs.prefetch_related("ties__organization")
    if search.strip():
        qs = qs.filter(name__icontains=search.strip())
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def expert_get(expert_id: int) -> Expert:
    """One expert of the pool with its ties (NotFound otherwise). Callers check
    ``manage_experts``."""
    expert = (
        Expert.objects.select_related("user", "employer_unit")
        .prefetch_related("ties__organization")
        .filter(pk=expert_id)
        .first()
    )
    if expert is None:
        raise NotFound(_("专家不存在。"))
    return expert


def expert_ties(expert: Expert) -> QuerySet:
    return expert.ties.select_related("organization").order_by("id")


def expert_panels(expert: Expert, *, limit: int = 50) -> list[PanelMember]:
    """The expert's latest panel rows, with their tenders."""
    return list(expert.panels.select_related("tender").order_by("-id")[:limit])


def employer_units() -> QuerySet:
    """Government units an expert may work at (streets and departments, not the district)."""
    return Unit.objects.exclude(kind="district").order_by("path")


def unit_by_id(unit_id: int | None):
    return None if unit_id is None else Unit.objects.filter(pk=unit_id).first()


def user_by_id(user_id: int | None):
    return None if user_id is None else User.objects.filter(pk=user_id).first()


def user_by_username(username: str):
    return User.objects.filter(username=username.strip()).first()


# --- one panel seat and its sheet --------------------------------------------------------------


def panel_member_get(member_id: int) -> PanelMember:
    """One panel row with its tender and expert (NotFound otherwise). The services (and
    ``own_seat``) check who may act on it."""
    member = (
        PanelMember.objects.select_related("tender", "tender__unit", "expert", "draw")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound(_("评审委员会成员不存在。"))
    return member


def own_seat(actor: Actor, member: PanelMember) -> PanelMember:
    """``member`` when ``actor`` is the expert holding the seat (and on the tender's panel)."""
    require(actor, Perm.PROCUREMENT_SCORE, member.tender)
    if member.expert.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied(_("只能查看本人的评分表。"), code=Code.NOT_OWN_SEAT)
    return member


def seat_on(actor: Actor, tender: Tender) -> PanelMember:
    """The seat (drawn or active) ``actor`` holds on ``tender``'s panel."""
    require(actor, Perm.PROCUREMENT_SCORE, tender)
    seat = next(
        (m for m in panel_for(tender) if m.expert.user_id == actor.user.pk and m.status in SEATED),
        None,
    )
    if seat is None:
        raise PermissionDenied(_("您不是本项目的评审专家。"))
    return seat


def panel_member_of(tender: Tender, member_id: int) -> PanelMember:
    """A row of ``tender``'s panel by id (NotFound when it is not one of them)."""
    member = next((m for m in panel_for(tender) if m.pk == member_id), None)
    if member is None:
        raise NotFound(_("评审委员会成员不存在。"))
    return member


def sheet_of(member: PanelMember) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(member=member).first()


def sheets_of(members) -> dict[int, ScoreSheet]:
    """The score sheet of each of ``members``, by member id."""
    return {s.member_id: s for s in ScoreSheet.objects.filter(member__in=list(members))}


def draws_of(tender: Tender) -> list[ExpertDraw]:
    """The tender's recorded draws, oldest first, with who drew them."""
    return list(ExpertDraw.objects.filter(tender=tender).select_related("drawn_by").order_by("id"))


# --- the published draw ---------------------------------------------------------------------


def draw_published(tender: Tender) -> bool:
    """Whether the tender's draw record (seed included) is public: once an award notice has
    been published (it stays public if the award is later revoked)."""
    if tender.status in (TenderStatus.AWARDED, TenderStatus.CONCLUDED):
        return True
    return tender.awards.filter(notice_published_at__isnull=False).exists()


def draw_record(tender: Tender) -> dict[str, Any]:
    """The tender's expert draw for everyone (DOMAIN §4.7; 财库〔2016〕198号).

    Before the award notice only the commitment to the seed (SHA-256, fixed at
    publication) is shown. After it: the seed, every draw with its candidates (pool
    numbers), exclusions (pool number and the names of the recusal rules, no private
    details), the drawn order, and the result of re-running it (``draw_check``)."""
    from .draw_check import verify_record
    from .services.experts import RECUSAL_RULES

    published = draw_published(tender)
    record: dict[str, Any] = {
        "tender_id": tender.pk,
        "commitment": tender.draw_commitment,
        "commitment_algorithm": "sha256",
        "published": published,
        "seed": tender.draw_seed if published else None,
        "draws": [],
        "verification": None,
    }
    if not published:
        return record
    for index, draw in enumerate(ExpertDraw.objects.filter(tender=tender).order_by("id")):
        exclusions = []
        for row in draw.exclusions or []:
            rules = list(row.get("rules") or ["recusal"])
            exclusions.append(
                {
                    "expert": int(row["expert"]),
                    "rules": rules,
                    "rule_labels": [RECUSAL_RULES.get(r, r) for r in rules],
                }
            )
        record["draws"].append(
            {
                "index": index,
                "seed": draw.seed,
                "algorithm": draw.algorithm,
                "size": draw.size,
                "reserves": draw.reserves,
                "candidates": [int(c) for c in draw.candidates or []],
                "exclusions": exclusions,
                "drawn": [int(c) for c in draw.drawn or []],
                "drawn_at": draw.drawn_at.isoformat(),
            }
        )
    record["verification"] = verify_record(record)
    return record
