"""Anchoring the audit chain outside the database (审计链锚定).

The hash chain (``chain.py``) catches an edited, deleted or reordered event, but someone
who can write to the database can still delete the newest events and move the chain head
back, or recompute every hash after an edit: the chain is then consistent again. So once a
day the chain head (number, hash, time) is *anchored*: signed with an Ed25519 key that lives
only in the environment (``settings.AUDIT_ANCHOR_KEY``, never in the database) and published
on the portal (``/open/audit-anchors/``, ``/open/data/audit-anchors.jsonl``, and
``/api/v1/audit/anchors``). Outsiders keep copies; ``manage.py audit_verify --anchors <file or
URL>`` checks the local chain against each one:

* the anchor's signature verifies under a published public key;
* the local event at the anchor's number exists and has the anchored hash;
* the chain head is not behind the newest anchor.

A rewritten tail or a re-hashed chain then differs from an anchor someone else holds.
Only events newer than the last anchor are unprotected by it (at most a day).

An anchor, as published (one JSON object per line; the signature is over ``signed_bytes``,
the canonical JSON of every other field):

    {"type":"caidan.audit_anchor","v":1,"day":"2026-12-05","seq":1234,"hash":"…",
     "hash_alg":"sm3","at":"2026-12-04T16:00:03.120000Z","key_id":"k1","signature":"<base64>"}
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from caidan.common.tick import tick_job

from .chain import GENESIS
from .kinds import EventKind
from .models import AuditAnchor, AuditChainHead, AuditEvent

log = logging.getLogger(__name__)

TYPE = "caidan.audit_anchor"
VERSION = 1
SIGNED_FIELDS = ("type", "v", "day", "seq", "hash", "hash_alg", "at", "key_id")


# --- keys ------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _parse(value: str, setting: str) -> tuple[str, bytes]:
    key_id, sep, b64 = str(value).strip().partition(":")
    if not sep or not key_id.strip():
        raise ImproperlyConfigured(f"{setting}: expected '<key id>:<base64 of 32 bytes>'")
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{setting}: key {key_id!r} is not base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting}: key {key_id!r} must be 32 bytes")
    return key_id.strip(), raw


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The current signing key, from ``settings.AUDIT_ANCHOR_KEY``."""
    key_id, seed = _parse(settings.AUDIT_ANCHOR_KEY, "AUDIT_ANCHOR_KEY")
    return key_id, Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_keys() -> dict[str, str]:
    """Every published public key, ``{key id: base64 of the 32-byte raw Ed25519 key}``: the
    current one first, then retired ones (``AUDIT_ANCHOR_OLD_PUBLIC_KEYS``)."""
    key_id, private = signing_key()
    keys = {key_id: public_key_b64(private.public_key())}
    for part in str(getattr(settings, "AUDIT_ANCHOR_OLD_PUBLIC_KEYS", "") or "").split(","):
        if part.strip():
            old_id, raw = _parse(part, "AUDIT_ANCHOR_OLD_PUBLIC_KEYS")
            keys.setdefault(old_id, _b64(raw))
    return keys


def public_key_pem(b64: str) -> str:
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(b64))
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def new_anchor_key(key_id: str = "k1") -> str:
    """A fresh signing key in the settings format (``manage.py audit_anchor --new-key``)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return f"{key_id}:{_b64(raw)}"


# --- the anchor's form -----------------------------------------------------------------------------


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def anchor_dict(anchor: AuditAnchor) -> dict[str, Any]:
    """An anchor as published (the JSON line of the open-data file)."""
    return {
        "type": TYPE,
        "v": VERSION,
        "day": anchor.day.isoformat(),
        "seq": int(anchor.seq),
        "hash": anchor.hash,
        "hash_alg": anchor.hash_alg,
        "at": _utc(anchor.at),
        "key_id": anchor.key_id,
        "signature": anchor.signature,
    }


def anchor_line(anchor: AuditAnchor) -> str:
    return json.dumps(anchor_dict(anchor), ensure_ascii=False, separators=(",", ":"))


def signed_bytes(data: dict[str, Any]) -> bytes:
    """What the signature covers: the canonical JSON (sorted keys, no spaces, UTF-8) of the
    anchor's fields other than the signature."""
    body = {name: data.get(name) for name in SIGNED_FIELDS}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# --- making the daily anchor ---------------------------------------------------------------------


class AnchorRefused(RuntimeError):
    """The local chain does not verify: signing its head would bless the tampering."""


def _verify_since_last_anchor(upto_seq: int, upto_hash: str) -> None:
    """The events since the previous anchor still link up to the head about to be signed,
    and the previous anchor's event still has its hash (cheap: about one day of events)."""
    from .selectors import audit_chain_verify

    last = AuditAnchor.objects.filter(seq__lte=upto_seq).order_by("-seq").first()
    start = (last.seq, last.hash) if last else (0, GENESIS)
    if last and last.seq:
        stored = AuditEvent.objects.filter(seq=last.seq).values_list("hash", flat=True).first()
        if stored != last.hash:
            raise AnchorRefused(
                f"事件 #{last.seq} 的哈希与 {last.day} 的锚点不符，拒绝发布新锚点。"
            )
    report = audit_chain_verify(after=start, upto=(upto_seq, upto_hash))
    if not report.ok:
        raise AnchorRefused(
            f"审计链校验失败（#{report.broken_seq}：{report.reason}），拒绝发布新锚点。"
        )


