"""Hashing for the audit chain: canonical serialisation and the algorithm choice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "kind",
    "at",
    "actor_id",
    "actor_label",
    "actor_role",
    "target_type",
    "target_id",
    "target_label",
    "old",
    "new",
    "note",
    "ip",
    "prev_hash",
    "hash_alg",
)


def preferred_algorithm() -> str:
    wanted = getattr(settings, "AUDIT_HASH_ALGORITHM", "sm3").lower()
    if wanted == "sm3":
        try:
            hashlib.new("sm3")
        except ValueError:
            return "sha256"
    return wanted


def digest(alg: str, payload: bytes) -> str:
    return hashlib.new(alg, payload).hexdigest()


def canonical(fields: dict[str, Any]) -> bytes:
    """One byte string per event: sorted keys, no spaces, UTF-8, UTC microsecond time."""
    data = {name: fields[name] for name in HASHED_FIELDS}
    at = data["at"]
    data["at"] = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data["actor_id"] = None if data["actor_id"] is None else int(data["actor_id"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(fields: dict[str, Any]) -> str:
    return digest(fields["hash_alg"], canonical(fields))
