"""Writes for catalog items. Items change only while their version is a draft."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.catalog.codes import Code
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..inputs import CatalogItemInput
from ..models import (
    CatalogItem,
    CatalogVersion,
    NegativeListEntry,
)
from .negative_list import negative_list_refuse

ITEM_FIELDS = (
    "code",
    "name",
    "description",
    "category",
    "guidance_price",
    "price_unit",
    "bought_first",
    "sort_order",
)
EDITABLE = ITEM_FIELDS[1:]  # the code (and so the level and parent) stays


def check_negative_list(
    name: str, description: str, entries: Sequence[NegativeListEntry] | None = None
) -> None:
    negative_list_refuse(text=name, field="name", entries=entries)
    negative_list_refuse(text=description, field="description", entries=entries)


def lock_draft(version: CatalogVersion) -> CatalogVersion:
    """Lock the version row and refuse unless it is a draft (published versions are
    immutable: what projects reference must never change)."""
    locked = CatalogVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None:
        raise Conflict(_("该目录版本已不存在。"), code=Code.VERSION_GONE)
    if not locked.is_draft:
        raise Conflict(
            _(
                "目录版本“%(name)s”%(get_status_display)s，不可修改；如需调整，请新建修订版草稿（可复制本版本）。"
            )
            % {"name": locked.name, "get_status_display": locked.get_status_display()},
            code=Code.VERSION_NOT_DRAFT,
        )
    return locked


def _snapshot(item: CatalogItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "description": item.description,
        "level": item.level,
        "category": item.category,
        "guidance_price": item.guidance_price,
        "price_unit": item.price_unit,
        "bought_first": item.bought_first,
        "sort_order": item.sort_order,
    }


# --- services ----------------------------------------------------------------------------


def catalog_item_input(item: CatalogItem, **changes: Any) -> CatalogItemInput:
    """The item as it stands, as an input (with ``changes``), checked again."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise field_error(unknown[0], _("不能修改字段“%(value)s”。") % {"value": unknown[0]})
    current = {name: getattr(item, name) for name in ITEM_FIELDS}
    return CatalogItemInput.parse({**current, **changes})


def catalog_item_create(
    *, version: CatalogVersion, data: CatalogItemInput, actor: Actor
) -> CatalogItem:
    """Add an item to a draft; its parent (from the code) must be there already."""
    require(actor, Perm.CATALOG_MANAGE)
    check_negative_list(data.name, data.description)
    with transaction.atomic():
        version = lock_draft(version)
        items = CatalogItem.objects.filter(version=version)
        if items.filter(code=data.code).exists():
            raise field_error(
                "code",
                _("编码“%(code)s”在本版本中已存在。") % {"code": data.code},
                code=Common.DUPLICATE,
            )
        parent = None
        if data.level > 1:
            parent = items.filter(code=data.parent_code).first()
            if parent is None:
                raise field_error(
                    "code",
                    _("上级条目“%(parent_code)s”在本版本中不存在，请先添加上级条目。")
                    % {"parent_code": data.parent_code},
                )
        item = CatalogItem.objects.create(
            version=version, level=data.level, parent=parent, **data.values(*ITEM_FIELDS)
        )
        audit_record(
            kind=EventKind.CATALOG_ITEM_CREATED,
            actor=actor,
            target=item,
            new={"version": version.pk, **_snapshot(item)},
        )
    return item


def catalog_item_update(*, item: CatalogItem, changes: dict[str, Any], actor: Actor) -> CatalogItem:
    """Change a draft's item; the whole item is checked again. The code (and so the level
    and parent) stays: delete and re-add to move an item."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        lock_draft(item.version)
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(item)
        data = catalog_item_input(item, **changes)
        for name in EDITABLE:
            setattr(item, name, getattr(data, name))
        if item.name != before["name"] or item.description != before["description"]:
            check_negative_list(item.name, item.description)
        old, new = diff(before, _snapshot(item))
        if not new:
            return item
        item.save()
        audit_record(
            kind=EventKind.CATALOG_ITEM_UPDATED, actor=actor, target=item, old=old, new=new
        )
    return item


def catalog_item_delete(*, item: CatalogItem, actor: Actor) -> None:
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        lock_draft(item.version)
        item = CatalogItem.objects.select_for_update().filter(pk=item.pk).first()
        if item is None:
            raise Conflict(_("该条目已被删除。"), code=Code.ITEM_GONE)
        children = CatalogItem.objects.filter(parent=item).count()
        if children:
            raise Conflict(
                _("“%(code)s %(name)s”下还有 %(children)s 个下级条目，请先删除下级条目。")
                % {"code": item.code, "name": item.name, "children": children},
                code=Code.HAS_CHILDREN,
            )
        audit_record(
            kind=EventKind.CATALOG_ITEM_DELETED,
            actor=actor,
            target=item,
            old={"version": item.version_id, **_snapshot(item)},
        )
        try:
            item.delete()
        except ProtectedError:
            raise Conflict(
                _("该条目已被其他记录引用，不能删除。"), code=Code.ITEM_REFERENCED
            ) from None
