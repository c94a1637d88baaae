"""Writes for residents' identities, needs and menus. One module per aggregate; import
from here: ``from caidan.needs.services import need_submit``."""

from .assisted import (
    CounterResident,
    counter_phone_code_send,
    counter_resident,
    menu_order_place_assisted,
    need_submit_assisted,
    resident_register_at_counter,
)
from .identity import (
    Challenge,
    identity_find,
    identity_hash,
    identity_link,
    identity_link_confirm,
    identity_of,
    identity_verification_confirm,
    identity_verification_start,
    resident_identity_create,
)
from .menus import (
    close_due_menus,
    menu_close,
    menu_create,
    menu_item_add,
    menu_item_remove,
    menu_order_place,
    menu_publish,
    menu_update,
)
from .needs import need_hide, need_report, need_restore, need_submit

__all__ = [
    "Challenge",
    "CounterResident",
    "counter_phone_code_send",
    "counter_resident",
    "identity_find",
    "identity_link",
    "identity_link_confirm",
    "menu_order_place_assisted",
    "need_submit_assisted",
    "resident_register_at_counter",
    "close_due_menus",
    "identity_hash",
    "identity_of",
    "identity_verification_confirm",
    "identity_verification_start",
    "menu_close",
    "menu_create",
    "menu_item_add",
    "menu_item_remove",
    "menu_order_place",
    "menu_publish",
    "menu_update",
    "need_hide",
    "need_report",
    "need_restore",
    "need_submit",
    "resident_identity_create",
]
