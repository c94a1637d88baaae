"""Writes for the purchase catalog: versions, items, Excel import, the negative list.

Import from here: ``from caidan.catalog.services import negative_list_refuse``.
"""

from .excel import catalog_version_export, catalog_version_import
from .items import (
    catalog_item_create,
    catalog_item_delete,
    catalog_item_input,
    catalog_item_update,
)
from .negative_list import (
    Match,
    negative_list_check,
    negative_list_entry_create,
    negative_list_entry_input,
    negative_list_entry_update,
    negative_list_refuse,
)
from .versions import (
    catalog_version_create,
    catalog_version_discard,
    catalog_version_publish,
    catalog_version_retire,
    catalog_version_update,
)

__all__ = [
    "Match",
    "catalog_item_create",
    "catalog_item_delete",
    "catalog_item_input",
    "catalog_item_update",
    "catalog_version_create",
    "catalog_version_discard",
    "catalog_version_export",
    "catalog_version_import",
    "catalog_version_publish",
    "catalog_version_retire",
    "catalog_version_update",
    "negative_list_check",
    "negative_list_entry_create",
    "negative_list_entry_input",
    "negative_list_entry_update",
    "negative_list_refuse",
]
