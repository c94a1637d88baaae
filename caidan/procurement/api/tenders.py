"""Tenders: the public list, the announcement and record, receipts and the evaluation data;
the purchaser's drafting, publication, amendments, cancellation, failure and re-tendering;
the finance bureau's approval of a change of method; the tender's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status
from pydantic import Field

from caidan.accounts.permissions import can, require
from caidan.audit.kinds import EventKind
from caidan.common.errors import NotFound, field_error
from caidan.common.fast_lists import json_page
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, renamed_fields

from .. import selectors, services
from ..inputs import TenderInput
from ..models import BidStatus
from ..services.lots import tender_lot_add, tender_lots_configure
from .routing import aware, organization_ref, public_actor, router, tender_for
from .schemas import (
    AmendmentOut,
    TenderDetailOut,
    TenderOut,
    tender_detail,
    tender_rows_out,
    tender_seen,
)

# --- public reads -------------------------------------------------------------------------------


@router.get(
    "/tenders",
    response={200: PageOut[TenderOut], **ERRORS},
    auth=None,
    summary="采购项目列表（公开；采购人另见本单位草稿）",
)
def list_tenders(
    request,
    status: str = "",
    method: str = "",
    search: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    actor = public_actor(request)
    page = selectors.tender_rows(
        actor=actor if actor.is_authenticated else None,
        status=status,
        method=method,
        search=search,
        cursor=cursor,
        limit=limit,
    )
    return json_page(page, tender_rows_out(page.items))


@router.get(
    "/tenders/{tender_id}",
    response={200: TenderDetailOut, **ERRORS},
    auth=None,
    summary="采购公告与采购记录（公开）",
)
def get_tender(request, tender_id: int):
    actor = public_actor(request)
    return tender_seen(actor, tender_for(actor, tender_id))


@router.get(
    "/tenders/{tender_id}/evaluation.json",
    response={200: dict[str, Any], **ERRORS},
    auth=None,
    summary="评审数据（score_check 输入格式，中标公告后公开）",
)
def evaluation_json(request, tender_id: int):
    tender = tender_for(public_actor(request), tender_id)
    data = selectors.evaluation_data(tender)
    if data is None:
        raise NotFound(_("评审数据在中标结果公告后公开。"))
    return data


class ReceiptCheckOut(Schema):
    tender_id: int
    receipt: str
    matches: bool
    intact: bool
    organization_name: str | None
    submitted_at: dt.datetime | None
    valid: bool | None


@router.get(
    "/tenders/{tender_id}/receipts/{receipt}",
    response={200: ReceiptCheckOut, **ERRORS},
    auth=None,
    summary="核验投标回执（开标后公开）",
)
def check_receipt(request, tender_id: int, receipt: str):
    tender = tender_for(public_actor(request), tender_id)
    if tender.opened_at is None:
        # Before opening nobody learns whether a receipt belongs to a bid of this tender.
        raise NotFound(_("开标后方可核验投标回执。"))
    bid = selectors.bid_by_receipt(tender, receipt)
    found = bid is not None
    return {
        "tender_id": tender.pk,
        "receipt": receipt,
        "matches": found,
        "intact": found and services.receipt_verify(bid),
        "organization_name": bid.organization.name if found else None,
        "submitted_at": bid.submitted_at if found else None,
        "valid": bid.status == BidStatus.VALID if found else None,
    }


# --- purchaser: documents and lifecycle ---------------------------------------------------------


class FactorIn(Schema):
    id: str
    name: str
    max: Any  # an integer or a decimal string ("12.5"); floats are refused
    guidance: str = ""


_TENDER_RENAMES = {
    "invited_organization": "invited_organization_id",
    "designer_organization": "designer_organization_id",
}


class TenderFields(Schema):
    """Any subset of a tender's documents; what is omitted keeps its default (or value)."""

    title: str | None = None
    method: str | None = None
    evaluation_method: str | None = None
    aggregate: str | None = None
    description: str | None = None
    budget: str | None = None
    bid_security: str | None = None
    grade_policy: str | None = None
    required_fields: list[str] | None = None
    require_experience: bool | None = None
    abnormal_excludes: bool | None = None
    designer_organization_id: int | None = None
    price_points: Any = None  # an integer or a decimal string
    factors: list[FactorIn] | None = None
    committee_size: int | None = Field(None, ge=0, le=99)
    reserve_count: int | None = Field(None, ge=0, le=99)
    invited_organization_id: int | None = None
    justification: str | None = None
    posts: int | None = Field(None, ge=0, le=100000)
    post_requirements: str | None = None
    post_price_cap: str | None = None
    deadline: dt.datetime | None = None
    method_change_reason: str | None = None


class TenderIn(TenderFields):
    proposal_id: int


# Fields that may be cleared with an explicit null; any other null is refused (omit a field
# to leave it as it is).
_NULLABLE = frozenset(
    {
        "abnormal_excludes",
        "deadline",
        "designer_organization_id",
        "invited_organization_id",
        "post_price_cap",
    }
)


def _tender_changes(payload: TenderFields) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("proposal_id", None)
    for key, value in data.items():
        if value is None and key not in _NULLABLE:
            raise field_error(key, _("该字段不能为空（不修改请省略该字段）。"))
    for key in ("invited_organization", "designer_organization"):
        if f"{key}_id" in data:
            data[key] = organization_ref(data.pop(f"{key}_id"), f"{key}_id")
    if "deadline" in data:
        data["deadline"] = aware(data["deadline"])
    return data


