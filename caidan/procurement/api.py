"""API: tenders, sealed bids, clarifications, the expert panel and scores, awards and
challenges (DOMAIN.md §3.4, §4.1, §4.4). Mounted at ``/api/v1/procurement``.

Thin handlers: parse → one service (writes) or selector (reads) → schema. Money is a string
("1000000.00"), times are ISO 8601. Nothing here ever returns a bid's sealed blob, nonce,
the tender's wrapped key, or a bid's price or content before the tender is opened.

Object references in request bodies end in ``_id`` (``proposal_id``, ``bid_id``,
``invited_organization_id``…); errors the services raise about those objects are reported
under the same ``_id`` name in ``detail.field``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import Field

from caidan.accounts.models import Unit, User
from caidan.accounts.permissions import can, require
from caidan.audit.kinds import EventKind
from caidan.common.errors import NotFound, PermissionDenied, field_error
from caidan.common.pagination import keyset_paginate
from caidan.common.schemas import ERRORS, PageOut, money_str, page_response, renamed_fields
from caidan.documents.api import AttachmentOut, attachment_out
from caidan.orgs.models import Organization

from . import selectors, selectors_experts, services
from . import services as expert_services
from .methods import compliance_only
from .models import (
    Amendment,
    Award,
    Bid,
    BidStatus,
    Challenge,
    Clarification,
    Expert,
    ExpertDraw,
    MemberStatus,
    PanelMember,
    ScoreSheet,
    Tender,
)
from .services import evaluation as evaluation_services
from .services.tenders import tender_documents

router = Router(tags=["procurement 政府采购"])


# --- helpers ------------------------------------------------------------------------------------


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime without an offset is read as local time (Asia/Shanghai)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _public_actor(request):
    from caidan.api import optional_actor

    return optional_actor(request)


def _tender(actor, tender_id: int) -> Tender:
    return selectors.tender_get(pk=tender_id, actor=actor)


def _org(pk: int | None, field: str) -> Organization | None:
    if pk is None:
        return None
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise field_error(field, "找不到该社会组织。")
    return org


def _acting_org(actor):
    """The organization a provider/hub acts for; 401/403 for anyone else."""
    require(actor, "procurement.bid", actor.organization)
    return actor.organization


def _member(member_id: int) -> PanelMember:
    member = (
        PanelMember.objects.select_related("tender", "tender__unit", "expert", "draw")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound("评审委员会成员不存在。")
    return member


def _own_seat(actor, member: PanelMember) -> None:
    """Only the expert holding the seat (and on the tender's panel) may read it."""
    require(actor, "procurement.score", member.tender)
    if member.expert.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("只能查看本人的评分表。", code="not_own_seat")


# --- schemas: tenders ---------------------------------------------------------------------------


class OrgRef(Schema):
    id: int
    name: str


def _org_ref(org) -> dict | None:
    return None if org is None else {"id": org.pk, "name": org.name}


class TenderOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    method: str
    method_label: str
    unit_id: int
    unit_name: str
    budget: str
    bid_security: str
    published_at: dt.datetime | None
    deadline: dt.datetime | None
    opened_at: dt.datetime | None
    url: str


def tender_out(t: Tender) -> dict:
    return {
        "id": t.pk,
        "reference": t.reference,
        "title": t.title,
        "status": t.status,
        "status_label": t.get_status_display(),
        "method": t.method,
        "method_label": t.get_method_display(),
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "budget": str(t.budget),
        "bid_security": str(t.bid_security),
        "published_at": t.published_at,
        "deadline": t.deadline,
        "opened_at": t.opened_at,
        "url": f"/procurement/tenders/{t.pk}/",
    }


class FactorOut(Schema):
    id: str
    name: str
    max: str
    guidance: str = ""


class ScoringSheetOut(Schema):
    evaluation_method: str
    evaluation_method_label: str
    aggregate: str
    price_points: str
    factors: list[FactorOut]
    committee_size: int
    reserve_count: int
    draw_commitment: str = ""  # SHA-256 of the expert draw's seed, fixed at publication


class QualificationOut(Schema):
    grade_policy: str
    required_fields: list[str]
    require_experience: bool
    abnormal_excludes: bool | None
    designer_organization: OrgRef | None


class AmendmentOut(Schema):
    id: int
    summary: str
    affects_bids: bool
    old_deadline: dt.datetime
    new_deadline: dt.datetime
    created_at: dt.datetime


def amendment_out(a: Amendment) -> dict:
    return {
        "id": a.pk,
        "summary": a.summary,
        "affects_bids": a.affects_bids,
        "old_deadline": a.old_deadline,
        "new_deadline": a.new_deadline,
        "created_at": a.created_at,
    }


def document_out(d) -> dict:
    return attachment_out(d, url=reverse("documents:download", kwargs={"document_id": d.pk}))


class ClarificationPublicOut(Schema):
    id: int
    question: str
    answer: str
    answered_at: dt.datetime | None


class OpeningRowOut(Schema):
    bid_id: int
    organization_id: int
    organization_name: str
    price: str | None
    valid: bool
    invalid_reasons: list[str]
    receipt: str
    submitted_at: dt.datetime
    price_score: str | None
    total: str | None
    rank: int | None


def opening_row(b: Bid) -> dict:
    return {
        "bid_id": b.pk,
        "organization_id": b.organization_id,
        "organization_name": b.organization.name,
        "price": money_str(b.price),
        "valid": b.status == BidStatus.VALID,
        "invalid_reasons": list(b.invalid_reasons or []),
        "receipt": b.receipt,
        "submitted_at": b.submitted_at,
        "price_score": money_str(b.price_score),
        "total": money_str(b.total),
        "rank": b.rank,
    }


class AwardOut(Schema):
    id: int
    tender_id: int
    bid_id: int
    organization_id: int
    organization_name: str
    amount: str
    status: str
    status_label: str
    decided_at: dt.datetime
    notice_published_at: dt.datetime | None
    notice_period_ends: dt.datetime
    challenge_deadline: dt.datetime
    note: str
    ended_at: dt.datetime | None
    end_reason: str


def award_out(a: Award) -> dict:
    return {
        "id": a.pk,
        "tender_id": a.tender_id,
        "bid_id": a.bid_id,
        "organization_id": a.bid.organization_id,
        "organization_name": a.bid.organization.name,
        "amount": str(a.amount),
        "status": a.status,
        "status_label": a.get_status_display(),
        "decided_at": a.decided_at,
        "notice_published_at": a.notice_published_at,
        "notice_period_ends": a.notice_period_ends,
        "challenge_deadline": a.challenge_deadline,
        "note": a.note,
        "ended_at": a.ended_at,
        "end_reason": a.end_reason,
    }


class ExpertNameOut(Schema):
    name: str
    title: str
    status: str


class AwardNoticeOut(Schema):
    award: AwardOut | None
    ended_awards: list[AwardOut]
    ranking: list[OpeningRowOut]
    experts: list[ExpertNameOut]
    evaluation_url: str


class ChallengeOut(Schema):
    id: int
    tender_id: int
    award_id: int
    organization_id: int
    organization_name: str
    grounds: str
    may_change_result: bool
    status: str
    status_label: str
    filed_at: dt.datetime
    answer_due: dt.datetime
    answer: str
    upheld: bool | None
    answered_at: dt.datetime | None


def challenge_out(c: Challenge) -> dict:
    return {
        "id": c.pk,
        "tender_id": c.tender_id,
        "award_id": c.award_id,
        "organization_id": c.organization_id,
        "organization_name": c.organization.name,
        "grounds": c.grounds,
        "may_change_result": c.may_change_result,
        "status": c.status,
        "status_label": c.get_status_display(),
        "filed_at": c.filed_at,
        "answer_due": c.answer_due,
        "answer": c.answer,
        "upheld": c.upheld,
        "answered_at": c.answered_at,
    }


class TenderDetailOut(TenderOut):
    proposal_id: int
    description: str
    scoring_sheet: ScoringSheetOut
    qualification: QualificationOut
    invited_organization: OrgRef | None
    justification: str
    posts: int
    post_requirements: str
    post_price_cap: str | None
    failed_reason: str
    cancelled_reason: str
    previous_id: int | None
    method_change_reason: str
    method_change_approved_at: dt.datetime | None
    amendments: list[AmendmentOut]
    documents: list[AttachmentOut]
    clarifications: list[ClarificationPublicOut]
    opening: list[OpeningRowOut] | None
    award_notice: AwardNoticeOut | None
    challenges: list[ChallengeOut]
    server_time: dt.datetime


def detail_out(t: Tender, actor) -> dict:
    """The announcement and the tender's public record as the actor may see it."""
    opening = selectors.opening_record(t) if t.opened_at is not None else None
    notice = selectors.award_notice(t)
    return {
        **tender_out(t),
        "proposal_id": t.proposal_id,
        "description": t.description,
        "scoring_sheet": {
            "evaluation_method": t.evaluation_method,
            "evaluation_method_label": t.get_evaluation_method_display(),
            "aggregate": t.aggregate,
            "price_points": str(t.price_points),
            "factors": [
                {
                    "id": str(f.get("id", "")),
                    "name": str(f.get("name", "")),
                    "max": str(f.get("max", "")),
                    "guidance": str(f.get("guidance", "")),
                }
                for f in t.factors or []
            ],
            "committee_size": t.committee_size,
            "reserve_count": t.reserve_count,
            "draw_commitment": t.draw_commitment,
        },
        "qualification": {
            "grade_policy": t.grade_policy,
            "required_fields": list(t.required_fields or []),
            "require_experience": t.require_experience,
            "abnormal_excludes": t.abnormal_excludes,
            "designer_organization": _org_ref(t.designer_organization),
        },
        "invited_organization": _org_ref(t.invited_organization),
        "justification": t.justification,
        "posts": t.posts,
        "post_requirements": t.post_requirements,
        "post_price_cap": money_str(t.post_price_cap),
        "failed_reason": t.failed_reason,
        "cancelled_reason": t.cancelled_reason,
        "previous_id": t.previous_id,
        "method_change_reason": t.method_change_reason,
        "method_change_approved_at": t.method_change_approved_at,
        "amendments": [amendment_out(a) for a in t.amendments.order_by("id")],
        "documents": [document_out(d) for d in tender_documents(t, actor=actor)],
        "clarifications": [
            {"id": c.pk, "question": c.question, "answer": c.answer, "answered_at": c.answered_at}
            for c in selectors.clarifications_public(t)
        ],
        "opening": None if opening is None else [opening_row(b) for b in opening],
        "award_notice": None
        if notice is None
        else {
            "award": award_out(notice["award"]) if notice["award"] else None,
            "ended_awards": [award_out(a) for a in notice["ended_awards"]],
            "ranking": [opening_row(b) for b in notice["ranking"]],
            "experts": [
                {
                    "name": m.expert.name,
                    "title": m.expert.title,
                    "status": m.get_status_display(),
                }
                for m in notice["experts"]
            ],
            "evaluation_url": f"/api/v1/procurement/tenders/{t.pk}/evaluation.json",
        },
        "challenges": [challenge_out(c) for c in selectors.challenges_for(t, actor)],
        "server_time": timezone.now(),
    }


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
    actor = _public_actor(request)
    if actor.is_authenticated:
        page = selectors.tender_list_for(
            actor=actor, status=status, method=method, search=search, cursor=cursor, limit=limit
        )
    else:
        page = selectors.tender_list_public(
            status=status, method=method, search=search, cursor=cursor, limit=limit
        )
    return page_response(page, tender_out)


@router.get(
    "/tenders/{tender_id}",
    response={200: TenderDetailOut, **ERRORS},
    auth=None,
    summary="采购公告与采购记录（公开）",
)
def get_tender(request, tender_id: int):
    actor = _public_actor(request)
    return detail_out(_tender(actor, tender_id), actor)


@router.get(
    "/tenders/{tender_id}/evaluation.json",
    response={200: dict[str, Any], **ERRORS},
    auth=None,
    summary="评审数据（score_check 输入格式，中标公告后公开）",
)
def evaluation_json(request, tender_id: int):
    tender = _tender(_public_actor(request), tender_id)
    data = selectors.evaluation_data(tender)
    if data is None:
        raise NotFound("评审数据在中标结果公告后公开。")
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
    tender = _tender(_public_actor(request), tender_id)
    if tender.opened_at is None:
        # Before opening nobody learns whether a receipt belongs to a bid of this tender.
        raise NotFound("开标后方可核验投标回执。")
    bid = (
        Bid.objects.filter(
            tender=tender, receipt=receipt, status__in=[BidStatus.VALID, BidStatus.INVALID]
        )
        .select_related("organization")
        .first()
    )
    if bid is None:
        return {
            "tender_id": tender.pk,
            "receipt": receipt,
            "matches": False,
            "intact": False,
            "organization_name": None,
            "submitted_at": None,
            "valid": None,
        }
    return {
        "tender_id": tender.pk,
        "receipt": receipt,
        "matches": True,
        "intact": services.receipt_verify(bid),
        "organization_name": bid.organization.name,
        "submitted_at": bid.submitted_at,
        "valid": bid.status == BidStatus.VALID,
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
            raise field_error(key, "该字段不能为空（不修改请省略该字段）。")
    for key in ("invited_organization", "designer_organization"):
        if f"{key}_id" in data:
            data[key] = _org(data.pop(f"{key}_id"), f"{key}_id")
    if "deadline" in data:
        data["deadline"] = _aware(data["deadline"])
    return data


@router.post("/tenders", response={201: TenderDetailOut, **ERRORS}, summary="为已立项项目发起采购")
def create_tender(request, payload: TenderIn):
    from caidan.projects.models import Proposal

    actor = request.auth
    proposal = Proposal.objects.select_related("unit").filter(pk=payload.proposal_id).first()
    if proposal is None:
        raise field_error("proposal_id", "找不到该立项项目。")
    with renamed_fields(**_TENDER_RENAMES):
        t = services.tender_create(proposal=proposal, actor=actor, **_tender_changes(payload))
    return Status(201, detail_out(_tender(actor, t.pk), actor))


@router.patch(
    "/tenders/{tender_id}",
    response={200: TenderDetailOut, **ERRORS},
    summary="修改采购文件（草稿）",
)
def update_tender(request, tender_id: int, payload: TenderFields):
    actor = request.auth
    tender = _tender(actor, tender_id)
    with renamed_fields(**_TENDER_RENAMES):
        services.tender_update(tender=tender, changes=_tender_changes(payload), actor=actor)
    return detail_out(_tender(actor, tender_id), actor)


@router.post(
    "/tenders/{tender_id}/publish",
    response={200: TenderDetailOut, **ERRORS},
    summary="发布采购公告",
)
def publish_tender(request, tender_id: int):
    actor = request.auth
    with renamed_fields(**_TENDER_RENAMES):
        services.tender_publish(tender=_tender(actor, tender_id), actor=actor)
    return detail_out(_tender(actor, tender_id), actor)


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
        tender=_tender(actor, tender_id),
        summary=payload.summary,
        affects_bids=payload.affects_bids,
        new_deadline=_aware(payload.new_deadline),
        actor=actor,
    )
    return Status(201, amendment_out(amendment))


class ReasonIn(Schema):
    reason: str = ""


@router.post(
    "/tenders/{tender_id}/documents",
    response={201: AttachmentOut, **ERRORS},
    summary="附加采购文件（公告后即为澄清修改）",
    description=(
        "multipart/form-data：file（文件）、description（说明）。文件公开，任何人可下载；"
        "公告发布后附加的文件同时发布澄清修改公告，距截止不足 15 日的依法顺延截止时间。"
    ),
)
def add_document(
    request,
    tender_id: int,
    file: File[UploadedFile] = None,
    description: Form[str] = "",
):
    actor = request.auth
    tender = _tender(actor, tender_id)
    require(actor, "procurement.manage", tender)
    if file is None:
        raise field_error("file", "请选择要上传的文件。")
    document = services.tender_document_add(
        tender=tender, file=file, description=description, actor=actor
    )
    return Status(201, document_out(document))


@router.post(
    "/tenders/{tender_id}/cancel", response={200: TenderDetailOut, **ERRORS}, summary="取消采购"
)
def cancel_tender(request, tender_id: int, payload: ReasonIn):
    actor = request.auth
    services.tender_cancel(tender=_tender(actor, tender_id), reason=payload.reason, actor=actor)
    return detail_out(_tender(actor, tender_id), actor)


@router.post("/tenders/{tender_id}/fail", response={200: TenderDetailOut, **ERRORS}, summary="废标")
def fail_tender(request, tender_id: int, payload: ReasonIn):
    actor = request.auth
    services.tender_fail_manual(
        tender=_tender(actor, tender_id), reason=payload.reason, actor=actor
    )
    return detail_out(_tender(actor, tender_id), actor)


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
        tender=_tender(actor, tender_id), actor=actor, method=payload.method, reason=payload.reason
    )
    return Status(201, detail_out(_tender(actor, new.pk), actor))


