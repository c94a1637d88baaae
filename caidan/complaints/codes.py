"""The complaints app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ALREADY_SUSPENDED = "already_suspended"
    CHALLENGE_WITHDRAWN = "challenge_withdrawn"
    NOT_SUSPENDED = "not_suspended"
    NOT_YET = "not_yet"
