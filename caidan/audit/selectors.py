"""Reading the audit log: browsing with filters, and verifying the chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from caidan.common.pagination import Page, keyset_paginate

from .chain import GENESIS, event_hash
from .models import AuditChainHead, AuditEvent


def audit_event_list(
    *,
    kind: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    qs: QuerySet = AuditEvent.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if actor:
        qs = qs.filter(actor__username=actor)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return keyset_paginate(qs, ordering=("-seq",), cursor=cursor, limit=limit)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def _fields(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "old": event.old,
        "new": event.new,
        "note": event.note,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
        "hash_alg": event.hash_alg,
    }


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order. The first event whose number, link or hash does not hold
    is reported; a missing tail is caught by comparing with the chain head."""
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    last = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"事件序号不连续：期望 #{expected_seq}，实为 #{event.seq}（有事件被删除或重排）",
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"事件 #{event.seq} 记录的前一哈希与事件 #{event.seq - 1} 不符（链被重排或篡改）",
            )
        if event_hash(_fields(event)) != event.hash:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"事件 #{event.seq} 的内容与其哈希不符（记录被修改）",
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
        last = event
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS
    last_seq = last.seq if last else 0
    if head_seq != last_seq or head_hash != prev_hash:
        return ChainReport(
            False,
            checked,
            last_seq + 1,
            None,
            f"链头记录最后事件为 #{head_seq}，表中最后事件为 #{last_seq}（末尾事件被删除）",
        )
    return ChainReport(True, checked)
