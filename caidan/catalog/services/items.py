"""Writes for catalog items. Items change only while their version is a draft."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.common.errors import Conflict, DomainError, field_error
from caidan.common.money import to_money

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..models import (
    CODE_DIGITS_PER_LEVEL,
    CatalogItem,
    CatalogVersion,
    ItemCategory,
    NegativeListEntry,
)
from .negative_list import KEEP, negative_list_refuse

CODE_RE = re.compile(r"(?:\d{2}){1,3}")
CATEGORY_BY_LABEL = {label: value for value, label in ItemCategory.choices}
MAX_SORT_ORDER = 1_000_000


# --- field rules, shared by the form/API services and the Excel import --------------------


def clean_code(value: Any) -> str:
    code = str(value if value is not None else "").strip()
    if not CODE_RE.fullmatch(code):
        raise field_error(
            "code",
            f"编码“{code}”无效：一级目录为 2 位、二级 4 位、三级 6 位数字（如 01、0101、010101）。",
        )
    if any(code[i : i + 2] == "00" for i in range(0, len(code), CODE_DIGITS_PER_LEVEL)):
        raise field_error("code", f"编码“{code}”无效：每一级的两位编号应在 01–99 之间。")
    return code


def level_of(code: str) -> int:
    return len(code) // CODE_DIGITS_PER_LEVEL


def clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise field_error("name", "名称不能为空。")
    if len(name) > 200:
        raise field_error("name", "名称最多 200 个字。")
    return name


def clean_description(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > 5000:
        raise field_error("description", "说明最多 5000 个字。")
    return text


def clean_category(level: int, value: Any) -> str:
    raw = str(value or "").strip()
    category = CATEGORY_BY_LABEL.get(raw, raw)
    if level < 3:
        if category:
            raise field_error("category", "只有三级目录填写类别（一级、二级目录请留空）。")
        return ""
    if not category:
        raise field_error(
            "category", f"三级目录必须填写类别：{'、'.join(ItemCategory.labels)}之一。"
        )
    if category not in ItemCategory.values:
        raise field_error(
            "category", f"类别“{raw}”无效，应为：{'、'.join(ItemCategory.labels)}之一。"
        )
    return category


def clean_price(level: int, value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if level < 3:
        raise field_error("guidance_price", "指导价只适用于三级目录。")
    try:
        price = to_money(value, field="guidance_price")
    except DomainError:
        raise field_error(
            "guidance_price", f"指导价“{value}”无效：应为以元计的金额，最多两位小数。"
        ) from None
    if price < 0:
        raise field_error("guidance_price", "指导价不能为负数。")
    return price


def clean_unit(value: Any, price: Decimal | None) -> str:
    unit = str(value or "").strip()
    if len(unit) > 30:
        raise field_error("price_unit", "计价单位最多 30 个字。")
    if price is not None and not unit:
        raise field_error("price_unit", "填写指导价时请同时填写计价单位（如 元/人·次、元/年）。")
    return unit


def clean_sort_order(value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        raise field_error("sort_order", "排序应为不小于 0 的整数。") from None
    if not 0 <= number <= MAX_SORT_ORDER:
        raise field_error("sort_order", "排序应为不小于 0 的整数。")
    return number


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
        raise Conflict("该目录版本已不存在。", code="version_gone")
    if not locked.is_draft:
        raise Conflict(
            f"目录版本“{locked.name}”{locked.get_status_display()}，不可修改；"
            "如需调整，请新建修订版草稿（可复制本版本）。",
            code="version_not_draft",
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


def catalog_item_create(
    *,
    version: CatalogVersion,
    code: str,
    name: str,
    description: str = "",
    category: str = "",
    guidance_price: str | int | Decimal | None = None,
    price_unit: str = "",
    bought_first: bool = False,
    sort_order: int | None = 0,
    actor: Any,
) -> CatalogItem:
    require(actor, "catalog.manage")
    code = clean_code(code)
    level = level_of(code)
    name = clean_name(name)
    description = clean_description(description)
    category = clean_category(level, category)
    price = clean_price(level, guidance_price)
    unit = clean_unit(price_unit, price)
    order = clean_sort_order(sort_order)
    check_negative_list(name, description)
    with transaction.atomic():
        version = lock_draft(version)
        items = CatalogItem.objects.filter(version=version)
        if items.filter(code=code).exists():
            raise field_error("code", f"编码“{code}”在本版本中已存在。", code="duplicate")
        parent = None
        if level > 1:
            parent = items.filter(code=code[:-CODE_DIGITS_PER_LEVEL]).first()
            if parent is None:
                raise field_error(
                    "code",
                    f"上级条目“{code[:-CODE_DIGITS_PER_LEVEL]}”在本版本中不存在，请先添加上级条目。",
                )
        item = CatalogItem.objects.create(
            version=version,
            code=code,
            name=name,
            description=description,
            level=level,
            parent=parent,
            category=category,
            guidance_price=price,
            price_unit=unit,
            bought_first=bool(bought_first),
            sort_order=order,
        )
        audit_record(
            kind=EventKind.CATALOG_ITEM_CREATED,
            actor=actor,
            target=item,
            new={"version": version.pk, **_snapshot(item)},
        )
    return item


def catalog_item_update(
    *,
    item: CatalogItem,
    name: str = KEEP,
    description: str = KEEP,
    category: str = KEEP,
    guidance_price: str | int | Decimal | None = KEEP,
    price_unit: str = KEEP,
    bought_first: bool = KEEP,
    sort_order: int = KEEP,
    actor: Any,
) -> CatalogItem:
    """Change a draft's item. The code (and so the level and parent) stays: delete and
    re-add to move an item."""
    require(actor, "catalog.manage")
    with transaction.atomic():
        lock_draft(item.version)
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(item)
        if name is not KEEP:
            item.name = clean_name(name)
        if description is not KEEP:
            item.description = clean_description(description)
        if category is not KEEP:
            item.category = clean_category(item.level, category)
        if guidance_price is not KEEP:
            item.guidance_price = clean_price(item.level, guidance_price)
        if price_unit is not KEEP:
            item.price_unit = str(price_unit or "").strip()
        item.price_unit = clean_unit(item.price_unit, item.guidance_price)
        if bought_first is not KEEP:
            item.bought_first = bool(bought_first)
        if sort_order is not KEEP:
            item.sort_order = clean_sort_order(sort_order)
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


def catalog_item_delete(*, item: CatalogItem, actor: Any) -> None:
    require(actor, "catalog.manage")
    with transaction.atomic():
        lock_draft(item.version)
        item = CatalogItem.objects.select_for_update().filter(pk=item.pk).first()
        if item is None:
            raise Conflict("该条目已被删除。", code="item_gone")
        children = CatalogItem.objects.filter(parent=item).count()
        if children:
            raise Conflict(
                f"“{item.code} {item.name}”下还有 {children} 个下级条目，请先删除下级条目。",
                code="has_children",
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
            raise Conflict("该条目已被其他记录引用，不能删除。", code="item_referenced") from None
