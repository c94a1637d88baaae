"""What apps above procurement add to a tender's pages.

Procurement sits below contracts and complaints in the layer order, yet the award notice
links to the contract signed on the award, and the tender page shows the complaints about a
challenge's answer. So the higher app registers a function here — as ``needs/followups.py``
does for needs and ``holds.py`` for the procurement steps — and the page asks every
registered function, without importing the app:

* ``register_tender_link``: a line of the award notice. ``fn(award)`` returns a
  :class:`TenderLink`, or ``None`` when it has nothing public to show
  (``caidan/contracts/apps.py`` registers the contract);
* ``register_tender_section``: a section of the tender page, after the challenges.
  ``fn(request, tender)`` returns rendered HTML (``render_to_string``), ``""`` for nothing;
* ``register_challenge_section``: a line under one challenge on the tender page.
  ``fn(request, challenge)`` returns rendered HTML, ``""`` for nothing
  (``caidan/complaints/apps.py`` registers both the complaint under a challenge and the
  published decisions).

Registering a function again is a no-op, so ``ready()`` may run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from django.http import HttpRequest

    from .models import Award, Challenge, Tender


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
TenderSectionFn = Callable[["HttpRequest", "Tender"], str]
ChallengeSectionFn = Callable[["HttpRequest", "Challenge"], str]

_LINKS: list[LinkFn] = []
_TENDER_SECTIONS: list[TenderSectionFn] = []
_CHALLENGE_SECTIONS: list[ChallengeSectionFn] = []


def _register(registry: list, fn: Any) -> Any:
    if fn not in registry:
        registry.append(fn)
    return fn


def _unregister(registry: list, fn: Any) -> None:
    if fn in registry:
        registry.remove(fn)


def register_tender_link(fn: LinkFn) -> LinkFn:
    return _register(_LINKS, fn)


def unregister_tender_link(fn: LinkFn) -> None:
    _unregister(_LINKS, fn)


def register_tender_section(fn: TenderSectionFn) -> TenderSectionFn:
    return _register(_TENDER_SECTIONS, fn)


def unregister_tender_section(fn: TenderSectionFn) -> None:
    _unregister(_TENDER_SECTIONS, fn)


def register_challenge_section(fn: ChallengeSectionFn) -> ChallengeSectionFn:
    return _register(_CHALLENGE_SECTIONS, fn)


def unregister_challenge_section(fn: ChallengeSectionFn) -> None:
    _unregister(_CHALLENGE_SECTIONS, fn)


def tender_links(award: Award | None) -> list[TenderLink]:
    """Every registered app's link for ``award`` (none without an award)."""
    if award is None:
        return []
    links = (fn(award) for fn in list(_LINKS))
    return [link for link in links if link is not None]


def tender_sections(request: HttpRequest, tender: Tender) -> list[str]:
    """Every registered app's section of the tender page (the empty ones left out)."""
    return [html for html in (fn(request, tender) for fn in list(_TENDER_SECTIONS)) if html]


def challenge_sections(request: HttpRequest, challenge: Challenge) -> list[str]:
    """Every registered app's line under ``challenge`` (the empty ones left out)."""
    return [html for html in (fn(request, challenge) for fn in list(_CHALLENGE_SECTIONS)) if html]
