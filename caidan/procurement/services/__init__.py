"""Procurement services: every write goes through one of these (one transaction, audited).

The rules the services refuse on are also public predicates, so that what a reader may do
next (``affordances.tender_affordances``) asks the same rule: ``accepting_bids``,
``bidder_problems``, ``method_change_needed``, ``scoring_open``, ``challenge_problems``.
"""

from ._shared import scoring_open
from .amendments import clarification_answer, clarification_ask, tender_amend
from .awards import (
    award_blockers,
    award_confirm,
    award_decline,
    award_revoke,
    candidate_disqualify,
    candidate_problems,
    challenge_answer,
    challenge_file,
    challenge_problems,
    challenge_withdraw,
    conclude_due_awards,
    contract_blockers,
    recommended,
    winner_problems,
)
from .bids import (
    accepting_bids,
    bid_submit,
    bid_withdraw,
    bidder_problems,
    open_due_tenders,
    receipt_verify,
    tender_open,
)
from .bulk import panels_draw_bulk, tender_label, tenders_for_bulk
from .draw import draw_verify, panel_draw
from .evaluation import score_correct, scores_save, scores_submit, verdicts_save
from .experts import expert_create, expert_deactivate, expert_tie_add, expert_update
from .panel import panel_declare, panel_recuse, panel_void, recusal_request
from .ranking import evaluation_compute, evaluation_json
from .tenders import (
    method_change_needed,
    tender_approve_method_change,
    tender_cancel,
    tender_create,
    tender_document_add,
    tender_fail_manual,
    tender_publish,
    tender_retender,
    tender_update,
)

__all__ = [
    "panels_draw_bulk",
    "tender_label",
    "tenders_for_bulk",
    "accepting_bids",
    "bidder_problems",
    "challenge_problems",
    "method_change_needed",
    "scoring_open",
    "draw_verify",
    "evaluation_compute",
    "evaluation_json",
    "expert_create",
    "expert_deactivate",
    "expert_tie_add",
    "expert_update",
    "panel_declare",
    "panel_draw",
    "panel_recuse",
    "panel_void",
    "score_correct",
    "scores_save",
    "scores_submit",
    "verdicts_save",
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
    "award_blockers",
    "award_revoke",
    "candidate_disqualify",
    "candidate_problems",
    "open_due_tenders",
    "receipt_verify",
    "recusal_request",
    "recommended",
    "winner_problems",
    "tender_amend",
    "tender_approve_method_change",
    "tender_cancel",
    "tender_create",
    "tender_document_add",
    "tender_fail_manual",
    "tender_open",
    "tender_publish",
    "tender_retender",
    "tender_update",
]
