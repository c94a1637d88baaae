"""The enquiries app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ALREADY_EXTENDED = "already_extended"
    ALREADY_HIDDEN = "already_hidden"
    ALREADY_PUBLISHED = "already_published"
    CSRF_FAILED = "csrf_failed"
    ENQUIRY_DAILY_LIMIT = "enquiry_daily_limit"
    ENQUIRY_IP_LIMIT = "enquiry_ip_limit"
    HIDDEN = "hidden"
    NO_CONSENT = "no_consent"
    NOT_EXTENDABLE = "not_extendable"
    NOT_HANDLER = "not_handler"
    NOT_HIDDEN = "not_hidden"
    NOT_PUBLISHABLE = "not_publishable"
    PAST_DUE = "past_due"
    REPORT_CONCERNS_FINANCE = "report_concerns_finance"
