"""Who has asked, obtained the documents or bid stays secret until opening (招标投标法
§22; the same duty in 87号令; DOMAIN §4.7) — from everyone, the purchaser and the
platform's administrators and auditors included.

Before a tender is opened (``opened_at`` unset):

* the audit log (``caidan.audit.selectors.audit_withhold``) shows its bidder events —
  bids submitted or withdrawn, questions asked, recusal requests — without the actor, the
  organization or the note; filtering the log by a person leaves them out;
* the purchaser's list of questions (``clarifications_for``) and its notification do not
  name the asker; the asking organization still sees its own questions;
* the tender's history leaves out bid events altogether (their number is a leak too).

Once opened, the opening record publishes the bidders and the log shows them again.
"""

from __future__ import annotations

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy

from caidan.audit.kinds import EventKind
from caidan.audit.selectors import Withholding, register_withholding

from .models import Tender

TARGET = "procurement.tender"
BIDDER_KINDS = frozenset(
    {
        EventKind.BID_SUBMITTED,
        EventKind.BID_REPLACED,
        EventKind.BID_WITHDRAWN,
        EventKind.CLARIFICATION_ASKED,
        EventKind.PANEL_RECUSAL_REQUESTED,
    }
)
# Events that reveal how many bids there are: left out of a sealed tender's history.
COUNT_KINDS = frozenset({EventKind.BID_SUBMITTED, EventKind.BID_REPLACED, EventKind.BID_WITHDRAWN})
WITHHELD_LABEL = gettext_lazy("供应商（开标前不公开）")


def sealed(tender: Tender) -> bool:
    """Whether who bid on ``tender`` is still secret: it has not been opened."""
    return tender.opened_at is None


def _sealed_ids():
    return (
        Tender.objects.filter(opened_at__isnull=True)
        .annotate(sid=Cast("pk", output_field=CharField()))
        .values("sid")
    )


def bidder_events_hidden() -> Q:
    """Audit events of bidders on tenders not yet opened."""
    return Q(target_type=TARGET, kind__in=list(BIDDER_KINDS), target_id__in=_sealed_ids())


register_withholding(
    Withholding(
        name="procurement.sealed_bidders",
        hidden=bidder_events_hidden,
        label=WITHHELD_LABEL,
        payload_keys=frozenset(
            {"organization", "bid", "receipt", "replaces", "expert_name", "clarification"}
        ),
    )
)
