"""Procurement services: every write goes through one of these (one transaction, audited)."""

from .awards import (
    award_confirm,
    award_decline,
    challenge_answer,
    challenge_file,
    challenge_withdraw,
    conclude_due_awards,
    contract_blockers,
    recommended,
)
from .bids import bid_submit, bid_withdraw, open_due_tenders, receipt_verify, tender_open
from .tenders import (
    clarification_answer,
    clarification_ask,
    tender_amend,
    tender_approve_method_change,
    tender_cancel,
    tender_create,
    tender_fail_manual,
    tender_publish,
    tender_retender,
    tender_update,
)

__all__ = [
    "award_confirm",
    "award_decline",
    "bid_submit",
    "bid_withdraw",
    "challenge_answer",
    "challenge_file",
    "challenge_withdraw",
    "clarification_answer",
    "clarification_ask",
    "conclude_due_awards",
    "contract_blockers",
    "open_due_tenders",
    "receipt_verify",
    "recommended",
    "tender_amend",
    "tender_approve_method_change",
    "tender_cancel",
    "tender_create",
    "tender_fail_manual",
    "tender_open",
    "tender_publish",
    "tender_retender",
    "tender_update",
]
