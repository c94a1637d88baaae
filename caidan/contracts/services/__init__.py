"""Contract services: every write goes through one of these (one transaction, audited)."""

from .amendments import contract_amend, contract_terminate
from .bulk import payments_record_bulk, reports_accept_bulk
from .contracts import (
    contract_cancel,
    contract_create,
    contract_sign,
    contract_update,
    signing_blockers,
)
from .payments import instalment_gate_open_by_evaluation, payment_record
from .reminders import flag_overdue
from .renewals import contract_renew
from .reports import report_attach, report_review, report_submit

__all__ = [
    "contract_amend",
    "contract_cancel",
    "contract_create",
    "contract_renew",
    "contract_sign",
    "contract_terminate",
    "contract_update",
    "flag_overdue",
    "instalment_gate_open_by_evaluation",
    "payment_record",
    "payments_record_bulk",
    "report_attach",
    "report_review",
    "report_submit",
    "reports_accept_bulk",
    "signing_blockers",
]
