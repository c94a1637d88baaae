"""Reads for the portal's notices. Published and withdrawn notices are public (withdrawn
ones marked); drafts only for the platform admin (others get "not found", not a hint)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import can, require
from caidan.common.actor import Actor
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import text_match
from caidan.disclosure.codes import Code

from . import permissions  # noqa: F401 - registers "disclosure.notices_manage"
from .models import Notice, NoticeCategory, NoticeStatus

PERMISSION = Perm.DISCLOSURE_NOTICES_MANAGE
MAX_QUERY_LENGTH = 100


def can_manage_notices(actor: Actor) -> bool:
    return actor is not None and can(actor, PERMISSION)


def clean_query(q: Any) -> str:
    """A search query: trimmed; at most ``MAX_QUERY_LENGTH`` characters."""
    q = str(q or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise field_error(
            "q",
            _("搜索词最多 %(MAX_QUERY_LENGTH)s 个字。") % {"MAX_QUERY_LENGTH": MAX_QUERY_LENGTH},
            code=Code.TOO_LONG,
        )
    return q


def _category(category: str) -> str:
    category = (category or "").strip()
    if category and category not in NoticeCategory.values:
        raise field_error("category", _("类别“%(category)s”无效。") % {"category": category})
    return category


def notice_list_public(
    *,
    category: str = "",
    q: str = "",
    include_withdrawn: bool = True,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Public notices, newest publication first (keyset on ``published_at``, ``id``)."""
    qs = Notice.objects.public()
    if not include_withdrawn:
        qs = qs.filter(status=NoticeStatus.PUBLISHED)
    if category := _category(category):
        qs = qs.filter(category=category)
    if q := clean_query(q):
        qs = qs.filter(text_match(q, "title", "document_number"))
    return keyset_paginate(qs, ordering=("-published_at", "-id"), cursor=cursor, limit=limit)


def notice_list_manage(
    *,
    actor: Actor,
    status: str = "",
    category: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Every notice, drafts included, newest first: the platform admin's desk."""
    require(actor, PERMISSION)
    qs = Notice.objects.select_related("updated_by")
    status = (status or "").strip()
    if status:
        if status not in NoticeStatus.values:
            raise field_error("status", _("状态“%(status)s”无效。") % {"status": status})
        qs = qs.filter(status=status)
    if category := _category(category):
        qs = qs.filter(category=category)
    if q := clean_query(q):
        qs = qs.filter(text_match(q, "title", "document_number"))
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def _id(value: Any) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise NotFound(_("找不到该公告。"), code=Code.NOTICE_NOT_FOUND) from None
    if not 0 < value < 2**63:
        raise NotFound(_("找不到该公告。"), code=Code.NOTICE_NOT_FOUND)
    return value


def notice_get_for(*, actor: Actor, notice_id: Any) -> Notice:
    """A public notice for anyone; a draft only for the platform admin."""
    notice = Notice.objects.filter(pk=_id(notice_id)).first()
    if notice is None or (not notice.is_public and not can_manage_notices(actor)):
        raise NotFound(_("找不到该公告。"), code=Code.NOTICE_NOT_FOUND)
    return notice


def notice_get_for_edit(*, actor: Actor, notice_id: Any) -> Notice:
    require(actor, PERMISSION)
    notice = Notice.objects.filter(pk=_id(notice_id)).first()
    if notice is None:
        raise NotFound(_("找不到该公告。"), code=Code.NOTICE_NOT_FOUND)
    return notice


def notice_attachments(notice: Notice) -> list:
    """The files attached to a notice, oldest first. Who may open them follows the notice
    (``notice_get_for``), not the documents' own ``is_public`` flag."""
    from caidan.documents.models import Document

    from .notices import DOCUMENT_TARGET

    return list(
        Document.objects.filter(target_type=DOCUMENT_TARGET, target_id=str(notice.pk)).order_by(
            "id"
        )
    )
