"""Where procurement reads a bidder's public track record (DOMAIN.md §3.6) for the
automatic ``track_record`` scoring factor.

The evaluations sit above procurement in the layer order, so procurement does not import
them: ``caidan.evaluations`` registers the source at start-up (``register_source``). With no
source registered, bidders have no record (0 points), as a new bidder has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

Source = Callable[[list[int]], dict[int, Decimal]]
_sources: list[Source] = []


def register_source(fn: Source) -> None:
    _sources[:] = [fn]


def mean_totals(organization_ids: Iterable[int]) -> dict[int, Decimal]:
    """Organization id → the mean total of its published final evaluations."""
    ids = list(organization_ids)
    if not _sources or not ids:
        return {}
    return _sources[0](ids)
