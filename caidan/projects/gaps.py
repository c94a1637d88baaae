"""Each unit's unmet demand beside its budget ceilings (issue 21).

``projects`` sits below ``stats``, which counts demand against projects, so it asks whatever
is registered here without importing it. ``stats`` registers one function from its
``AppConfig.ready``::

    register_unmet_source(fn)   # fn({(unit_id, year), …}) -> {(unit_id, year): {"demand",
                                #     "met", "unmet", "needs", "orders"}}

For a ceiling of ``year`` the figures are the unit's demand of the year before (what that
budget should answer). A function that fails is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

UnmetSource = Callable[[set[tuple[int, int]]], dict[tuple[int, int], dict[str, Any]]]
_SOURCES: list[UnmetSource] = []


def register_unmet_source(fn: UnmetSource) -> UnmetSource:
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def unregister_unmet_source(fn: UnmetSource) -> None:
    if fn in _SOURCES:
        _SOURCES.remove(fn)


def unmet_for(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], dict[str, Any]]:
    """(unit id, ceiling year) → the unit's demand of the year before; the first source
    that answers."""
    wanted = {(int(u), int(y)) for u, y in pairs}
    for fn in list(_SOURCES):
        try:
            return fn(wanted) or {}
        except Exception:  # noqa: BLE001 - another app's failure must not break the page
            log.exception("unmet-demand source %r failed", fn)
    return {}
