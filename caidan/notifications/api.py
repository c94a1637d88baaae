"""API: my notification inbox."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from caidan.common.schemas import ERRORS, PageOut, page_response

from . import selectors, services

router = Router(tags=["notifications 通知"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool
    task: str
    done: bool


def out(n) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "created_at": n.created_at,
        "read": n.read_at is not None,
        "task": n.task,
        "done": n.done_at is not None,
    }


@router.get("", response={200: PageOut[NotificationOut], **ERRORS}, summary="我的通知")
def list_notifications(request, unread: bool = False, cursor: str | None = None, limit: int = 20):
    page = selectors.inbox(user=request.auth.user, unread_only=unread, cursor=cursor, limit=limit)
    return page_response(page, out)


@router.post(
    "/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读"
)
def mark_read(request, notification_id: int):
    return out(
        services.notification_mark_read(user=request.auth.user, notification_id=notification_id)
    )


@router.post("/read-all", response={200: dict, **ERRORS}, summary="全部标为已读")
def mark_all_read(request):
    return {"updated": services.notification_mark_all_read(user=request.auth.user)}
