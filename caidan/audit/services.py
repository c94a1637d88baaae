"""Writing the audit log. Only ``audit_record`` appends events; nothing updates them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from caidan.common.actor import Actor

from .chain import GENESIS, event_hash, preferred_algorithm
from .kinds import EventKind
from .models import AuditChainHead, AuditEvent


def _json_safe(value: Any) -> Any:
    """Decimals, dates and UUIDs become strings, so the stored JSON hashes the same on reading."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _actor_parts(actor: Actor) -> tuple[Any, str, str]:
    """Accept an ``Actor`` (user + active membership), a user, or None (the system)."""
    if actor is None:
        return None, "系统", "system"
    user = getattr(actor, "user", actor)
    role = getattr(actor, "role", "") or ""
    if user is None or not getattr(user, "pk", None):
        return None, getattr(actor, "label", "匿名"), role or "anonymous"
    label = user.get_full_name() or user.get_username()
    return user, label, role


def _target_parts(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:300]
    if isinstance(target, tuple):
        kind, pk, label = (list(target) + ["", "", ""])[:3]
        return str(kind), str(pk), str(label)[:300]
    return "", "", str(target)[:300]


_after_record: list[Callable[[AuditEvent, Any], None]] = []


def on_audit_record(hook: Callable[[AuditEvent, Any], None]) -> None:
    """Register ``hook(event, target)``, called inside the writer's transaction right after
    each event is appended, while the chain head is still locked (so hooks run in commit
    order; ``caidan.disclosure.feed`` relies on it). Registered once, from ``AppConfig.ready``."""
    if hook not in _after_record:
        _after_record.append(hook)


def audit_record(
    *,
    kind: str,
    actor: Actor,
    target: Any = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    note: str = "",
    ip: str = "",
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction, so the
    event commits or rolls back with the change it describes."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown audit event kind {kind!r}: add it to caidan.audit.kinds")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    user, actor_label, actor_role = _actor_parts(actor)
    target_type, target_id, target_label = _target_parts(target)
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditChainHead.objects.create(pk=1, seq=0, hash=GENESIS, hash_alg="")
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    fields = {
        "seq": head.seq + 1,
        "kind": str(kind),
        "at": timezone.now(),
        "actor_id": user.pk if user else None,
        "actor_label": actor_label[:200],
        "actor_role": str(actor_role)[:64],
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "old": _json_safe(old),
        "new": _json_safe(new),
        "note": note or "",
        "ip": (ip or getattr(actor, "ip", "") or "")[:64],
        "prev_hash": head.hash,
        "hash_alg": preferred_algorithm(),
    }
    fields["hash"] = event_hash(fields)
    event = AuditEvent.objects.create(**fields)
    AuditChainHead.objects.filter(pk=1).update(
        seq=event.seq, hash=event.hash, hash_alg=event.hash_alg
    )
    for hook in _after_record:
        hook(event, target)
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed, as (old, new) dictionaries for ``audit_record``."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
