"""Writes for residents' identities, needs and menus. One module per aggregate; import
from here: ``from caidan.needs.services import need_submit``."""

from .identity import (
    Challenge,
    identity_hash,
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
