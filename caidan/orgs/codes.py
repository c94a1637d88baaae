"""The orgs app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    IDENTITY_CHANGE = "identity_change"
    SERIOUS_TOO_EARLY = "serious_too_early"
