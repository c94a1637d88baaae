"""API: contracts made from awards, their signing, amendments and ending, the staged payment
plan with its gates, and the provider's reports (DOMAIN.md §3.5, §4.1). Mounted at
``/api/v1/contracts``; one module per aggregate (``overdue``, ``contracts``, ``renewals``,
``payments``, ``reports``), the output schemas in ``schemas``.

Thin handlers: parse → one service (writes) or selector (reads) → schema. Money is a string
("800000.00"), dates and times are ISO 8601.

Who sees what: signed contracts are public (terms, parties, the payment plan and which
instalments are paid, the reports owed and whether they are late, amendments). Drafts exist
only for the two parties, the platform admin and auditors (404 for everyone else). Payment
vouchers, report contents, signatories' names and the full PDF are for those "insiders"
too; signing blockers for the two parties (``contract_affordances``).

Payment gates: the first opens at signing; the second and third open only when the mid-term
and the final evaluation pass (published 中 or better, ``/api/v1/evaluations``). Each
instalment's ``gate_note`` and ``gate_evaluation_id`` say what opened it (the evaluation's id
comes from the section evaluations registers in ``caidan.contracts.links``).
"""

from . import contracts, ledger, overdue, payments, renewals, reports  # noqa: F401 - add their handlers
from .routing import router

__all__ = ["router"]
