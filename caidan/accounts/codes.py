"""The accounts app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    BAD_CREDENTIALS = "bad_credentials"
    LOGIN_LOCKED = "login_locked"
    NO_FINANCE = "no_finance"
    NO_SUCH_ROLE = "no_such_role"
    PASSWORD_TOO_WEAK = "password_too_weak"  # noqa: S105 - an error code, not a password