@router.post(
    "/tenders/{tender_id}/approve-method-change",
    response={200: TenderDetailOut, **ERRORS},
    summary="批准变更采购方式（平台管理员）",
)
def approve_method_change(request, tender_id: int):
    actor = request.auth
    services.tender_approve_method_change(tender=_tender(actor, tender_id), actor=actor)
    return detail_out(_tender(actor, tender_id), actor)


class ClarificationOut(Schema):
    id: int
    tender_id: int
    question: str
    asked_by: OrgRef | None
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


def clarification_out(c: Clarification, *, asker=None) -> dict:
    """``asker``: the asking organization as the reader may see it (None before opening,
    except for the asker itself — ``selectors.clarification_asker``)."""
    return {
        "id": c.pk,
        "tender_id": c.tender_id,
        "question": c.question,
        "asked_by": _org_ref(asker),
        "asked_at": c.asked_at,
        "answer": c.answer,
        "answered_at": c.answered_at,
    }


@router.get(
    "/tenders/{tender_id}/clarifications",
    response={200: list[ClarificationOut], **ERRORS},
    summary="答疑问题（采购人；开标前不显示提问人）",
)
def list_clarifications(request, tender_id: int):
    actor = request.auth
    tender = _tender(actor, tender_id)
    return [
        clarification_out(c, asker=c.asker)
        for c in selectors.clarifications_for_purchaser(tender, actor)
    ]


