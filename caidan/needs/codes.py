"""The needs app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ACCOUNT_INACTIVE = "account_inactive"
    ALREADY_ORDERED = "already_ordered"
    ALREADY_REPORTED = "already_reported"
    CATALOG_NOT_LEVEL3 = "catalog_not_level3"
    CATALOG_NOT_PUBLISHED = "catalog_not_published"
    CODE_ATTEMPTS_EXCEEDED = "code_attempts_exceeded"
    CODE_DAILY_LIMIT = "code_daily_limit"
    CODE_EXPIRED = "code_expired"
    CODE_IP_LIMIT = "code_ip_limit"
    CODE_TOO_SOON = "code_too_soon"
    CODE_WRONG = "code_wrong"
    IDENTITY_RACE = "identity_race"
    KIND_UNAVAILABLE = "kind_unavailable"
    MENU_CLOSED = "menu_closed"
    MENU_EMPTY = "menu_empty"
    MENU_FROZEN = "menu_frozen"
    MENU_FULL = "menu_full"
    MENU_ITEM_ORDERED = "menu_item_ordered"
    NEED_DAILY_LIMIT = "need_daily_limit"
    NEED_HIDDEN = "need_hidden"
    ORDERING_CLOSED = "ordering_closed"
    ORDERING_NOT_OPEN = "ordering_not_open"
    OWN_NEED = "own_need"
    # assisted participation (issue 21)
    IDENTITY_KIND_TAKEN = "identity_kind_taken"
    COUNTER_SESSION_EXPIRED = "counter_session_expired"
