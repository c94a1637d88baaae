"""What apps above procurement add to a tender's award notice.

Procurement sits below contracts in the layer order, yet the award notice links to the
contract signed on the award. So the higher app registers a function here — as
``needs/followups.py`` does for needs and ``holds.py`` for the procurement steps — and the
notice asks every registered function, without importing the app
(``caidan/contracts/apps.py`` registers the contract in ``ready()``).

A function takes the award shown on the notice and returns a :class:`TenderLink`, or
``None`` when it has nothing public to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .models import Award


@dataclass(frozen=True)
class TenderLink:
    """One line of the notice: ``label`` (the term, e.g. 合同), a link reading ``text`` to
    ``url``, and ``note`` in brackets after it."""

    label: str
    text: str
    url: str
    note: str = ""
    testid: str = ""


LinkFn = Callable[["Award"], "TenderLink | None"]

_LINKS: list[LinkFn] = []


def register_tender_link(fn: LinkFn) -> LinkFn:
    """Register ``fn`` once (registering it again is a no-op, so ``ready()`` may run twice)."""
    if fn not in _LINKS:
        _LINKS.append(fn)
    return fn


def unregister_tender_link(fn: LinkFn) -> None:
    if fn in _LINKS:
        _LINKS.remove(fn)


def tender_links(award: Award | None) -> list[TenderLink]:
    """Every registered app's link for ``award`` (none without an award)."""
    if award is None:
        return []
    links = (fn(award) for fn in list(_LINKS))
    return [link for link in links if link is not None]