class AnswerIn(Schema):
    answer: str


@router.post(
    "/clarifications/{clarification_id}/answer",
    response={200: ClarificationOut, **ERRORS},
    summary="答复答疑问题（公开答复，不公开提问人）",
)
def answer_clarification(request, clarification_id: int, payload: AnswerIn):
    c = (
        Clarification.objects.select_related("tender", "tender__unit", "asked_by")
        .filter(pk=clarification_id)
        .first()
    )
    if c is None:
        raise NotFound("答疑问题不存在。")
    c = services.clarification_answer(clarification=c, answer=payload.answer, actor=request.auth)
    return clarification_out(c, asker=selectors.clarification_asker(c, request.auth))


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


@router.get(
    "/tenders/{tender_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    summary="采购项目操作记录（采购人、平台管理员、审计）",
)
def tender_history(request, tender_id: int):
    actor = request.auth
    tender = _tender(actor, tender_id)
    if not (can(actor, "procurement.manage", tender) or can(actor, "procurement.oversee")):
        require(actor, "procurement.manage", tender)
    events = selectors.tender_history(tender, actor=actor)
    labels = dict(EventKind.choices)
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "kind_label": str(labels.get(e.kind, e.kind)),
            "at": e.at,
            "actor_label": e.actor_label,
            "actor_role": e.actor_role,
            "old": e.old,
            "new": e.new,
            "note": e.note,
        }
        for e in events
    ]


