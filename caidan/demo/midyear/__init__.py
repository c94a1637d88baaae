"""The demo jurisdiction mid-year: one 江苏路街道 contracting process at every stage.

Run after ``caidan.demo.data.seed`` (``manage.py seed_demo --midyear``). Everything goes
through the real services with the demo users as actors, as the test factories do; the
only tricks are theirs: a tender is published with ``now=`` set back so its legal bidding
period has run, bids are sealed before its deadline, and it is opened "by the tick" with
``now`` one second after the deadline (``tender_open(now=…)``). Processes whose service
period is in the past (running and completed contracts) carry past periods; the events
themselves are stamped with the time of seeding.

Idempotent: the whole seeding is one transaction that ends with a ``demo.seeded`` audit
event noted ``MARKER``; when that event exists, ``seed_midyear`` does nothing.

The package: ``plan`` (the stages, titles, bidders, what to click), ``helpers`` (actors,
dates, the catalog item, budget ceilings, the bidders' accounts), ``procurement``
(proposals, tenders, bids, awards), ``performance`` (contracts, payments, reports,
evaluations), ``enquiries``, and ``seed`` (one function per stage).
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
