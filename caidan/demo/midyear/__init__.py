"""The demo jurisdiction mid-year: one 江苏路街道 contracting process at every stage.

Run after ``caidan.demo.data.seed`` (``manage.py seed_demo --midyear``). Everything goes
through the real services with the demo users as actors, as the test factories do. Each
process is written in the order it happened, with the services' clock set to the moment of
each step (``timeline``): proposal, approval, announcement, bids, opening, award, contract,
payments, reports and evaluations carry dates that agree with each other and with the
audit log (docs/demo.md, "Dates that agree").

Idempotent: the whole seeding is one transaction that ends with a ``demo.seeded`` audit
event noted ``MARKER``; when that event exists, ``seed_midyear`` does nothing.

The package: ``plan`` (the stages, titles, bidders, what to click), ``helpers`` (actors,
the catalog item, budget ceilings, the bidders' accounts), ``timeline`` (the clock and the
time-ordered run), ``procurement`` (proposals, tenders, bids, awards), ``performance``
(payments, reports, evaluations), ``enquiries``, and ``seed`` (one generator per stage).
"""

from .plan import (
    BIDDERS,
    FACTORS,
    MARKER,
    STAGES,
    TITLES,
    UNIT,
    WHERE_TO_CLICK,
    MidyearResult,
    already_seeded,
    waiting_experts,
)
from .seed import seed_midyear

__all__ = [
    "BIDDERS",
    "FACTORS",
    "MARKER",
    "STAGES",
    "TITLES",
    "UNIT",
    "WHERE_TO_CLICK",
    "MidyearResult",
    "already_seeded",
    "seed_midyear",
    "waiting_experts",
]
