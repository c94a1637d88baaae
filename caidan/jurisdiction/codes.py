"""The jurisdiction app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ABOVE_CEILING = "above_ceiling"
    BELOW_FLOOR = "below_floor"
