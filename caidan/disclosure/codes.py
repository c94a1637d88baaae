"""The disclosure app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ATTACHMENT_NOT_FOUND = "attachment_not_found"
    NOT_EDITABLE = "not_editable"
    NOTICE_NOT_FOUND = "notice_not_found"
    TOO_LONG = "too_long"