# --- purchaser: panel, award, challenges ----------------------------------------------------------


class MemberOut(Schema):
    id: int
    tender_id: int
    expert_id: int
    expert_name: str
    position: int
    status: str
    status_label: str
    declared_at: dt.datetime | None
    recusal_reason: str
    replaced_by_id: int | None


def member_out(m: PanelMember) -> dict:
    return {
        "id": m.pk,
        "tender_id": m.tender_id,
        "expert_id": m.expert_id,
        "expert_name": m.expert.name,
        "position": m.position,
        "status": m.status,
        "status_label": m.get_status_display(),
        "declared_at": m.declared_at,
        "recusal_reason": m.recusal_reason,
        "replaced_by_id": m.replaced_by_id,
    }


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


def draw_out(d: ExpertDraw, *, published: bool) -> dict:
    """A recorded draw; its seed only once the award notice has published it."""
    return {
        "id": d.pk,
        "tender_id": d.tender_id,
        "seed": d.seed if published else None,
        "algorithm": d.algorithm,
        "size": d.size,
        "reserves": d.reserves,
        "candidates": list(d.candidates or []),
        "exclusions": list(d.exclusions or []),
        "drawn": list(d.drawn or []),
        "drawn_at": d.drawn_at,
        "verified": expert_services.draw_verify(d),
    }


class PanelOut(Schema):
    commitment: str
    draws: list[DrawOut]
    members: list[MemberOut]


def _panel(tender: Tender) -> dict:
    published = selectors_experts.draw_published(tender)
    return {
        "commitment": tender.draw_commitment,
        "draws": [
            draw_out(d, published=published)
            for d in ExpertDraw.objects.filter(tender=tender).order_by("id")
        ],
        "members": [member_out(m) for m in selectors_experts.panel_for(tender)],
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
            "随机种子已在发布采购公告时确定并公开其承诺值，任何人不能指定种子"
            "（财库〔2016〕198号；DOMAIN §4.7）。",
            code="seed_not_accepted",
        )
    tender = _tender(actor, tender_id)
    expert_services.panel_draw(tender=tender, actor=actor)
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
    tender = _tender(_public_actor(request), tender_id)
    if tender.status == "draft":
        raise NotFound("采购项目不存在。")
    return selectors_experts.draw_record(tender)


