"""The projects app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ALREADY_VOTED = "already_voted"
    BELOW_APPROVED = "below_approved"
    FUNDING_MISMATCH = "funding_mismatch"
    NO_CEILING = "no_ceiling"
    NO_QUORUM = "no_quorum"
    OVER_CEILING = "over_ceiling"
    PERIOD_NEEDS_JUSTIFICATION = "period_needs_justification"
    PERIOD_TOO_LONG = "period_too_long"
    RECUSED = "recused"