@router.post("/tenders", response={201: TenderDetailOut, **ERRORS}, summary="为已立项项目发起采购")
def create_tender(request, payload: TenderIn):
    actor = request.auth
    proposal = selectors.proposal_for_tender(payload.proposal_id)
    if proposal is None:
        raise field_error("proposal_id", _("找不到该立项项目。"))
    changes = _tender_changes(payload)
    for key in ("committee_size", "reserve_count"):
        if changes.get(key) == 0:  # on a new tender: the lawful minimum, the jurisdiction's number
            changes[key] = None
    with renamed_fields(**_TENDER_RENAMES):
        t = services.tender_create(actor=actor, data=TenderInput.parse(changes, proposal=proposal))
    return Status(201, tender_detail(actor, t.pk))


@router.patch(
    "/tenders/{tender_id}",
    response={200: TenderDetailOut, **ERRORS},
    summary="修改采购文件（草稿）",
)
def update_tender(request, tender_id: int, payload: TenderFields):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    with renamed_fields(**_TENDER_RENAMES):
        services.tender_update(tender=tender, changes=_tender_changes(payload), actor=actor)
    return tender_detail(actor, tender_id)


@router.post(
    "/tenders/{tender_id}/publish",
    response={200: TenderDetailOut, **ERRORS},
    summary="发布采购公告",
)
def publish_tender(request, tender_id: int):
    actor = request.auth
    with renamed_fields(**_TENDER_RENAMES):
        services.tender_publish(tender=tender_for(actor, tender_id), actor=actor)
    return tender_detail(actor, tender_id)


class LotIn(TenderFields):
    """A lot's own documents: its title and budget, and anything else that differs from
    the tender's (the method and the deadline are the tender's)."""

    title: str
    budget: str


@router.post(
    "/tenders/{tender_id}/lots",
    response={201: TenderDetailOut, **ERRORS},
    summary="增加分包（草稿）：分包单独投标、评审、确定中标人和签订合同",
)
def add_lot(request, tender_id: int, payload: LotIn):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    with renamed_fields(**_TENDER_RENAMES):
        lot = tender_lot_add(tender=tender, changes=_tender_changes(payload), actor=actor)
    return Status(201, tender_detail(actor, lot.pk))


class LotSettingsIn(Schema):
    max_lots_per_provider: int | None = Field(None, title="每个供应商最多中标分包数（null 不限）")


@router.put(
    "/tenders/{tender_id}/lot-settings",
    response={200: TenderDetailOut, **ERRORS},
    summary="设定每个供应商最多中标分包数（草稿）",
)
def set_lot_settings(request, tender_id: int, payload: LotSettingsIn):
    actor = request.auth
    tender_lots_configure(
        tender=tender_for(actor, tender_id),
        max_lots_per_provider=payload.max_lots_per_provider,
        actor=actor,
    )
    return tender_detail(actor, tender_id)


class AmendIn(Schema):
    summary: str
    affects_bids: bool = True
    new_deadline: dt.datetime | None = None


@router.post(
    "/tenders/{tender_id}/amend", response={201: AmendmentOut, **ERRORS}, summary="发布澄清修改公告"
)
def amend_tender(request, tender_id: int, payload: AmendIn):
    actor = request.auth
    amendment = services.tender_amend(
        tender=tender_for(actor, tender_id),
        summary=payload.summary,
        affects_bids=payload.affects_bids,
        new_deadline=aware(payload.new_deadline),
        actor=actor,
    )
    return Status(201, amendment)


class ReasonIn(Schema):
    reason: str = ""


@router.post(
    "/tenders/{tender_id}/cancel", response={200: TenderDetailOut, **ERRORS}, summary="取消采购"
)
def cancel_tender(request, tender_id: int, payload: ReasonIn):
    actor = request.auth
    services.tender_cancel(tender=tender_for(actor, tender_id), reason=payload.reason, actor=actor)
    return tender_detail(actor, tender_id)


@router.post("/tenders/{tender_id}/fail", response={200: TenderDetailOut, **ERRORS}, summary="废标")
def fail_tender(request, tender_id: int, payload: ReasonIn):
    actor = request.auth
    services.tender_fail_manual(
        tender=tender_for(actor, tender_id), reason=payload.reason, actor=actor
    )
    return tender_detail(actor, tender_id)


class RetenderIn(Schema):
    method: str | None = None
    reason: str = ""


@router.post(
    "/tenders/{tender_id}/retender",
    response={201: TenderDetailOut, **ERRORS},
    summary="废标后重新采购（可变更采购方式）",
)
def retender(request, tender_id: int, payload: RetenderIn):
    actor = request.auth
    new = services.tender_retender(
        tender=tender_for(actor, tender_id),
        actor=actor,
        method=payload.method,
        reason=payload.reason,
    )
    return Status(201, tender_detail(actor, new.pk))


@router.post(
    "/tenders/{tender_id}/approve-method-change",
    response={200: TenderDetailOut, **ERRORS},
    summary="批准变更采购方式（平台管理员）",
)
def approve_method_change(request, tender_id: int):
    actor = request.auth
    services.tender_approve_method_change(tender=tender_for(actor, tender_id), actor=actor)
    return tender_detail(actor, tender_id)


_KIND_LABELS = dict(EventKind.choices)


# One audit event of the tender.
class HistoryOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor_label: str
    actor_role: str
    old: Any
    new: Any
    note: str

    @staticmethod
    def resolve_kind_label(e) -> str:
        return str(_KIND_LABELS.get(e.kind, e.kind))


@router.get(
    "/tenders/{tender_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    summary="采购项目操作记录（采购人、平台管理员、审计）",
)
def tender_history(request, tender_id: int):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    if not (can(actor, Perm.PROCUREMENT_MANAGE, tender) or can(actor, Perm.PROCUREMENT_OVERSEE)):
        require(actor, Perm.PROCUREMENT_MANAGE, tender)
    return selectors.tender_history(tender, actor=actor)
