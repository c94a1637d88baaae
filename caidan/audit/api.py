"""API: browse the audit log (platform admin and auditors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from caidan.common.permissions import require
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, page_response

from .selectors import audit_chain_verify, audit_event_list

router = Router(tags=["audit 审计日志"])


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str
    actor_role: str
    target_type: str
    target_id: str
    target_label: str
    old: Any = None
    new: Any = None
    note: str
    hash: str
    prev_hash: str
    hash_alg: str


def event_out(e) -> dict:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "at": e.at,
        "actor": e.actor_label,
        "actor_role": e.actor_role,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "target_label": e.target_label,
        "old": e.old,
        "new": e.new,
        "note": e.note,
        "hash": e.hash,
        "prev_hash": e.prev_hash,
        "hash_alg": e.hash_alg,
    }


@router.get("/events", response={200: PageOut[EventOut], **ERRORS}, summary="审计事件")
def list_events(
    request,
    kind: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    require(request.auth, Perm.AUDIT_VIEW)
    page = audit_event_list(
        kind=kind,
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    return page_response(page, event_out)


class VerifyOut(Schema):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str


@router.get("/verify", response={200: VerifyOut, **ERRORS}, summary="校验审计链")
def verify(request):
    require(request.auth, Perm.AUDIT_VIEW)
    report = audit_chain_verify()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "broken_seq": report.broken_seq,
        "reason": report.reason,
    }


class AnchorOut(Schema):
    type: str
    v: int
    day: str
    seq: int
    hash: str
    hash_alg: str
    at: str
    key_id: str
    signature: str


class AnchorsOut(Schema):
    public_keys: dict[str, str]  # key id → base64 of the raw 32-byte Ed25519 public key
    anchors: list[AnchorOut]


@router.get(
    "/anchors",
    auth=None,
    response={200: AnchorsOut, **ERRORS},
    summary="审计链锚点（公开）",
    description=(
        "每日签名发布的审计链链头（序号、哈希、时间），Ed25519 签名覆盖除 signature 外各字段的"
        "规范 JSON（键排序、无空格、UTF-8）。审计人员应每日下载保存，用 "
        "`manage.py audit_verify --anchors <文件>` 校验。"
    ),
)
def anchors(request):
    from .anchors import anchor_dict, public_keys
    from .models import AuditAnchor

    return {
        "public_keys": public_keys(),
        "anchors": [anchor_dict(a) for a in AuditAnchor.objects.order_by("day")],
    }
