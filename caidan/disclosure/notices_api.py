"""API: the portal's notices and policies (政策与公告).

Reads need no login (``auth=None``): published and withdrawn notices (marked) for everyone;
a token or session of the platform admin also sees drafts by id. Writes (create, update,
publish, withdraw) are for the platform admin (``disclosure.notices_manage``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Router, Schema, Status

from caidan.common.schemas import ERRORS, PageOut, page_response

from . import notices, selectors
from .inputs import NoticeInput, NoticeWithdrawalInput
from .models import Notice

router = Router(tags=["notices 政策与公告"])


def _reader(request):
    from caidan.accounts.api_auth import optional_actor

    return optional_actor(request)


class NoticeOut(Schema):
    id: int
    category: str
    category_label: str
    title: str
    body: str
    source: str
    document_number: str
    effective_date: dt.date | None
    status: str
    status_label: str
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdraw_reason: str
    url: str


def notice_out(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "category": n.category,
        "category_label": n.get_category_display(),
        "title": n.title,
        "body": n.body,
        "source": n.source,
        "document_number": n.document_number,
        "effective_date": n.effective_date,
        "status": n.status,
        "status_label": n.get_status_display(),
        "published_at": n.published_at,
        "withdrawn_at": n.withdrawn_at,
        "withdraw_reason": n.withdraw_reason,
        "url": reverse("disclosure:notice_detail", args=[n.pk]),
    }


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    description: str
    url: str


class NoticeDetailOut(NoticeOut):
    attachments: list[AttachmentOut]


def notice_detail_out(n: Notice) -> dict[str, Any]:
    return {
        **notice_out(n),
        "attachments": [
            {
                "id": d.pk,
                "name": d.original_name,
                "size": d.size,
                "content_type": d.content_type,
                "description": d.description,
                "url": reverse("disclosure:notice_file", args=[n.pk, d.pk]),
            }
            for d in selectors.notice_attachments(n)
        ],
    }


@router.get("", response={200: PageOut[NoticeOut], **ERRORS}, auth=None, summary="政策与公告")
def list_notices(
    request,
    category: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.notice_list_public(category=category, q=q, cursor=cursor, limit=limit)
    return page_response(page, notice_out)


@router.get(
    "/{notice_id}",
    response={200: NoticeDetailOut, **ERRORS},
    auth=None,
    summary="一则政策或公告（含附件）",
)
def get_notice(request, notice_id: int):
    notice = selectors.notice_get_for(actor=_reader(request), notice_id=notice_id)
    return notice_detail_out(notice)


class NoticeIn(Schema):
    category: str
    title: str
    body: str
    source: str
    document_number: str = ""
    effective_date: dt.date | None = None


class NoticePatch(Schema):
    category: str | None = None
    title: str | None = None
    body: str | None = None
    source: str | None = None
    document_number: str | None = None
    effective_date: dt.date | None = None


class ReasonIn(Schema):
    reason: str


@router.post("", response={201: NoticeOut, **ERRORS}, summary="新建公告（草稿）")
def create_notice(request, payload: NoticeIn):
    notice = notices.notice_create(data=NoticeInput.parse(payload.dict()), actor=request.auth)
    return Status(201, notice_out(notice))


@router.post("/{notice_id}", response={200: NoticeOut, **ERRORS}, summary="修改公告")
def update_notice(request, notice_id: int, payload: NoticePatch):
    notice = selectors.notice_get_for_edit(actor=request.auth, notice_id=notice_id)
    changes = payload.dict(exclude_unset=True)
    notice = notices.notice_update(notice=notice, changes=changes, actor=request.auth)
    return notice_out(notice)


@router.post("/{notice_id}/publish", response={200: NoticeOut, **ERRORS}, summary="发布公告")
def publish_notice(request, notice_id: int):
    notice = selectors.notice_get_for_edit(actor=request.auth, notice_id=notice_id)
    return notice_out(notices.notice_publish(notice=notice, actor=request.auth))


@router.post("/{notice_id}/withdraw", response={200: NoticeOut, **ERRORS}, summary="撤回公告")
def withdraw_notice(request, notice_id: int, payload: ReasonIn):
    notice = selectors.notice_get_for_edit(actor=request.auth, notice_id=notice_id)
    return notice_out(
        notices.notice_withdraw(
            notice=notice, data=NoticeWithdrawalInput.parse(payload.dict()), actor=request.auth
        )
    )