@router.get(
    "/tenders/{tender_id}/panel",
    response={200: PanelOut, **ERRORS},
    summary="抽取记录与评审委员会（采购人、平台管理员、审计）",
)
def get_panel(request, tender_id: int):
    actor = request.auth
    tender = _tender(actor, tender_id)
    if not (can(actor, "procurement.manage", tender) or can(actor, "procurement.oversee")):
        require(actor, "procurement.manage", tender)
    return _panel(tender)


@router.post(
    "/panel/{member_id}/recuse", response={200: MemberOut, **ERRORS}, summary="记录专家回避"
)
def recuse_member(request, member_id: int, payload: ReasonIn):
    member = expert_services.panel_recuse(
        member=_member(member_id), reason=payload.reason, actor=request.auth
    )
    return member_out(member)


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
    member = expert_services.panel_void(
        member=_member(member_id), reason=payload.reason, actor=request.auth
    )
    return member_out(member)


class AwardIn(Schema):
    bid_id: int | None = None
    note: str = ""


@router.post(
    "/tenders/{tender_id}/award", response={201: AwardOut, **ERRORS}, summary="确定中标人并公告"
)
def confirm_award(request, tender_id: int, payload: AwardIn):
    actor = request.auth
    tender = _tender(actor, tender_id)
    bid = None
    if payload.bid_id is not None:
        bid = Bid.objects.filter(pk=payload.bid_id, tender=tender).first()
        if bid is None:
            raise field_error("bid_id", "该投标不属于本采购项目。")
    with renamed_fields(bid="bid_id"):
        award = services.award_confirm(tender=tender, actor=actor, bid=bid, note=payload.note)
    return Status(
        201, award_out(Award.objects.select_related("bid__organization").get(pk=award.pk))
    )


class CandidateProblemsOut(Schema):
    bid_id: int
    organization: str
    reasons: list[str]


@router.get(
    "/tenders/{tender_id}/award/candidate-problems",
    response={200: list[CandidateProblemsOut], **ERRORS},
    summary="确定中标前复核推荐中标候选人的承接资格",
)
def candidate_problems(request, tender_id: int):
    actor = request.auth
    tender = _tender(actor, tender_id)
    require(actor, "procurement.manage", tender)
    problems = services.candidate_problems(tender)
    return [
        {"bid_id": b.pk, "organization": b.organization.name, "reasons": problems[b.pk]}
        for b in services.recommended(tender)
        if b.pk in problems
    ]


@router.post(
    "/tenders/{tender_id}/bids/{bid_id}/disqualify",
    response={200: CandidateProblemsOut, **ERRORS},
    summary="认定不再符合承接条件的中标候选人不合格",
)
def disqualify_candidate(request, tender_id: int, bid_id: int):
    actor = request.auth
    tender = _tender(actor, tender_id)
    require(actor, "procurement.manage", tender)
    bid = Bid.objects.select_related("organization").filter(pk=bid_id, tender=tender).first()
    if bid is None:
        raise NotFound("该投标不属于本采购项目。")
    b = services.candidate_disqualify(tender=tender, bid=bid, actor=actor)
    return {"bid_id": b.pk, "organization": b.organization.name, "reasons": b.invalid_reasons}


class ChallengeAnswerIn(Schema):
    answer: str
    upheld: bool
    may_change_result: bool | None = None


def _challenge(challenge_id: int) -> Challenge:
    c = (
        Challenge.objects.select_related("tender", "tender__unit", "organization")
        .filter(pk=challenge_id)
        .first()
    )
    if c is None:
        raise NotFound("质疑不存在。")
    return c


@router.post(
    "/challenges/{challenge_id}/answer", response={200: ChallengeOut, **ERRORS}, summary="答复质疑"
)
def answer_challenge(request, challenge_id: int, payload: ChallengeAnswerIn):
    c = services.challenge_answer(
        challenge=_challenge(challenge_id),
        answer=payload.answer,
        upheld=payload.upheld,
        may_change_result=payload.may_change_result,
        actor=request.auth,
    )
    return challenge_out(_challenge(c.pk))


# --- providers and hubs --------------------------------------------------------------------------


class QuestionIn(Schema):
    question: str


class QuestionOut(Schema):
    id: int
    tender_id: int
    question: str
    asked_at: dt.datetime


