"""Reads for documents. Views and the API fetch documents only through these."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caidan.common.actor import Actor
from caidan.common.errors import NotAuthenticated, NotFound
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.permissions import require
from caidan.common.perms import Perm

from .models import Document
from .permissions import visible_filter


def document_get_for(*, actor: Actor, document_id: int) -> Document:
    """The document, if ``actor`` may see and download it: public ones for anyone (even
    anonymous), private ones for their uploader and platform admins.

    Raises NotFound when there is no such document, NotAuthenticated / PermissionDenied
    when the actor may not open it."""
    document = Document.objects.select_related("uploaded_by").filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("找不到该文件。"))
    if not document.is_public:
        require(actor, Perm.DOCUMENTS_VIEW_PRIVATE, document)
    return document


def document_list_mine(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None
) -> Page:
    """The documents ``actor`` uploaded, newest first, one keyset page."""
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    qs = Document.objects.select_related("uploaded_by").filter(uploaded_by=actor.user)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def document_list_for_target(
    *, actor: Actor, target_type: str, target_id: Any
) -> QuerySet[Document]:
    """The documents attached to one object (``"projects.proposal"``, ``"42"``) that
    ``actor`` may open, oldest first."""
    return (
        Document.objects.select_related("uploaded_by")
        .filter(target_type=target_type, target_id=str(target_id))
        .filter(visible_filter(actor))
        .order_by("id")
    )
