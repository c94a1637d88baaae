"""The catalog app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    EFFECTIVE_DATE_TAKEN = "effective_date_taken"
    EFFECTIVE_DATE_TOO_EARLY = "effective_date_too_early"
    HAS_CHILDREN = "has_children"
    ITEM_GONE = "item_gone"
    ITEM_NOT_FOUND = "item_not_found"
    ITEM_REFERENCED = "item_referenced"
    NEGATIVE_LIST = "negative_list"
    NO_CURRENT_VERSION = "no_current_version"
    VERSION_EMPTY = "version_empty"
    VERSION_GONE = "version_gone"
    VERSION_NOT_DRAFT = "version_not_draft"
    VERSION_NOT_FOUND = "version_not_found"
    VERSION_REFERENCED = "version_referenced"