@router.post(
    "/tenders/{tender_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="提出答疑问题（以本组织名义）",
)
def ask_question(request, tender_id: int, payload: QuestionIn):
    actor = request.auth
    tender = _tender(actor, tender_id)
    c = services.clarification_ask(
        tender=tender, organization=actor.organization, question=payload.question, actor=actor
    )
    return Status(
        201, {"id": c.pk, "tender_id": c.tender_id, "question": c.question, "asked_at": c.asked_at}
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
    tender = _tender(actor, tender_id)
    services.recusal_request(
        tender=tender,
        organization=actor.organization,
        expert_name=payload.expert_name,
        reason=payload.reason,
        actor=actor,
    )
    return Status(201, {"tender_id": tender.pk, "recorded": True})


class BidIn(Schema):
    """The bid's content, sealed at once. ``price`` (total, yuan) for most methods;
    ``per_post_price`` for post purchase (岗位购买)."""

    price: str | None = None
    per_post_price: str | None = None
    plan: str = ""
    team: str = ""


class BidReceiptOut(Schema):
    id: int
    tender_id: int
    status: str
    receipt: str
    seal_id: str
    submitted_at: dt.datetime
    server_time: dt.datetime
    deadline: dt.datetime | None
    replaces_id: int | None


@router.post(
    "/tenders/{tender_id}/bids",
    response={201: BidReceiptOut, **ERRORS},
    summary="递交密封投标（再次递交即替换）",
)
def submit_bid(request, tender_id: int, payload: BidIn):
    actor = request.auth
    tender = _tender(actor, tender_id)
    content = {k: v for k, v in payload.dict().items() if v is not None}
    bid = services.bid_submit(
        tender=tender, organization=actor.organization, content=content, actor=actor
    )
    return Status(
        201,
        {
            "id": bid.pk,
            "tender_id": bid.tender_id,
            "status": bid.status,
            "receipt": bid.receipt,
            "seal_id": bid.seal_id,
            "submitted_at": bid.submitted_at,
            "server_time": timezone.now(),
            "deadline": tender.deadline,
            "replaces_id": bid.replaces_id,
        },
    )


class MyBidOut(Schema):
    id: int
    tender: TenderOut
    status: str
    status_label: str
    receipt: str
    submitted_at: dt.datetime
    withdrawn_at: dt.datetime | None
    opened_at: dt.datetime | None
    price: str | None
    invalid_reasons: list[str]
    rank: int | None
    replaces_id: int | None


def my_bid_out(b: Bid) -> dict:
    opened = b.opened_at is not None
    return {
        "id": b.pk,
        "tender": tender_out(b.tender),
        "status": b.status,
        "status_label": b.get_status_display(),
        "receipt": b.receipt,
        "submitted_at": b.submitted_at,
        "withdrawn_at": b.withdrawn_at,
        "opened_at": b.opened_at,
        "price": money_str(b.price) if opened else None,
        "invalid_reasons": list(b.invalid_reasons or []) if opened else [],
        "rank": b.rank if opened else None,
        "replaces_id": b.replaces_id,
    }


@router.get(
    "/my/bids",
    response={200: list[MyBidOut], **ERRORS},
    summary="本组织的投标（状态、时间、回执）",
)
def my_bids(request, tender_id: int | None = None):
    actor = request.auth
    org = _acting_org(actor)
    tender = _tender(actor, tender_id) if tender_id is not None else None
    bids = selectors.bids_of(actor=actor, organization=org, tender=tender)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={b.tender.unit_id for b in bids})}
    for b in bids:
        b.tender.unit = units[b.tender.unit_id]
    return [my_bid_out(b) for b in bids]


def _own(qs, actor, message: str, *, via: str = "organization"):
    """One of the acting organization's own objects (``via`` the lookup to it); 404 for
    anyone else's, so ids of other organizations' bids reveal nothing."""
    org = _acting_org(actor)
    obj = qs.filter(Q(**{via: org})).first()
    if obj is None:
        raise NotFound(message)
    return obj


@router.post(
    "/bids/{bid_id}/withdraw", response={200: MyBidOut, **ERRORS}, summary="撤回投标（截止前）"
)
def withdraw_bid(request, bid_id: int):
    actor = request.auth
    bid = _own(
        Bid.objects.select_related("organization", "tender__unit").filter(pk=bid_id),
        actor,
        "投标不存在。",
    )
    services.bid_withdraw(bid=bid, actor=actor)
    return my_bid_out(Bid.objects.select_related("tender__unit").get(pk=bid.pk))


@router.post(
    "/awards/{award_id}/decline", response={200: AwardOut, **ERRORS}, summary="中标人放弃中标"
)
def decline_award(request, award_id: int, payload: ReasonIn):
    actor = request.auth
    award = _own(
        Award.objects.select_related("tender", "bid__organization").filter(pk=award_id),
        actor,
        "中标结果不存在。",
        via="bid__organization",
    )
    services.award_decline(award=award, reason=payload.reason, actor=actor)
    return award_out(Award.objects.select_related("bid__organization").get(pk=award.pk))


class ChallengeIn(Schema):
    grounds: str
    may_change_result: bool = True


@router.post(
    "/awards/{award_id}/challenges",
    response={201: ChallengeOut, **ERRORS},
    summary="对中标结果提出质疑",
)
def file_challenge(request, award_id: int, payload: ChallengeIn):
    actor = request.auth
    award = Award.objects.select_related("tender").filter(pk=award_id).first()
    if award is None:
        raise NotFound("中标结果不存在。")
    c = services.challenge_file(
        award=award,
        organization=actor.organization,
        grounds=payload.grounds,
        may_change_result=payload.may_change_result,
        actor=actor,
    )
    return Status(201, challenge_out(_challenge(c.pk)))


@router.post(
    "/challenges/{challenge_id}/withdraw",
    response={200: ChallengeOut, **ERRORS},
    summary="撤回质疑",
)
def withdraw_challenge(request, challenge_id: int):
    actor = request.auth
    c = _own(
        Challenge.objects.select_related("tender", "organization").filter(pk=challenge_id),
        actor,
        "质疑不存在。",
    )
    services.challenge_withdraw(challenge=c, actor=actor)
    return challenge_out(_challenge(c.pk))


# --- experts ----------------------------------------------------------------------------------


class MyPanelOut(Schema):
    member_id: int
    position: int
    status: str
    status_label: str
    declared_at: dt.datetime | None
    sheet_submitted_at: dt.datetime | None
    tender: TenderOut


