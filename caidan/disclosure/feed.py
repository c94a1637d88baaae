"""The changes feed (DOMAIN.md §3.7): every public contracting process, ordered by its latest
public change, for data users who keep a copy in sync.

A client pages with a cursor over (``modified``, ``id``) and re-fetches each process's
record (``/api/v1/ocds/records/{ocid}``); a process changed again moves to the end of the
feed. The cursor must never skip nor repeat a change, even though writers commit in any
order. Prozorro's feed meets this with a server-side watermark: positions are handed out so
that nothing can later commit *behind* a position a reader has already passed.

Here the watermark is the audit chain's lock. Every write appends to the audit chain
(``audit.services.audit_record``) under a row lock on the chain head, held until the
transaction commits, and the feed is updated by a hook called under that lock. So:

* positions are handed out one writer at a time, in commit order;
* ``modified`` is never earlier than the newest position already handed out (clocks of
  several servers may disagree: ``max(now, newest + 1 µs)``);
* a reader's snapshot holds only positions of writers that have already released the lock,
  so any change still to commit gets a later position than everything the reader saw.

Only public events move a process (never a sealed bid's arrival, a draft's edit or an
expert's score), and only approved projects — which are public — are in the feed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from caidan.audit.kinds import EventKind as K
from caidan.common.perms import Perm

from .models import FeedEntry

# The audit events that change what ``ocds.releases_for`` publishes.
PUBLIC_KINDS = frozenset(
    {
        K.PROPOSAL_TRANSITION,
        K.PROPOSALS_IMPORTED,
        K.TENDER_TRANSITION,
        K.TENDER_AMENDED,
        K.TENDER_METHOD_CHANGE_APPROVED,
        K.CLARIFICATION_ANSWERED,
        K.BID_OPENED,
        K.AWARD_CONFIRMED,
        K.AWARD_DECLINED,
        K.AWARD_REVOKED,
        K.CHALLENGE_ANSWERED,
        K.COMPLAINT_PUBLISHED,
        K.CONTRACT_SIGNED,
        K.CONTRACT_TRANSITION,
        K.CONTRACT_AMENDED,
        K.CONTRACT_RENEWED,
        K.INSTALMENT_GATE_OPENED,
        K.PAYMENT_RECORDED,
        K.REPORT_SUBMITTED,
        K.REPORT_REVIEWED,
        K.EVALUATION_PUBLISHED,
    }
)

# How to get from an event's target to its contracting process (the proposal).
_PATHS = {
    "projects.proposal": ("pk",),
    "procurement.tender": ("proposal_id",),
    "procurement.award": ("tender", "proposal_id"),
    Perm.PROCUREMENT_BID: ("tender", "proposal_id"),
    "procurement.challenge": ("tender", "proposal_id"),
    "complaints.complaint": ("tender", "proposal_id"),
    "contracts.contract": ("proposal_id",),
    "contracts.report": ("contract", "proposal_id"),
    "contracts.instalment": ("contract", "proposal_id"),
    "evaluations.evaluation": ("contract", "proposal_id"),
}

TICK = dt.timedelta(microseconds=1)


def _process_ids(event, target: Any) -> list[int]:
    if event.kind == K.PROPOSALS_IMPORTED:
        return [int(pk) for pk in (event.new or {}).get("ids", [])]
    meta = getattr(target, "_meta", None)
    path = _PATHS.get(meta.label_lower) if meta else None
    if path is None:
        return []
    value = target
    for attr in path:
        value = getattr(value, attr, None)
    return [value] if value else []


def on_audit_event(event, target: Any) -> None:
    """``audit.services.on_audit_record`` hook: move the processes an event changed."""
    if event.kind not in PUBLIC_KINDS:
        return
    ids = _process_ids(event, target)
    if ids:
        touch(ids, at=event.at, kind=event.kind)


def touch(proposal_ids: list[int], *, at: dt.datetime, kind: str = "") -> None:
    """Give these processes the next positions in the feed. Must run under the audit chain
    lock (i.e. from the hook); approved projects only."""
    from caidan.projects.models import Proposal

    approved = list(
        Proposal.objects.public()
        .filter(pk__in=proposal_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not approved:
        return
    newest = FeedEntry.objects.order_by("-modified", "-id").values_list("modified", flat=True)
    newest = newest.first()
    moment = at if newest is None or at > newest else newest + TICK
    existing = set(
        FeedEntry.objects.filter(proposal_id__in=approved).values_list("proposal_id", flat=True)
    )
    new = []
    for pk in approved:  # one position each, in a fixed order
        if pk in existing:
            FeedEntry.objects.filter(proposal_id=pk).update(
                modified=moment, changes=F("changes") + 1, last_kind=kind
            )
        else:
            new.append(FeedEntry(proposal_id=pk, modified=moment, changes=1, last_kind=kind))
        moment += TICK
    FeedEntry.objects.bulk_create(new)


def feed_entries():
    return FeedEntry.objects.all()
