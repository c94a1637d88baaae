"""The documents app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    FILE_MISSING = "file_missing"
    PUBLISH_NOT_ALLOWED = "publish_not_allowed"
    TARGET_NOT_FOUND = "target_not_found"
    UNKNOWN_TARGET_TYPE = "unknown_target_type"
    USE_DEDICATED_ROUTE = "use_dedicated_route"
