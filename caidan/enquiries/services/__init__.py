"""Writes for enquiries: submit, assign, answer, transfer, close, extend, publish, hide.

Each service is ``enquiry_<action>(*, …, actor)``: one transaction, the row locked, the
lifecycle checked against ``TRANSITIONS``, one audit event inside the transaction,
notifications to the unit's officers and the asker.

Deadlines: an information request is answered within 20 working days, extendable once by
up to 20 working days with a recorded reason (《政府信息公开条例》§33); the other kinds
within ``enquiry_answer_working_days`` working days (a jurisdiction setting, default 10).
"""

from ._shared import unit_handlers
from .bulk import enquiries_answer_bulk, enquiries_for_bulk, enquiry_label
from .handling import (
    enquiry_answer,
    enquiry_assign,
    enquiry_close,
    enquiry_extend,
    enquiry_transfer,
)
from .overdue import flag_overdue
from .publication import enquiry_hide, enquiry_publish, enquiry_restore, enquiry_set_consent
from .reply import enquiry_reply
from .submission import (
    PER_ASKER_PER_DAY,
    PER_IP_PER_HOUR,
    enquiry_submit,
    followup_hash,
    ip_hash,
)

__all__ = [
    "enquiries_answer_bulk",
    "enquiries_for_bulk",
    "enquiry_label",
    "PER_ASKER_PER_DAY",
    "PER_IP_PER_HOUR",
    "enquiry_answer",
    "enquiry_assign",
    "enquiry_close",
    "enquiry_extend",
    "enquiry_reply",
    "enquiry_hide",
    "enquiry_publish",
    "enquiry_restore",
    "enquiry_set_consent",
    "enquiry_submit",
    "enquiry_transfer",
    "flag_overdue",
    "followup_hash",
    "ip_hash",
    "unit_handlers",
]
