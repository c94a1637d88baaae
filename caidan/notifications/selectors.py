from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber

from caidan.common.pagination import Page, keyset_paginate

from .models import Notification

# older messages shown under a group's newest one (the rest: "and N more")
GROUP_SHOWN = 5

OPEN = Q(read_at__isnull=True, done_at__isnull=True)


def unread_count(*, user) -> int:
    """Messages neither read nor done (a done task no longer waits for anyone)."""
    return Notification.objects.filter(OPEN, recipient=user).count()


def inbox(*, user, unread_only: bool = False, cursor=None, limit=None) -> Page:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(OPEN)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


@dataclass
class InboxGroup:
    """The messages of one record (one link), newest first."""

    head: Notification
    count: int
    open: int
    older: list[Notification] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - 1 - len(self.older)


def _count(rows, extra: Q | None = None) -> Subquery:
    return Subquery(
        rows.filter(extra or Q(), url=OuterRef("url"))
        .order_by()
        .values("url")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )


def inbox_grouped(*, user, unread_only: bool = False, cursor=None, limit=None) -> Page:
    """My inbox grouped by the record each message links to, the group with the newest
    message first. Keyset pagination over the groups' newest messages (a message with no
    newer one for the same link), so a page costs the same at any depth; two queries a
    page: the heads with their counts, then up to ``GROUP_SHOWN`` older messages of each."""
    mine = Notification.objects.filter(recipient=user)
    if unread_only:
        mine = mine.filter(OPEN)
    newer = mine.filter(url=OuterRef("url"), id__gt=OuterRef("id"))
    heads = mine.filter(Q(url="") | ~Exists(newer)).annotate(
        group_count=_count(mine), group_open=_count(mine, OPEN)
    )
    page = keyset_paginate(heads, ordering=("-id",), cursor=cursor, limit=limit)
    linked = [h for h in page.items if h.url]
    older: dict[str, list[Notification]] = {}
    if any(h.group_count > 1 for h in linked):
        rows = (
            mine.filter(url__in=[h.url for h in linked if h.group_count > 1])
            .annotate(rank=Window(RowNumber(), partition_by=[F("url")], order_by=F("id").desc()))
            .filter(rank__lte=GROUP_SHOWN + 1)
            .order_by("-id")
        )
        heads_ids = {h.pk for h in linked}
        for row in rows:
            if row.pk not in heads_ids:
                older.setdefault(row.url, []).append(row)
    groups = []
    for h in page.items:
        if h.url:
            groups.append(InboxGroup(h, h.group_count, h.group_open or 0, older.get(h.url, [])))
        else:  # a message without a link is a group of its own
            groups.append(InboxGroup(h, 1, int(h.read_at is None and h.done_at is None)))
    return Page(
        items=groups, next_cursor=page.next_cursor, limit=page.limit, has_more=page.has_more
    )