@router.get(
    "/my/panels",
    response={200: PageOut[MyPanelOut], **ERRORS},
    summary="本人被抽取参加的评审",
)
def my_panels(request, cursor: str | None = None, limit: int = 20):
    actor = request.auth
    require(actor, "procurement.score")
    page = keyset_paginate(
        selectors_experts.expert_tenders(actor.user), ordering=("-id",), cursor=cursor, limit=limit
    )
    members = selectors_experts.seats_of(actor.user, page.items)
    sheets = {s.member_id: s for s in ScoreSheet.objects.filter(member__in=list(members.values()))}

    def row(t: Tender) -> dict:
        m = members[t.pk]
        sheet = sheets.get(m.pk)
        return {
            "member_id": m.pk,
            "position": m.position,
            "status": m.status,
            "status_label": m.get_status_display(),
            "declared_at": m.declared_at,
            "sheet_submitted_at": sheet.submitted_at if sheet else None,
            "tender": tender_out(t),
        }

    return page_response(page, row)


class DeclareIn(Schema):
    no_conflict: bool
    declaration: str = ""


@router.post(
    "/panel/{member_id}/declare",
    response={200: MemberOut, **ERRORS},
    summary="声明与投标人是否存在利害关系",
)
def declare(request, member_id: int, payload: DeclareIn):
    member = expert_services.panel_declare(
        member=_member(member_id),
        no_conflict=payload.no_conflict,
        declaration=payload.declaration,
        actor=request.auth,
    )
    return member_out(member)


class SheetBidOut(Schema):
    bid_id: int
    organization_name: str
    price: str | None
    plan: str | None
    team: str | None


class CorrectionOut(Schema):
    id: int
    bid_id: int
    factor: str
    old_value: str
    new_value: str
    reason: str
    note: str
    created_at: dt.datetime


def correction_out(c) -> dict:
    return {
        "id": c.pk,
        "bid_id": c.bid_id,
        "factor": c.factor,
        "old_value": str(c.old_value),
        "new_value": str(c.new_value),
        "reason": c.reason,
        "note": c.note,
        "created_at": c.created_at,
    }


class OtherSheetOut(Schema):
    member_id: int
    expert_name: str
    scores: dict[str, dict[str, str]]
    verdicts: dict[str, dict[str, Any]] = {}
    submitted_at: dt.datetime | None
    voided: bool


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


def sheet_out(member: PanelMember, actor) -> dict:
    """The expert's own sheet. Bid content only to an active (declared) member, after
    opening; bidder names (needed to declare conflicts) to a drawn member too."""
    tender = member.tender
    show_content = member.status == MemberStatus.ACTIVE and tender.opened_at is not None
    bids = evaluation_services.scorable_bids(tender) if tender.opened_at is not None else []
    sheet = ScoreSheet.objects.filter(member=member).first()
    visible = list(selectors_experts.visible_sheets(tender, actor))
    return {
        "member": member_out(member),
        "tender": tender_out(tender),
        "price_points": str(tender.price_points),
        "factors": [
            {
                "id": str(f.get("id", "")),
                "name": str(f.get("name", "")),
                "max": str(f.get("max", "")),
                "guidance": str(f.get("guidance", "")),
            }
            for f in tender.factors or []
        ],
        "bids": [
            {
                "bid_id": b.pk,
                "organization_name": b.organization.name,
                "price": money_str(b.price) if show_content else None,
                "plan": (b.content or {}).get("plan", "") if show_content else None,
                "team": (b.content or {}).get("team", "") if show_content else None,
            }
            for b in bids
        ],
        "scores": sheet.scores if sheet else {},
        "compliance_only": compliance_only(tender),
        "verdicts": sheet.verdicts if sheet else {},
        "submitted_at": sheet.submitted_at if sheet else None,
        "voided": sheet.voided if sheet else False,
        "corrections": [correction_out(c) for c in selectors_experts.corrections_of(sheet)],
        "sheets": [
            {
                "member_id": s.member_id,
                "expert_name": s.member.expert.name,
                "scores": s.scores,
                "verdicts": s.verdicts,
                "submitted_at": s.submitted_at,
                "voided": s.voided,
            }
            for s in visible
            if s.member_id != member.pk
        ],
    }


@router.get("/panel/{member_id}/sheet", response={200: SheetOut, **ERRORS}, summary="本人的评分表")
def get_sheet(request, member_id: int):
    actor = request.auth
    member = _member(member_id)
    _own_seat(actor, member)
    return sheet_out(member, actor)


class ScoresIn(Schema):
    scores: dict[str, dict[str, Any]]  # {bid id: {factor id: points (int or "12.5")}}


@router.put(
    "/panel/{member_id}/sheet", response={200: SheetOut, **ERRORS}, summary="保存评分（草稿）"
)
def save_sheet(request, member_id: int, payload: ScoresIn):
    actor = request.auth
    evaluation_services.scores_save(member=_member(member_id), scores=payload.scores, actor=actor)
    return sheet_out(_member(member_id), actor)


class VerdictsIn(Schema):
    verdicts: dict[str, dict[str, Any]]  # {bid id: {"pass": bool, "reason": "…"}}


@router.put(
    "/panel/{member_id}/verdicts",
    response={200: SheetOut, **ERRORS},
    summary="保存资格性和符合性审查意见（最低评标价法，草稿）",
)
def save_verdicts(request, member_id: int, payload: VerdictsIn):
    actor = request.auth
    evaluation_services.verdicts_save(
        member=_member(member_id), verdicts=payload.verdicts, actor=actor
    )
    return sheet_out(_member(member_id), actor)


