"""Holds that later apps put on a procurement's next steps.

Procurement sits below the apps that can stop it (a complaint to the finance bureau pending, a
suspension the bureau ordered), so those apps register a function here — as
``needs/followups.py`` does for needs — and procurement asks every registered function before
the step. One place, so award confirmation, contract drafting, signing and the tick that
concludes an award all see the same holds.

A hold function takes ``(tender, step, now)`` and returns the reasons (Chinese sentences naming
the rule and its source) why ``step`` may not happen now; an empty list lets it happen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .models import Tender


class Step(StrEnum):
    AWARD = "award"  # confirming (or re-confirming) the winner
    CONTRACT = "contract"  # drafting, signing and the tick's conclusion of the award


HoldFn = Callable[["Tender", Step, dt.datetime], list[str]]
_HOLDS: list[HoldFn] = []


def register_hold(fn: HoldFn) -> HoldFn:
    """Register ``fn`` (usable as a decorator); registering twice is a no-op."""
    if fn not in _HOLDS:
        _HOLDS.append(fn)
    return fn


def holds_on(tender: Tender, step: Step, *, now: dt.datetime) -> list[str]:
    """Every registered app's reasons why ``step`` may not happen on ``tender`` at ``now``."""
    reasons: list[str] = []
    for fn in _HOLDS:
        reasons += fn(tender, step, now)
    return reasons
