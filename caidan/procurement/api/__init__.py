"""API: tenders, sealed bids, clarifications, the expert panel and scores, awards and
challenges (DOMAIN.md §3.4, §4.1, §4.4). Mounted at ``/api/v1/procurement``.

One router (``routing.router``), one module per aggregate: ``tenders`` (the announcement,
its lifecycle and history), ``documents``, ``clarifications``, ``bids``, ``panel`` (the
draw, recusals, declarations), ``scoring`` (score sheets and corrections), ``awards`` (the
award and its challenges) and ``experts`` (the pool); ``schemas`` holds the output schemas
they share. The tender's JSON says what the reader may do next (``affordances``, from
``caidan.procurement.affordances``).

Thin handlers: parse → one service (writes) or selector (reads) → schema. Output schemas
read the objects' attributes. Money is a string ("1000000.00"), times are ISO 8601. Nothing
here ever returns a bid's sealed blob, nonce, the tender's wrapped key, or a bid's price or
content before the tender is opened.

Object references in request bodies end in ``_id`` (``proposal_id``, ``bid_id``,
``invited_organization_id``…); errors the services raise about those objects are reported
under the same ``_id`` name in ``detail.field``.
"""

from . import (  # noqa: F401 - each module adds its routes to the router
    awards,
    bids,
    clarifications,
    documents,
    experts,
    panel,
    scoring,
    tenders,
)
from .routing import router

__all__ = ["router"]
