"""The expert panel: the purchaser draws it (the seed was committed at publication) and
records recusals or voids a conflicted expert's scores; bidders ask for a recusal; the
experts see their seats and declare conflicts; everyone may check the published draw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.permissions import can, require
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import keyset_paginate
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, AsSeen, BulkOut, PageOut, page_response
from caidan.procurement.codes import Code

from .. import selectors_experts, services
from ..models import Tender
from .routing import public_actor, router, tender_for
from .schemas import MemberOut, TenderOut
from .tenders import ReasonIn


# Read from ``AsSeen(draw, seed=…, verified=…)``: the seed only once the award notice
# has published it.
class DrawOut(Schema):
    id: int
    tender_id: int
    seed: str | None
    algorithm: str
    size: int
    reserves: int
    candidates: list[int]
    exclusions: list[dict[str, Any]]
    drawn: list[int]
    drawn_at: dt.datetime
    verified: bool

    @staticmethod
    def resolve_candidates(d) -> list:
        return list(d.candidates or [])

    @staticmethod
    def resolve_exclusions(d) -> list:
        return list(d.exclusions or [])

    @staticmethod
    def resolve_drawn(d) -> list:
        return list(d.drawn or [])


class PanelOut(Schema):
    commitment: str
    draws: list[DrawOut]
    members: list[MemberOut]


def _panel(tender: Tender) -> dict:
    published = selectors_experts.draw_published(tender)
    return {
        "commitment": tender.draw_commitment,
        "draws": [
            AsSeen(
                d,
                seed=d.seed if published else None,
                verified=services.draw_verify(d),
            )
            for d in selectors_experts.draws_of(tender)
        ],
        "members": selectors_experts.panel_for(tender),
    }


class DrawIn(Schema):
    seed: Any = None  # refused: the seed was committed at publication


@router.post(
    "/tenders/{tender_id}/draw", response={201: PanelOut, **ERRORS}, summary="随机抽取评审专家"
)
def draw_panel(request, tender_id: int, payload: DrawIn | None = None):
    actor = request.auth
    if payload is not None and payload.seed is not None:
        raise field_error(
            "seed",
            _(
                "随机种子已在发布采购公告时确定并公开其承诺值，任何人不能指定种子"
                "（财库〔2016〕198号；DOMAIN §4.7）。"
            ),
            code=Code.SEED_NOT_ACCEPTED,
        )
    tender = tender_for(actor, tender_id)
    services.panel_draw(tender=tender, actor=actor)
    return Status(201, _panel(tender))


class DrawExclusionOut(Schema):
    expert: int
    rules: list[str]
    rule_labels: list[str]


class PublicDrawOut(Schema):
    index: int
    seed: str
    algorithm: str
    size: int
    reserves: int
    candidates: list[int]
    exclusions: list[DrawExclusionOut]
    drawn: list[int]
    drawn_at: str


# Read from ``selectors_experts.draw_record``.
class DrawRecordOut(Schema):
    tender_id: int
    commitment: str
    commitment_algorithm: str
    published: bool
    seed: str | None
    draws: list[PublicDrawOut]
    verification: dict[str, Any] | None


@router.get(
    "/tenders/{tender_id}/draw",
    response={200: DrawRecordOut, **ERRORS},
    auth=None,
    summary="专家抽取记录与核验（公开：公告后可见种子承诺值，中标公告后公开种子与抽取过程）",
)
def draw_record(request, tender_id: int):
    tender = tender_for(public_actor(request), tender_id)
    if tender.status == "draft":
        raise NotFound(_("采购项目不存在。"))
    return selectors_experts.draw_record(tender)


@router.get(
    "/tenders/{tender_id}/panel",
    response={200: PanelOut, **ERRORS},
    summary="抽取记录与评审委员会（采购人、平台管理员、审计）",
)
def get_panel(request, tender_id: int):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    if not (can(actor, Perm.PROCUREMENT_MANAGE, tender) or can(actor, Perm.PROCUREMENT_OVERSEE)):
        require(actor, Perm.PROCUREMENT_MANAGE, tender)
    return _panel(tender)


@router.post(
    "/panel/{member_id}/recuse", response={200: MemberOut, **ERRORS}, summary="记录专家回避"
)
def recuse_member(request, member_id: int, payload: ReasonIn):
    return services.panel_recuse(
        member=selectors_experts.panel_member_get(member_id),
        reason=payload.reason,
        actor=request.auth,
    )


@router.post(
    "/panel/{member_id}/void",
    response={200: MemberOut, **ERRORS},
    summary="作废应当回避而未回避的专家的评分（财库〔2016〕198号）",
    description=(
        "已评分的专家与投标人存在应当回避的利害关系时，其评分作废，由备选专家递补并重新评分；"
        "已形成的评审结果随之失效，递补专家提交后重新计算。中标结果确定后不能再作废。"
    ),
)
def void_member(request, member_id: int, payload: ReasonIn):
    return services.panel_void(
        member=selectors_experts.panel_member_get(member_id),
        reason=payload.reason,
        actor=request.auth,
    )


class RecusalRequestIn(Schema):
    reason: str
    expert_name: str = ""


class RecusalRequestOut(Schema):
    tender_id: int
    recorded: bool


@router.post(
    "/tenders/{tender_id}/recusal-requests",
    response={201: RecusalRequestOut, **ERRORS},
    summary="投标人申请评审专家回避（由采购人决定）",
)
def request_recusal(request, tender_id: int, payload: RecusalRequestIn):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    services.recusal_request(
        tender=tender,
        organization=actor.organization,
        expert_name=payload.expert_name,
        reason=payload.reason,
        actor=actor,
    )
    return Status(201, {"tender_id": tender.pk, "recorded": True})


# Read from ``AsSeen(seat, tender=…, sheet_submitted_at=…)``.
class MyPanelOut(Schema):
    member_id: int
    position: int
    status: str
    status_label: str
    declared_at: dt.datetime | None
    sheet_submitted_at: dt.datetime | None
    tender: TenderOut

    @staticmethod
    def resolve_member_id(m) -> int:
        return m.pk

    @staticmethod
    def resolve_status_label(m) -> str:
        return m.get_status_display()


@router.get(
    "/my/panels",
    response={200: PageOut[MyPanelOut], **ERRORS},
    summary="本人被抽取参加的评审",
)
def my_panels(request, cursor: str | None = None, limit: int = 20):
    actor = request.auth
    require(actor, Perm.PROCUREMENT_SCORE)
    page = keyset_paginate(
        selectors_experts.expert_tenders(actor.user), ordering=("-id",), cursor=cursor, limit=limit
    )
    seats = selectors_experts.seats_of(actor.user, page.items)
    sheets = selectors_experts.sheets_of(seats.values())

    def seen(t: Tender) -> AsSeen:
        sheet = sheets.get(seats[t.pk].pk)
        return AsSeen(
            seats[t.pk], tender=t, sheet_submitted_at=sheet.submitted_at if sheet else None
        )

    return page_response(page, seen)


class DeclareIn(Schema):
    no_conflict: bool
    declaration: str = ""


@router.post(
    "/panel/{member_id}/declare",
    response={200: MemberOut, **ERRORS},
    summary="声明与投标人是否存在利害关系",
)
def declare(request, member_id: int, payload: DeclareIn):
    return services.panel_declare(
        member=selectors_experts.panel_member_get(member_id),
        no_conflict=payload.no_conflict,
        declaration=payload.declaration,
        actor=request.auth,
    )


class BulkDrawIn(Schema):
    tender_ids: list[int | str]


@router.post(
    "/bulk/draws",
    response={200: BulkOut, **ERRORS},
    summary="批量抽取评审专家：逐个项目抽取（须为本单位已开标、待评审的项目），逐项返回结果",
)
def bulk_draw(request, payload: BulkDrawIn):
    from caidan.common.bulk import bulk_ids, bulk_summary

    actor = request.auth
    require(actor, Perm.PROCUREMENT_MANAGE)
    ids = bulk_ids(payload.tender_ids, field_name="tender_ids")
    return bulk_summary(services.panels_draw_bulk(ids=ids, actor=actor))
