"""What makes a deployment's secrets unsafe. Imported by ``caidan/settings.py`` before Django
is set up (no models, no settings here), and refused at startup when DEBUG is off.

Every problem names the variable, the rule and how to fix it, in English like the rest of the
operator-facing startup messages.
"""

from __future__ import annotations

import base64
import binascii
import string

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE = 5
SEALING_KEY_BYTES = 32
# 32 random bytes have about 30 distinct values; fewer than this means a pattern or a text.
MIN_SEALING_KEY_DISTINCT = 16
DEVELOPMENT_SMS_BACKENDS = {
    "caidan.needs.sms.ConsoleSmsBackend",
    "caidan.needs.sms.LocmemSmsBackend",
}
_PRINTABLE = set(string.printable.encode())


def _decode(b64: str) -> bytes | None:
    try:
        return base64.b64decode(b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def sealing_key_problems(value: str, dev_key: str) -> list[str]:
    problems = []
    dev_bytes = _decode(dev_key.split(":", 1)[1]) if ":" in dev_key else None
    entries = [e.strip() for e in (value or "").split(",") if e.strip()]
    if not entries:
        return ["BID_SEALING_KEYS is empty: set it to '<key id>:<manage.py sealing_key>'."]
    for entry in entries:
        key_id, sep, b64 = entry.partition(":")
        label = f"BID_SEALING_KEYS entry '{key_id}'"
        if not sep or not key_id.strip():
            problems.append(f"{label} is not '<key id>:<base64 of 32 bytes>'.")
            continue
        raw = _decode(b64)
        if raw is None:
            problems.append(f"{label} is not valid base64.")
        elif raw == dev_bytes or entry == dev_key:
            problems.append(
                f"{label} is the development sealing key, which is published in the source: "
                "generate a key with `manage.py sealing_key`."
            )
        elif len(raw) != SEALING_KEY_BYTES:
            problems.append(f"{label} decodes to {len(raw)} bytes, not {SEALING_KEY_BYTES}.")
        elif len(set(raw)) < MIN_SEALING_KEY_DISTINCT or set(raw) <= _PRINTABLE:
            problems.append(
                f"{label} does not look random (a text or a pattern, not 32 random bytes): "
                "generate a key with `manage.py sealing_key`."
            )
    return problems


def production_secret_problems(
    *,
    secret_key: str,
    sealing_keys: str,
    dev_sealing_key: str,
    sms_backend: str,
    identity_hash_key: str,
) -> list[str]:
    problems = []
    if (
        len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < MIN_SECRET_KEY_UNIQUE
        or secret_key.startswith("django-insecure-")
        or secret_key.startswith("caidan-development-only")
    ):
        problems.append(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters "
            f"(with at least {MIN_SECRET_KEY_UNIQUE} different ones), not the development key."
        )
    problems += sealing_key_problems(sealing_keys, dev_sealing_key)
    if not sms_backend or sms_backend in DEVELOPMENT_SMS_BACKENDS:
        problems.append(
            "SMS_BACKEND must name the deployment's SMS gateway class (see caidan/needs/sms.py): "
            "the console backend would print residents' verification codes to the log."
        )
    if len(identity_hash_key or "") < 32:
        problems.append(
            "IDENTITY_HASH_KEY must be set to at least 32 random characters, once per deployment "
            "and never changed: residents' identities are stored only as keyed hashes under it."
        )
    return problems
