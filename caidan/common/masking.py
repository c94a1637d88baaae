"""Masking of personal data (DOMAIN.md §5): never published, masked where not needed."""

from __future__ import annotations


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