@router.post(
    "/panel/{member_id}/sheet/submit",
    response={200: SheetOut, **ERRORS},
    summary="提交评分（最低评标价法：提交审查意见）",
)
def submit_sheet(request, member_id: int):
    actor = request.auth
    evaluation_services.scores_submit(member=_member(member_id), actor=actor)
    return sheet_out(_member(member_id), actor)


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
    member = _member(member_id)
    bid = Bid.objects.select_related("organization").filter(pk=payload.bid_id).first()
    if bid is None:
        raise field_error("bid_id", "投标不存在。")
    with renamed_fields(bid="bid_id"):
        correction = evaluation_services.score_correct(
            member=member,
            bid=bid,
            factor=payload.factor,
            new_value=payload.new_value,
            reason=payload.reason,
            note=payload.note,
            actor=request.auth,
        )
    return Status(201, correction_out(correction))


# --- the expert pool (platform admin) -------------------------------------------------------------


class TieOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    started_on: dt.date | None
    ended_on: dt.date | None
    note: str


def tie_out(t) -> dict:
    return {
        "id": t.pk,
        "organization": _org_ref(t.organization),
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "started_on": t.started_on,
        "ended_on": t.ended_on,
        "note": t.note,
    }


class ExpertOut(Schema):
    id: int
    name: str
    specialties: list[str]
    title: str
    employer_unit_id: int | None
    employer_name: str
    user_id: int | None
    is_active: bool
    ties: list[TieOut]


def expert_out(e: Expert) -> dict:
    return {
        "id": e.pk,
        "name": e.name,
        "specialties": list(e.specialties or []),
        "title": e.title,
        "employer_unit_id": e.employer_unit_id,
        "employer_name": e.employer_name,
        "user_id": e.user_id,
        "is_active": e.is_active,
        "ties": [tie_out(t) for t in e.ties.all()],
    }


@router.get("/experts", response={200: PageOut[ExpertOut], **ERRORS}, summary="评审专家库")
def list_experts(
    request,
    q: str = "",
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 20,
):
    require(request.auth, "procurement.manage_experts")
    qs = selectors_experts.expert_pool(search=q).prefetch_related("ties__organization")
    if active is not None:
        qs = qs.filter(is_active=active)
    page = keyset_paginate(qs, ordering=("id",), cursor=cursor, limit=limit)
    return page_response(page, expert_out)


class ExpertIn(Schema):
    name: str
    specialties: list[str]
    title: str = ""
    employer_unit_id: int | None = None
    employer_name: str = ""
    user_id: int | None = None


def _unit(pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise field_error("employer_unit_id", "找不到该单位。")
    return unit


def _user(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise field_error("user_id", "找不到该用户。")
    return user


def _expert_out(expert_id: int) -> dict:
    return expert_out(Expert.objects.prefetch_related("ties__organization").get(pk=expert_id))


@router.post("/experts", response={201: ExpertOut, **ERRORS}, summary="专家入库")
def create_expert(request, payload: ExpertIn):
    unit = _unit(payload.employer_unit_id)
    user = _user(payload.user_id)
    with renamed_fields(employer_unit="employer_unit_id", user="user_id"):
        expert = expert_services.expert_create(
            name=payload.name,
            specialties=payload.specialties,
            title=payload.title,
            employer_unit=unit,
            employer_name=payload.employer_name,
            user=user,
            actor=request.auth,
        )
    return Status(201, expert_out(expert))


class ExpertPatchIn(Schema):
    """Any subset of an expert's record; omitted fields keep their value. ``employer_unit_id``
    and ``user_id`` may be cleared with null."""

    name: str | None = None
    specialties: list[str] | None = None
    title: str | None = None
    employer_unit_id: int | None = None
    employer_name: str | None = None
    user_id: int | None = None
    is_active: bool | None = None


_EXPERT_NULLABLE = frozenset({"employer_unit_id", "user_id"})


@router.patch("/experts/{expert_id}", response={200: ExpertOut, **ERRORS}, summary="修改专家信息")
def update_expert(request, expert_id: int, payload: ExpertPatchIn):
    require(request.auth, "procurement.manage_experts")
    expert = selectors_experts.expert_get(expert_id)
    data = payload.dict(exclude_unset=True)
    for key, value in data.items():
        if value is None and key not in _EXPERT_NULLABLE:
            raise field_error(key, "该字段不能为空（不修改请省略该字段）。")
    if "employer_unit_id" in data:
        data["employer_unit"] = _unit(data.pop("employer_unit_id"))
    if "user_id" in data:
        data["user"] = _user(data.pop("user_id"))
    with renamed_fields(employer_unit="employer_unit_id", user="user_id"):
        expert_services.expert_update(expert=expert, changes=data, actor=request.auth)
    return _expert_out(expert.pk)


@router.post(
    "/experts/{expert_id}/deactivate",
    response={200: ExpertOut, **ERRORS},
    summary="专家出库（不再被抽取；已参加的评审不受影响）",
)
def deactivate_expert(request, expert_id: int):
    require(request.auth, "procurement.manage_experts")
    expert = selectors_experts.expert_get(expert_id)
    expert_services.expert_deactivate(expert=expert, actor=request.auth)
    return _expert_out(expert.pk)


class TieIn(Schema):
    organization_id: int
    kind: str
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    note: str = ""


@router.post(
    "/experts/{expert_id}/ties", response={201: TieOut, **ERRORS}, summary="记录专家关联关系"
)
def add_tie(request, expert_id: int, payload: TieIn):
    require(request.auth, "procurement.manage_experts")
    expert = selectors_experts.expert_get(expert_id)
    org = _org(payload.organization_id, "organization_id")
    with renamed_fields(organization="organization_id"):
        tie = expert_services.expert_tie_add(
            expert=expert,
            organization=org,
            kind=payload.kind,
            started_on=payload.started_on,
            ended_on=payload.ended_on,
            note=payload.note,
            actor=request.auth,
        )
    return Status(201, tie_out(tie))


__all__ = ["router"]