def audit_anchor_create(*, now: dt.datetime | None = None) -> tuple[AuditAnchor, bool]:
    """Verify the chain since the previous anchor, append today's ``audit.anchored`` event and
    sign the chain head it makes (once per local day): returns ``(anchor, created)``; a
    second call the same day returns the existing one. Refuses (``AnchorRefused``) when the
    chain since the previous anchor does not verify."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    existing = AuditAnchor.objects.filter(day=day).first()
    if existing:
        return existing, False
    key_id, private = signing_key()
    with transaction.atomic():
        # Lock the head: the anchored head is exactly the chain as committed, and two
        # servers ticking together anchor once.
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        existing = AuditAnchor.objects.filter(day=day).first()
        if existing:
            return existing, False
        seq, hash_ = (head.seq, head.hash) if head else (0, GENESIS)
        _verify_since_last_anchor(seq, hash_)
        # The anchored event is the anchoring itself, appended to the verified chain: so the
        # published hash is never that of an event whose details are withheld from some
        # readers (``selectors.audit_withhold``), and the event names no other hash.
        from .services import audit_record

        event = audit_record(
            kind=EventKind.AUDIT_ANCHORED,
            actor=None,
            target=("audit.auditanchor", day.isoformat(), f"审计链锚点 {day}"),
            new={"day": day.isoformat(), "key_id": key_id},
        )
        data = {
            "type": TYPE,
            "v": VERSION,
            "day": day.isoformat(),
            "seq": int(event.seq),
            "hash": event.hash,
            "hash_alg": event.hash_alg,
            "at": _utc(now),
            "key_id": key_id,
        }
        signature = _b64(private.sign(signed_bytes(data)))
        anchor = AuditAnchor.objects.create(
            day=day,
            seq=event.seq,
            hash=event.hash,
            hash_alg=event.hash_alg,
            at=now,
            key_id=key_id,
            signature=signature,
        )
    return anchor, True


@tick_job("audit.anchor")
def anchor_tick(now: dt.datetime) -> int:
    """The daily anchor: made at the first tick of each day (idempotent)."""
    if AuditAnchor.objects.filter(day=timezone.localdate(now)).exists():
        return 0
    _, created = audit_anchor_create(now=now)
    return int(created)


# --- checking the chain against anchors held elsewhere ---------------------------------------------


def load_anchors(text: str) -> list[dict[str, Any]]:
    """Anchors from the published forms: JSON Lines (one anchor per line), a JSON list, or a
    JSON object with an ``anchors`` list (the API's answer)."""
    stripped = text.strip()
    if not stripped:
        return []
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if isinstance(data, list):
            return data
        if isinstance(data, dict) and isinstance(data.get("anchors"), list):
            return data["anchors"]
        if isinstance(data, dict) and data.get("type") == TYPE:
            return [data]
    anchors = []
    for n, line in enumerate(stripped.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchors.append(json.loads(line))
        except ValueError as exc:
            raise ValueError(f"第 {n} 行不是 JSON：{exc}") from None
    return anchors


def fetch_anchors(source: str, *, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Read anchors from a file path or an http(s) URL (fetched with a timeout)."""
    if "://" in source:
        from urllib.parse import urlsplit
        from urllib.request import Request, urlopen

        if urlsplit(source).scheme not in ("http", "https"):
            raise ValueError("只能从 http(s) 地址或本地文件读取锚点。")
        request = Request(source, headers={"Accept": "application/json, application/jsonl"})  # noqa: S310
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            text = response.read(64 * 1024 * 1024).decode("utf-8")
    else:
        with open(source, encoding="utf-8") as f:
            text = f.read()
    return load_anchors(text)


def verify_signature(data: dict[str, Any], keys: dict[str, str]) -> str:
    """ "" when the anchor's signature verifies under its key id's public key, else why not."""
    key_b64 = keys.get(str(data.get("key_id", ""))) or keys.get("*")
    if key_b64 is None:
        return f"签名密钥“{data.get('key_id')}”不在公布的公钥中"
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64, validate=True))
        key.verify(
            base64.b64decode(str(data.get("signature", "")), validate=True), signed_bytes(data)
        )
    except (InvalidSignature, ValueError, TypeError):
        return "签名无效（锚点被伪造或改动）"
    return ""


@dataclass
class AnchorReport:
    ok: bool
    checked: int
    newest: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)


def verify_against_anchors(
    anchors: list[dict[str, Any]], *, keys: dict[str, str] | None = None
) -> AnchorReport:
    """Check the local chain against every anchor (see the module docstring). ``keys``: the
    public keys to trust (``{key id: base64}``); default the published ones."""
    keys = public_keys() if keys is None else keys
    problems: list[str] = []
    newest: dict[str, Any] | None = None
    checked = 0
    for n, data in enumerate(anchors, start=1):
        if not isinstance(data, dict) or data.get("type") != TYPE:
            problems.append(f"锚点 {n}：不是审计链锚点")
            continue
        label = f"锚点 {data.get('day')} #{data.get('seq')}"
        why = verify_signature(data, keys)
        if why:
            problems.append(f"{label}：{why}")
            continue
        try:
            seq = int(data["seq"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{label}：序号无效")
            continue
        if seq == 0:
            local = GENESIS
        else:
            local = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if local is None:
            problems.append(f"{label}：本地没有事件 #{seq}（末尾事件被删除）")
        elif local != data.get("hash"):
            problems.append(f"{label}：本地事件 #{seq} 的哈希与锚点不符（历史被改写）")
        else:
            checked += 1
        if newest is None or seq > int(newest["seq"]):
            newest = data
    if newest is not None:
        head = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if min(head, last) < int(newest["seq"]):
            problems.append(
                f"链头 #{head}（表中最后事件 #{last}）落后于 {newest.get('day')} 的锚点 "
                f"#{newest['seq']}（末尾事件被删除、链头被回退）"
            )
    return AnchorReport(not problems, checked, newest, problems)
