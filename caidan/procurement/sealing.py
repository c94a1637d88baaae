"""Sealed bids (密封投标): encryption that access control alone cannot undo.

* Each tender gets a random 256-bit **data key** when it is published. The data key is
  stored only *wrapped* (AES-256-GCM) under a key-encryption key from the environment
  (``settings.BID_SEALING_KEYS``), so whoever reads the database — an administrator, a
  backup, a leaked dump — holds ciphertext and a wrapped key, and nothing to unwrap it.
* Each bid's content (price and everything else) is sealed with AES-256-GCM under the
  tender's data key, with the tender, the bidder and the seal_id as associated data, so a
  sealed blob cannot be moved to another tender or bidder.
* The application unwraps a tender's data key only through ``open_key``, which refuses
  before the deadline (server clock).
* The receipt is the SM3 (or SHA-256 where OpenSSL lacks SM3) digest of the sealed blob
  with its context: the bidder keeps it, the audit log records it, and after opening anyone
  can recompute it from the stored blob (``receipt_for``) and see that the bid opened is
  the one submitted. GCM's authentication tag guarantees the blob decrypts to exactly what
  was sealed.
* **Padding.** The plaintext is padded before encryption to a bucket (the next power of two,
  at least ``PAD_MIN`` bytes), so the ciphertext's length tells a database reader only the
  bucket, not how long the price list or the plan is. A padded plaintext starts with the
  version byte ``0x01`` and a 4-byte big-endian length; bids sealed before padding (whose
  plaintext is bare JSON, starting with ``{``) still open.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.common.errors import Conflict
from caidan.procurement.codes import Code

ALGORITHM = "AES-256-GCM"
PAD_VERSION = 0x01
PAD_HEADER = 5  # version byte + 4-byte length
PAD_MIN = 4096


def pad(content: bytes) -> bytes:
    """``content`` framed (version, length) and zero-padded to the next power of two
    (at least ``PAD_MIN`` bytes)."""
    framed = bytes([PAD_VERSION]) + len(content).to_bytes(4, "big") + content
    size = PAD_MIN
    while size < len(framed):
        size *= 2
    return framed + bytes(size - len(framed))


def unpad(plaintext: bytes) -> bytes:
    """The content of a padded plaintext; an unpadded (pre-padding) one is returned as is."""
    if plaintext[:1] != bytes([PAD_VERSION]):
        return plaintext  # sealed before padding: bare JSON
    length = int.from_bytes(plaintext[1:PAD_HEADER], "big")
    if PAD_HEADER + length > len(plaintext):
        raise Conflict(
            gettext_lazy("投标文件解密后的长度字段不符，无法开启。"), code=Code.SEAL_BROKEN
        )
    return plaintext[PAD_HEADER : PAD_HEADER + length]


def _hash_name() -> str:
    try:
        hashlib.new("sm3")
    except ValueError:
        return "sha256"
    return "sm3"


def _keys() -> list[tuple[str, bytes]]:
    keys = []
    for part in str(settings.BID_SEALING_KEYS).split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _, b64 = part.partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(f"BID_SEALING_KEYS: key {key_id!r} is not base64") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"BID_SEALING_KEYS: key {key_id!r} must be 32 bytes")
        keys.append((key_id.strip(), key))
    if not keys:
        raise ImproperlyConfigured("BID_SEALING_KEYS is empty")
    return keys


def new_sealing_key() -> str:
    """A fresh key-encryption key in the settings format (for ``manage.py sealing_key``)."""
    return base64.b64encode(os.urandom(32)).decode()


def _kek(key_id: str) -> bytes:
    for kid, key in _keys():
        if kid == key_id:
            return key
    raise ImproperlyConfigured(
        f"封存主密钥“{key_id}”不在 BID_SEALING_KEYS 中，无法开启本项目的投标文件。"
    )


def wrap_new_key(tender_id: int) -> tuple[bytes, str]:
    """A new data key for a tender, wrapped: ``(nonce + ciphertext, key id)``."""
    key_id, kek = _keys()[0]
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    wrapped = nonce + AESGCM(kek).encrypt(nonce, data_key, f"tender:{tender_id}".encode())
    return wrapped, key_id


def _unwrap(tender) -> bytes:
    blob = bytes(tender.wrapped_key)
    kek = _kek(tender.key_id)
    return AESGCM(kek).decrypt(blob[:12], blob[12:], f"tender:{tender.pk}".encode())


def _seal_key(tender) -> bytes:
    """The data key, for *sealing* only (the caller never gets plaintext back from it)."""
    return _unwrap(tender)


def open_key(tender, *, now: dt.datetime | None = None) -> bytes:
    """The tender's data key, for opening — refused before the deadline."""
    now = now or timezone.now()
    if tender.deadline is None or now < tender.deadline:
        raise Conflict(
            gettext_lazy("投标截止时间未到，任何人都不能开启投标文件。"),
            code=Code.SEALED,
            detail={"deadline": tender.deadline.isoformat() if tender.deadline else None},
        )
    return _unwrap(tender)


def _aad(tender_id: int, organization_id: int, seal_id: str) -> bytes:
    return f"bid:{tender_id}:{organization_id}:{seal_id}".encode()


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    nonce: bytes
    receipt: str


def receipt_for(
    *, tender_id: int, organization_id: int, seal_id: str, nonce: bytes, ciphertext: bytes
) -> str:
    h = hashlib.new(_hash_name())
    h.update(_aad(tender_id, organization_id, seal_id))
    h.update(b"|")
    h.update(bytes(nonce))
    h.update(b"|")
    h.update(bytes(ciphertext))
    return f"{h.name}:{h.hexdigest()}"


def seal(tender, *, organization_id: int, seal_id: str, content: dict[str, Any]) -> Sealed:
    plaintext = pad(json.dumps(content, ensure_ascii=False, sort_keys=True).encode())
    nonce = os.urandom(12)
    ciphertext = AESGCM(_seal_key(tender)).encrypt(
        nonce, plaintext, _aad(tender.pk, organization_id, seal_id)
    )
    receipt = receipt_for(
        tender_id=tender.pk,
        organization_id=organization_id,
        seal_id=seal_id,
        nonce=nonce,
        ciphertext=ciphertext,
    )
    return Sealed(ciphertext=ciphertext, nonce=nonce, receipt=receipt)


def unseal(key: bytes, *, bid) -> dict[str, Any]:
    """Decrypt one bid with the opened data key; a tampered blob raises ``Conflict``."""
    try:
        plaintext = AESGCM(key).decrypt(
            bytes(bid.nonce),
            bytes(bid.sealed),
            _aad(bid.tender_id, bid.organization_id, bid.seal_id),
        )
    except InvalidTag:
        raise Conflict(
            gettext_lazy("投标文件密文校验失败（可能被篡改），无法开启。"), code=Code.SEAL_BROKEN
        ) from None
    return json.loads(unpad(plaintext))
