"""An expert's score sheet: read it (bids, own scores, the others' once all submitted), save
scores or the compliance review, submit, and correct a submitted score (87号令 §64)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.common.errors import field_error
from caidan.common.schemas import ERRORS, AsSeen, money_str, renamed_fields

from .. import selectors, selectors_experts, services
from ..inputs import ScoreCorrectionInput, SheetScoresInput, SheetVerdictsInput
from ..methods import compliance_only
from ..models import MemberStatus, PanelMember
from ..services.ranking import scorable_bids
from .routing import router
from .schemas import FactorOut, MemberOut, TenderOut


# Read from ``AsSeen(bid, show=…)``: the content only when ``show``.
class SheetBidOut(Schema):
    bid_id: int
    organization_name: str
    price: str | None
    plan: str | None
    team: str | None

    @staticmethod
    def resolve_bid_id(b) -> int:
        return b.pk

    @staticmethod
    def resolve_organization_name(b) -> str:
        return b.organization.name

    @staticmethod
    def resolve_price(b) -> str | None:
        return money_str(b.price) if b.show else None

    @staticmethod
    def resolve_plan(b) -> str | None:
        return (b.content or {}).get("plan", "") if b.show else None

    @staticmethod
    def resolve_team(b) -> str | None:
        return (b.content or {}).get("team", "") if b.show else None


class CorrectionOut(Schema):
    id: int
    bid_id: int
    factor: str
    old_value: str
    new_value: str
    reason: str
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_old_value(c) -> str:
        return str(c.old_value)

    @staticmethod
    def resolve_new_value(c) -> str:
        return str(c.new_value)


# Another member's sheet (once the reader may see it).
class OtherSheetOut(Schema):
    member_id: int
    expert_name: str
    scores: dict[str, dict[str, str]]
    verdicts: dict[str, dict[str, Any]] = {}
    submitted_at: dt.datetime | None
    voided: bool

    @staticmethod
    def resolve_expert_name(s) -> str:
        return s.member.expert.name


# Read from ``_sheet_seen``: the member's own sheet. Bid content only to an active
# (declared) member, after opening; bidder names (needed to declare conflicts) to a drawn
# member too.
class SheetOut(Schema):
    member: MemberOut
    tender: TenderOut
    price_points: str
    factors: list[FactorOut]
    bids: list[SheetBidOut]
    scores: dict[str, dict[str, str]]
    compliance_only: bool
    verdicts: dict[str, dict[str, Any]]
    submitted_at: dt.datetime | None
    voided: bool
    corrections: list[CorrectionOut]
    sheets: list[OtherSheetOut]


def _sheet_seen(member: PanelMember, actor) -> dict:
    tender = member.tender
    opened = tender.opened_at is not None
    show = member.status == MemberStatus.ACTIVE and opened
    sheet = selectors_experts.sheet_of(member)
    visible = selectors_experts.visible_sheets(tender, actor)
    return {
        "member": member,
        "tender": tender,
        "price_points": str(tender.price_points),
        "factors": list(tender.factors or []),
        "bids": [AsSeen(b, show=show) for b in (scorable_bids(tender) if opened else [])],
        "scores": sheet.scores if sheet else {},
        "compliance_only": compliance_only(tender),
        "verdicts": sheet.verdicts if sheet else {},
        "submitted_at": sheet.submitted_at if sheet else None,
        "voided": sheet.voided if sheet else False,
        "corrections": selectors_experts.corrections_of(sheet),
        "sheets": [s for s in visible if s.member_id != member.pk],
    }


@router.get("/panel/{member_id}/sheet", response={200: SheetOut, **ERRORS}, summary="本人的评分表")
def get_sheet(request, member_id: int):
    actor = request.auth
    member = selectors_experts.own_seat(actor, selectors_experts.panel_member_get(member_id))
    return _sheet_seen(member, actor)


class ScoresIn(Schema):
    scores: dict[str, dict[str, Any]]  # {bid id: {factor id: points (int or "12.5")}}


@router.put(
    "/panel/{member_id}/sheet", response={200: SheetOut, **ERRORS}, summary="保存评分（草稿）"
)
def save_sheet(request, member_id: int, payload: ScoresIn):
    actor = request.auth
    services.scores_save(
        member=selectors_experts.panel_member_get(member_id),
        data=SheetScoresInput.parse(scores=payload.scores),
        actor=actor,
    )
    return _sheet_seen(selectors_experts.panel_member_get(member_id), actor)


class VerdictsIn(Schema):
    verdicts: dict[str, dict[str, Any]]  # {bid id: {"pass": bool, "reason": "…"}}


@router.put(
    "/panel/{member_id}/verdicts",
    response={200: SheetOut, **ERRORS},
    summary="保存资格性和符合性审查意见（最低评标价法，草稿）",
)
def save_verdicts(request, member_id: int, payload: VerdictsIn):
    actor = request.auth
    services.verdicts_save(
        member=selectors_experts.panel_member_get(member_id),
        data=SheetVerdictsInput.parse(verdicts=payload.verdicts),
        actor=actor,
    )
    return _sheet_seen(selectors_experts.panel_member_get(member_id), actor)


@router.post(
    "/panel/{member_id}/sheet/submit",
    response={200: SheetOut, **ERRORS},
    summary="提交评分（最低评标价法：提交审查意见）",
)
def submit_sheet(request, member_id: int):
    actor = request.auth
    services.scores_submit(member=selectors_experts.panel_member_get(member_id), actor=actor)
    return _sheet_seen(selectors_experts.panel_member_get(member_id), actor)


class CorrectionIn(Schema):
    bid_id: int
    factor: str
    new_value: Any  # an integer or a decimal string
    reason: str
    note: str = ""


@router.post(
    "/panel/{member_id}/corrections",
    response={201: CorrectionOut, **ERRORS},
    summary="更正已提交的评分（87号令 §64 规定情形）",
)
def correct_score(request, member_id: int, payload: CorrectionIn):
    member = selectors_experts.panel_member_get(member_id)
    bid = selectors.bid_get(payload.bid_id)
    if bid is None:
        raise field_error("bid_id", _("投标不存在。"))
    with renamed_fields(bid="bid_id"):
        correction = services.score_correct(
            member=member,
            actor=request.auth,
            data=ScoreCorrectionInput.parse(
                bid=bid,
                factor=payload.factor,
                new_value=payload.new_value,
                reason=payload.reason,
                note=payload.note,
            ),
        )
    return Status(201, correction)
