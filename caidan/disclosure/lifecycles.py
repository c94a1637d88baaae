"""The portal notice's status table (``caidan.common.lifecycle``). Editing keeps the
status, so ``update`` only checks the table."""

from __future__ import annotations

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import NOTICE_TRANSITIONS, NoticeAction, NoticeStatus

notice_lifecycle = Lifecycle(
    name="notice",
    model="disclosure.Notice",
    table=NOTICE_TRANSITIONS,
    audit_kind={
        NoticeAction.UPDATE: EventKind.NOTICE_UPDATED,
        NoticeAction.PUBLISH: EventKind.NOTICE_PUBLISHED,
        NoticeAction.WITHDRAW: EventKind.NOTICE_WITHDRAWN,
    },
    noun="公告",
    actions=NoticeAction,
    statuses=NoticeStatus,
    initial=frozenset({NoticeStatus.DRAFT}),
    named=True,
)
