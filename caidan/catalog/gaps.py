"""What residents asked for and did not get, beside a catalog draft's items (issue 21).

``catalog`` sits below the apps that know about demand and projects, so it asks whatever is
registered here without importing it. ``stats`` registers one function from its
``AppConfig.ready``::

    register_gap_source(fn)   # fn(year) -> {field_code: [{"unit", "group", "unmet", "demand"}]}

``field_code`` is a second-level item's four-digit code (``0101``); the empty key holds the
demand no field states (residents' needs). A function that fails is logged and skipped: the
drafting page never breaks because of another app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

GapSource = Callable[[int], dict[str, list[dict[str, Any]]]]
_SOURCES: list[GapSource] = []


def register_gap_source(fn: GapSource) -> GapSource:
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def unregister_gap_source(fn: GapSource) -> None:
    if fn in _SOURCES:
        _SOURCES.remove(fn)


def gaps_by_field(year: int) -> dict[str, list[dict[str, Any]]]:
    """Every registered source's largest gaps of ``year`` by field code, merged."""
    out: dict[str, list[dict[str, Any]]] = {}
    for fn in list(_SOURCES):
        try:
            found = fn(year) or {}
        except Exception:  # noqa: BLE001 - another app's failure must not break the page
            log.exception("gap source %r failed", fn)
            continue
        for code, rows in found.items():
            out.setdefault(str(code), []).extend(rows)
    return out


def gaps_beside(items, year: int) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """For a version's second-level items (the service fields): item id → the field's
    largest gaps of ``year``; and the gaps no field states (residents' needs)."""
    found = gaps_by_field(year)
    beside = {
        item.pk: found[item.code] for item in items if item.level == 2 and found.get(item.code)
    }
    return beside, found.get("", [])
