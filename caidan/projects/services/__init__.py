"""Writes for the project library and the review committee."""

from .historical import proposals_import_historical
from .proposals import (
    proposal_create,
    proposal_input,
    proposal_package,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)
from .review import (
    agenda_item_decide,
    approved_total,
    budget_ceiling_set,
    recusal_declare,
    review_session_add_proposal,
    review_session_close,
    review_session_create,
    review_session_open,
    review_session_remove_proposal,
    tally,
    vote_cast,
)

__all__ = [
    "agenda_item_decide",
    "approved_total",
    "budget_ceiling_set",
    "proposal_create",
    "proposal_input",
    "proposal_package",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "proposals_import_historical",
    "recusal_declare",
    "review_session_add_proposal",
    "review_session_close",
    "review_session_create",
    "review_session_open",
    "review_session_remove_proposal",
    "tally",
    "vote_cast",
]
