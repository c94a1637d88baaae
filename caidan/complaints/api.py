"""API: complaints to the finance department (/api/v1/complaints).

The challenger files; the finance bureau (platform admins) accepts or rejects, suspends the
procurement, lifts the suspension and decides; the complainant may withdraw before the
decision. Published decisions are public. Thin handlers: one service or selector each;
errors are 4xx ``{code, message, detail}``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from caidan.common.schemas import ERRORS, PageOut, page_response, renamed_fields
from caidan.procurement.models import Challenge

from . import selectors, services
from .inputs import (
    ComplaintDecisionInput,
    ComplaintInput,
    ComplaintRejectInput,
    ComplaintSuspendInput,
)
from .models import Complaint

router = Router(tags=["complaints 投诉"])


class ComplaintIn(Schema):
    challenge_ids: list[int]
    matters: str
    request: str


class ComplaintOut(Schema):
    id: int
    tender_id: int
    tender_title: str
    tender_reference: str
    award_id: int
    challenge_ids: list[int]
    complainant: str
    status: str
    status_label: str
    matters: str
    request: str
    filed_at: dt.datetime
    accept_due: dt.datetime
    decide_due: dt.datetime | None
    overdue: bool
    rejection_reason: str
    suspension_start: dt.datetime | None
    suspension_end: dt.datetime | None
    suspension_lifted_at: dt.datetime | None
    suspended: bool
    outcome: str
    outcome_label: str
    reasoning: str
    decided_at: dt.datetime | None
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    url: str


def out(c: Complaint, *, now: dt.datetime | None = None) -> dict:
    from django.utils import timezone

    now = now or timezone.now()
    return {
        "id": c.pk,
        "tender_id": c.tender_id,
        "tender_title": c.tender.title,
        "tender_reference": c.tender.reference,
        "award_id": c.award_id,
        "challenge_ids": sorted(ch.pk for ch in c.challenges.all()),
        "complainant": c.organization.name,
        "status": c.status,
        "status_label": c.get_status_display(),
        "matters": c.matters,
        "request": c.request,
        "filed_at": c.filed_at,
        "accept_due": c.accept_due,
        "decide_due": c.decide_due,
        "overdue": c.is_overdue(now),
        "rejection_reason": c.rejection_reason,
        "suspension_start": c.suspension_start,
        "suspension_end": c.suspension_end,
        "suspension_lifted_at": c.suspension_lifted_at,
        "suspended": c.is_pending and c.suspended_at(now),
        "outcome": c.outcome,
        "outcome_label": c.get_outcome_display() if c.outcome else "",
        "reasoning": c.reasoning,
        "decided_at": c.decided_at,
        "published_at": c.published_at,
        "withdrawn_at": c.withdrawn_at,
        "url": f"/complaints/{c.pk}/",
    }


@router.post("", response={201: ComplaintOut, **ERRORS}, summary="提出投诉（质疑供应商）")
def file_complaint(request, payload: ComplaintIn):
    ids = list(dict.fromkeys(payload.challenge_ids))
    found = list(Challenge.objects.select_related("organization").filter(pk__in=ids))
    if len(found) != len(ids) or not ids:
        from caidan.common.errors import field_error

        raise field_error("challenge_ids", _("找不到所选的质疑。"))
    with renamed_fields(challenges="challenge_ids"):
        c = services.complaint_file(
            actor=request.auth,
            data=ComplaintInput.parse(payload.dict(exclude={"challenge_ids"}), challenges=found),
        )
    return Status(201, out(c))


@router.get(
    "/public",
    response={200: PageOut[ComplaintOut], **ERRORS},
    auth=None,
    summary="已公告的投诉处理决定",
)
def list_public(request, cursor: str | None = None, limit: int = 20):
    page = selectors.complaint_list_public(cursor=cursor, limit=limit)
    return page_response(page, out)


@router.get("", response={200: PageOut[ComplaintOut], **ERRORS}, summary="可查看的投诉")
def list_for(
    request, status: str = "", overdue: bool = False, cursor: str | None = None, limit: int = 20
):
    page = selectors.complaint_list_for(
        actor=request.auth, status=status, overdue=overdue, cursor=cursor, limit=limit
    )
    return page_response(page, out)


def _get(request, complaint_id: int) -> Complaint:
    return selectors.complaint_get_for(actor=request.auth, complaint_id=complaint_id)


@router.get(
    "/{complaint_id}",
    response={200: ComplaintOut, **ERRORS},
    auth=None,
    summary="投诉详情（处理决定公告后公开）",
)
def detail(request, complaint_id: int):
    from caidan.accounts.api_auth import optional_actor

    actor = optional_actor(request)
    return out(selectors.complaint_get_for(actor=actor, complaint_id=complaint_id))


@router.post(
    "/{complaint_id}/accept", response={200: ComplaintOut, **ERRORS}, summary="受理（财政部门）"
)
def accept(request, complaint_id: int):
    return out(services.complaint_accept(complaint=_get(request, complaint_id), actor=request.auth))


class ReasonIn(Schema):
    reason: str


@router.post(
    "/{complaint_id}/reject",
    response={200: ComplaintOut, **ERRORS},
    summary="不予受理，书面说明理由（94号令 §21）",
)
def reject(request, complaint_id: int, payload: ReasonIn):
    c = services.complaint_reject(
        complaint=_get(request, complaint_id),
        actor=request.auth,
        data=ComplaintRejectInput.parse(payload.dict()),
    )
    return out(c)


class SuspendIn(Schema):
    until: dt.date
    reason: str
    start: dt.date | None = None


@router.post(
    "/{complaint_id}/suspend",
    response={200: ComplaintOut, **ERRORS},
    summary="书面通知暂停采购活动，最长 30 日（政府采购法 §57）",
)
def suspend(request, complaint_id: int, payload: SuspendIn):
    c = services.complaint_suspend(
        complaint=_get(request, complaint_id),
        actor=request.auth,
        data=ComplaintSuspendInput.parse(payload.dict()),
    )
    return out(c)


@router.post("/{complaint_id}/lift", response={200: ComplaintOut, **ERRORS}, summary="解除暂停采购")
def lift(request, complaint_id: int):
    c = services.complaint_lift_suspension(
        complaint=_get(request, complaint_id), actor=request.auth
    )
    return out(c)


class DecideIn(Schema):
    outcome: str
    reasoning: str


@router.post(
    "/{complaint_id}/decide",
    response={200: ComplaintOut, **ERRORS},
    summary="作出处理决定并公告（政府采购法 §56，94号令 §31–32、§35）",
)
def decide(request, complaint_id: int, payload: DecideIn):
    c = services.complaint_decide(
        complaint=_get(request, complaint_id),
        actor=request.auth,
        data=ComplaintDecisionInput.parse(payload.dict()),
    )
    return out(c)


@router.post(
    "/{complaint_id}/withdraw",
    response={200: ComplaintOut, **ERRORS},
    summary="投诉人撤回投诉（94号令 §30）",
)
def withdraw(request, complaint_id: int):
    c = services.complaint_withdraw(complaint=_get(request, complaint_id), actor=request.auth)
    return out(c)


__all__ = ["router"]
