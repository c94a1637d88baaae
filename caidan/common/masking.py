"""Masking of personal data (DOMAIN.md §5): never published, masked where not needed."""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str:
    digits = (phone or "").strip()
    if len(digits) < 11:  # shorter than a mobile number: 3 + 4 would show (almost) all of it
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    v = (value or "").strip()
    if len(v) <= 8:
        return "*" * len(v)
    return f"{v[:4]}{'*' * (len(v) - 8)}{v[-4:]}"


def mask_name(name: str | None) -> str:
    n = (name or "").strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


def mask_email(email: str | None) -> str:
    e = (email or "").strip()
    if "@" not in e:
        return mask_name(e)
    local, domain = e.split("@", 1)
    return f"{local[:1]}***@{domain}"


_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def scrub_text(text: str | None) -> str:
    """Free text for publication: mobile numbers and ID numbers inside it are masked."""
    out = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text or "")
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), out)


def contains_personal_numbers(text: str | None) -> bool:
    return bool(_MOBILE.search(text or "") or _ID_NUMBER.search(text or ""))
