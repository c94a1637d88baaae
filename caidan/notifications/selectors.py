from __future__ import annotations

from caidan.common.pagination import Page, keyset_paginate

from .models import Notification


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(*, user, unread_only: bool = False, cursor=None, limit=None) -> Page:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)
