"""The contracts app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ALREADY_PAID = "already_paid"
    ALREADY_SIGNED = "already_signed"
    CONTRACT_EXISTS = "contract_exists"
    GATE_CLOSED = "gate_closed"
    MAX_YEARS = "max_years"
    NO_AWARD = "no_award"
    NO_INTENT = "no_intent"
    SIGNING_BLOCKED = "signing_blocked"
