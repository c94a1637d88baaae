"""API: enquiries, suggestions, information requests and supervision reports
(/api/v1/enquiries).

Submitting a report needs no login (the anonymous reporter gets a follow-up code, shown
once); the other kinds need a verified resident or a provider. Officers list and handle
their unit's items; published answers and statistics are public.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from caidan.accounts.middleware import client_ip
from caidan.accounts.models import Unit, User
from caidan.common.errors import field_error
from caidan.common.schemas import ERRORS, BulkOut, ErrorOut, Id, PageOut, Year, page_response
from caidan.enquiries.codes import Code

from . import selectors, services
from .inputs import (
    EnquiryAnswerInput,
    EnquiryCloseInput,
    EnquiryExtendInput,
    EnquiryHideInput,
    EnquiryInput,
    EnquiryRestoreInput,
    EnquiryTransferInput,
)
from .models import Enquiry

router = Router(tags=["enquiries 咨询建议与监督"])
ERRORS_429 = {**ERRORS, 429: ErrorOut}


class EnquiryIn(Schema):
    kind: str
    subject_type: str
    subject_id: Id | None = None
    official: str = ""
    unit_id: Id | None = None
    title: str
    body: str
    publish_consent: bool = False
    anonymous: bool = False


class EnquiryOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject_type: str
    subject_id: int | None
    subject_label: str
    unit_id: int
    unit_name: str
    title: str
    body: str
    status: str
    status_label: str
    asker: str
    handler_id: int | None
    handler_name: str
    received_at: dt.datetime
    due_on: dt.date
    extended_due_on: dt.date | None
    extension_reason: str
    answer: str
    answered_at: dt.datetime | None
    publish_consent: bool
    published: bool
    overdue: bool
    overdue_flagged_at: dt.datetime | None
    hidden: bool
    url: str


def out(e: Enquiry, actor) -> dict:
    from django.utils import timezone

    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "subject_type": e.subject_type,
        "subject_id": e.subject_id,
        "subject_label": e.subject_label,
        "unit_id": e.unit_id,
        "unit_name": e.unit.name,
        "title": e.title,
        "body": e.body,
        "status": e.status,
        "status_label": e.get_status_display(),
        "asker": selectors.asker_display(actor, e),
        "handler_id": e.handler_id,
        "handler_name": e.handler.get_full_name() if e.handler_id else "",
        "received_at": e.received_at,
        "due_on": e.due_on,
        "extended_due_on": e.extended_due_on,
        "extension_reason": e.extension_reason,
        "answer": e.answer,
        "answered_at": e.answered_at,
        "publish_consent": e.publish_consent,
        "published": e.published,
        "overdue": e.is_overdue(timezone.localdate()),
        "overdue_flagged_at": e.overdue_flagged_at,
        "hidden": e.hidden,
        "url": f"/enquiries/{e.pk}/",
    }


class SubmittedOut(EnquiryOut):
    followup_code: str


@router.post(
    "",
    response={201: SubmittedOut, **ERRORS_429},
    auth=None,
    summary="提出咨询、建议、信息公开申请或举报（举报可匿名）",
)
def submit(request, payload: EnquiryIn):
    from ninja.utils import check_csrf

    from caidan.accounts.api_auth import optional_actor
    from caidan.common.errors import PermissionDenied

    actor = optional_actor(request)
    if actor.is_authenticated and actor.via == "session" and check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF 校验失败，请刷新页面后重试。"), code=Code.CSRF_FAILED)
    e, code = services.enquiry_submit(
        actor=actor, ip=client_ip(request), data=EnquiryInput.parse(payload.dict())
    )
    return Status(201, {**out(e, actor), "followup_code": code})


class PublicOut(Schema):
    id: int
    kind_label: str
    unit_name: str
    subject_label: str
    title: str
    body: str
    answer: str
    received_at: dt.datetime
    answered_at: dt.datetime | None
    url: str


def public_out(e: Enquiry) -> dict:
    return {
        "id": e.pk,
        "kind_label": e.get_kind_display(),
        "unit_name": e.unit.name,
        "subject_label": e.subject_label,
        "title": e.published_title,
        "body": e.published_body,
        "answer": e.published_answer,
        "received_at": e.received_at,
        "answered_at": e.answered_at,
        "url": f"/enquiries/public/{e.pk}/",
    }


@router.get(
    "/public", response={200: PageOut[PublicOut], **ERRORS}, auth=None, summary="公开的答复"
)
def list_public(
    request,
    unit_id: Id | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.enquiry_list_public(unit_id=unit_id, q=q, cursor=cursor, limit=limit)
    return page_response(page, public_out)


class StatsOut(Schema):
    unit_id: int
    unit_name: str
    volume: int
    by_kind: dict[str, int]
    open: int
    answered: int
    overdue: int
    average_answer_days: float | None
    median_answer_days: float | None


@router.get(
    "/statistics",
    response={200: list[StatsOut], **ERRORS},
    auth=None,
    summary="各单位办理统计（数量、答复用时、逾期）",
)
def statistics(request, year: Year | None = None):
    return [s.as_dict() for s in selectors.enquiry_statistics(year=year)]


class FollowupIn(Schema):
    code: str


@router.post(
    "/followup",
    response={200: EnquiryOut, **ERRORS},
    auth=None,
    summary="凭查询码查看匿名举报的办理进展",
)
def followup(request, payload: FollowupIn):
    e = selectors.enquiry_get_by_code(code=payload.code)
    data = out(e, request.actor)
    data["asker"] = "匿名"
    return data


@router.get("/mine", response={200: PageOut[EnquiryOut], **ERRORS}, summary="我提出的事项")
def mine(request, cursor: str | None = None, limit: int = 20):
    page = selectors.enquiry_list_mine(actor=request.auth, cursor=cursor, limit=limit)
    return page_response(page, lambda e: out(e, request.auth))


@router.get("", response={200: PageOut[EnquiryOut], **ERRORS}, summary="本单位办理的事项")
def inbox(
    request,
    status: str = "",
    kind: str = "",
    unit_id: Id | None = None,
    overdue: bool = False,
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.enquiry_list_for(
        actor=request.auth,
        status=status,
        kind=kind,
        unit_id=unit_id,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
    )
    return page_response(page, lambda e: out(e, request.auth))


@router.get("/{enquiry_id}", response={200: EnquiryOut, **ERRORS}, summary="事项详情")
def detail(request, enquiry_id: int):
    return out(selectors.enquiry_get_for(actor=request.auth, enquiry_id=enquiry_id), request.auth)


def _get(request, enquiry_id: int) -> Enquiry:
    return selectors.enquiry_get_for(actor=request.auth, enquiry_id=enquiry_id)


class AssignIn(Schema):
    handler_id: int


@router.post("/{enquiry_id}/assign", response={200: EnquiryOut, **ERRORS}, summary="指定承办人")
def assign(request, enquiry_id: int, payload: AssignIn):
    handler = User.objects.filter(pk=payload.handler_id).first()
    if handler is None:
        raise field_error("handler_id", _("找不到该承办人。"))
    e = services.enquiry_assign(
        enquiry=_get(request, enquiry_id), handler=handler, actor=request.auth
    )
    return out(e, request.auth)


class AnswerIn(Schema):
    answer: str


@router.post("/{enquiry_id}/answer", response={200: EnquiryOut, **ERRORS}, summary="答复")
def answer(request, enquiry_id: int, payload: AnswerIn):
    e = services.enquiry_answer(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryAnswerInput.parse(payload.dict()),
    )
    return out(e, request.auth)


class ReplyIn(Schema):
    answer: str
    publish: bool = False


@router.post(
    "/{enquiry_id}/reply",
    response={200: EnquiryOut, **ERRORS},
    summary="一步答复：无人承办时由答复人承办；publish 为 true 且提出人同意公开时同时公开",
)
def reply(request, enquiry_id: int, payload: ReplyIn):
    e = services.enquiry_reply(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryAnswerInput.parse(answer=payload.answer),
        publish=payload.publish,
    )
    return out(e, request.auth)


class BulkAnswerIn(Schema):
    enquiry_ids: list[int | str]
    answer: str


@router.post(
    "/bulk/answers",
    response={200: BulkOut, **ERRORS},
    summary="批量答复：同一答复逐项办理（尚无承办人的先由本人承办），逐项返回结果",
)
def bulk_answer(request, payload: BulkAnswerIn):
    from caidan.accounts.permissions import require
    from caidan.common.bulk import bulk_ids, bulk_summary
    from caidan.common.perms import Perm

    require(request.auth, Perm.ENQUIRIES_HANDLE)
    ids = bulk_ids(payload.enquiry_ids, field_name="enquiry_ids")
    return bulk_summary(
        services.enquiries_answer_bulk(ids=ids, answer=payload.answer, actor=request.auth)
    )


class TransferIn(Schema):
    unit_id: int
    reason: str


@router.post("/{enquiry_id}/transfer", response={200: EnquiryOut, **ERRORS}, summary="转办")
def transfer(request, enquiry_id: int, payload: TransferIn):
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise field_error("unit_id", _("找不到该单位。"))
    e = services.enquiry_transfer(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryTransferInput.parse(to_unit=unit, reason=payload.reason),
    )
    return out(e, request.auth)


class ReasonIn(Schema):
    reason: str


@router.post("/{enquiry_id}/close", response={200: EnquiryOut, **ERRORS}, summary="办结（不答复）")
def close(request, enquiry_id: int, payload: ReasonIn):
    e = services.enquiry_close(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryCloseInput.parse(payload.dict()),
    )
    return out(e, request.auth)


class ExtendIn(Schema):
    days: int
    reason: str


@router.post(
    "/{enquiry_id}/extend",
    response={200: EnquiryOut, **ERRORS},
    summary="延长信息公开申请的答复期限（一次，至多 20 个工作日）",
)
def extend(request, enquiry_id: int, payload: ExtendIn):
    e = services.enquiry_extend(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryExtendInput.parse(payload.dict()),
    )
    return out(e, request.auth)


@router.post("/{enquiry_id}/publish", response={200: EnquiryOut, **ERRORS}, summary="公开答复")
def publish(request, enquiry_id: int):
    e = services.enquiry_publish(enquiry=_get(request, enquiry_id), actor=request.auth)
    return out(e, request.auth)


@router.post("/{enquiry_id}/hide", response={200: EnquiryOut, **ERRORS}, summary="屏蔽")
def hide(request, enquiry_id: int, payload: ReasonIn):
    e = services.enquiry_hide(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryHideInput.parse(payload.dict()),
    )
    return out(e, request.auth)


@router.post("/{enquiry_id}/restore", response={200: EnquiryOut, **ERRORS}, summary="恢复")
def restore(request, enquiry_id: int, payload: ReasonIn):
    e = services.enquiry_restore(
        enquiry=_get(request, enquiry_id),
        actor=request.auth,
        data=EnquiryRestoreInput.parse(payload.dict()),
    )
    return out(e, request.auth)


class ConsentIn(Schema):
    consent: bool


@router.post(
    "/{enquiry_id}/consent",
    response={200: EnquiryOut, **ERRORS},
    summary="提出人同意或撤回公开答复",
)
def consent(request, enquiry_id: int, payload: ConsentIn):
    e = services.enquiry_set_consent(
        enquiry=_get(request, enquiry_id), consent=payload.consent, actor=request.auth
    )
    return out(e, request.auth)
