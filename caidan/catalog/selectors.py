"""Reads for the catalog. Published and retired versions are public; drafts are visible
only to those who manage the catalog (others get "not found", not a hint)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import can, require
from caidan.catalog.codes import Code
from caidan.common.actor import Actor
from caidan.common.errors import NotFound, field_error
from caidan.common.money import format_yuan
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import text_match

from . import permissions  # noqa: F401 - registers "catalog.manage"
from .models import (
    CODE_DIGITS_PER_LEVEL,
    CatalogItem,
    CatalogVersion,
    ItemLevel,
    NegativeListEntry,
    VersionStatus,
)

MAX_QUERY_LENGTH = 100


def can_manage(actor: Actor) -> bool:
    return actor is not None and can(actor, Perm.CATALOG_MANAGE)


# --- versions ----------------------------------------------------------------------------


def catalog_current(*, on: dt.date | None = None) -> CatalogVersion | None:
    """The catalog in force on ``on`` (default: today, Asia/Shanghai): the published version
    with the latest effective date not after it. Retired versions never count."""
    on = on or timezone.localdate()
    return (
        CatalogVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_date__lte=on)
        .order_by("-effective_date", "-id")
        .first()
    )


def visible_versions(*, actor: Actor) -> QuerySet[CatalogVersion]:
    if can_manage(actor):
        return CatalogVersion.objects.all()
    return CatalogVersion.objects.public()


def catalog_version_list(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None
) -> Page:
    """Versions, newest effective date first, with their item counts."""
    qs = visible_versions(actor=actor).annotate(
        item_count=Count("items"),
        level3_count=Count("items", filter=Q(items__level=ItemLevel.THIRD)),
    )
    return keyset_paginate(qs, ordering=("-effective_date", "-id"), cursor=cursor, limit=limit)


def catalog_versions(*, actor: Actor) -> list[CatalogVersion]:
    """Every version the actor may see (a catalog has a handful), for pages and pickers."""
    return list(
        visible_versions(actor=actor)
        .annotate(
            item_count=Count("items"),
            level3_count=Count("items", filter=Q(items__level=ItemLevel.THIRD)),
        )
        .order_by("-effective_date", "-id")
    )


def catalog_version_get_for(*, actor: Actor, version_id: int) -> CatalogVersion:
    version = (
        (visible_versions(actor=actor).select_related("published_by", "copied_from"))
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound(_("找不到该目录版本。"), code=Code.VERSION_NOT_FOUND)
    return version


def catalog_version_get_for_edit(*, actor: Actor, version_id: int) -> CatalogVersion:
    require(actor, Perm.CATALOG_MANAGE)
    return catalog_version_get_for(actor=actor, version_id=version_id)


# --- items -------------------------------------------------------------------------------


def catalog_item_get_for(*, actor: Actor, item_id: int) -> CatalogItem:
    item = (
        CatalogItem.objects.select_related("version", "parent", "parent__parent")
        .filter(pk=item_id)
        .first()
    )
    if item is None or (not item.is_public and not can_manage(actor)):
        raise NotFound(_("找不到该目录条目。"), code=Code.ITEM_NOT_FOUND)
    return item


def catalog_item_get_for_edit(*, actor: Actor, item_id: int) -> CatalogItem:
    require(actor, Perm.CATALOG_MANAGE)
    return catalog_item_get_for(actor=actor, item_id=item_id)


def catalog_item_ancestors(item: CatalogItem) -> list[CatalogItem]:
    """Level 1 first (uses the rows ``catalog_item_get_for`` selected with the item)."""
    return [a for a in (item.parent and item.parent.parent, item.parent) if a is not None]


def catalog_item_children(item: CatalogItem) -> list[CatalogItem]:
    return list(CatalogItem.objects.filter(parent=item).order_by("sort_order", "code"))


def _clean_parent_code(value: str) -> str:
    code = (value or "").strip()
    if not code.isdigit() or len(code) not in (2, 4):
        raise field_error("parent", _("上级编码应为 2 位（一级）或 4 位（二级）数字。"))
    return code


def catalog_item_queryset(
    *, version: CatalogVersion | int, level: int | None = None, parent: str = "", q: str = ""
) -> QuerySet[CatalogItem]:
    qs = CatalogItem.objects.filter(version=version)
    if level is not None:
        if level not in ItemLevel.values:
            raise field_error("level", _("层级应为 1、2 或 3。"))
        qs = qs.filter(level=level)
    if parent:
        code = _clean_parent_code(parent)
        qs = qs.filter(
            level=len(code) // CODE_DIGITS_PER_LEVEL + 1, code__startswith=code
        )  # the children of ``code``: served by the (version, level, code) index
    q = (q or "").strip()
    if q:
        if len(q) > MAX_QUERY_LENGTH:
            raise field_error(
                "q",
                _("搜索词最多 %(MAX_QUERY_LENGTH)s 个字。")
                % {"MAX_QUERY_LENGTH": MAX_QUERY_LENGTH},
            )
        match = text_match(q, "name", "description")
        if q.isdigit():
            match |= Q(code__startswith=q)
        qs = qs.filter(match)
    return qs


def catalog_item_list(
    *,
    version: CatalogVersion,
    level: int | None = None,
    parent: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Items of one version in code order (= tree order), filtered by level, parent code
    and words of name or description (Chinese works: ``text_match``)."""
    qs = catalog_item_queryset(version=version, level=level, parent=parent, q=q).select_related(
        "parent", "parent__parent"
    )
    return keyset_paginate(qs, ordering=("code", "id"), cursor=cursor, limit=limit)


#: The columns the item list shows (``ItemOut``).
CATALOG_ITEM_ROW_FIELDS = (
    "id",
    "version_id",
    "code",
    "name",
    "description",
    "level",
    "parent_id",
    "category",
    "guidance_price",
    "price_unit",
    "bought_first",
    "sort_order",
)


def catalog_item_rows(
    *,
    actor: Actor,
    version_id: int,
    level: int | None = None,
    parent: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """``catalog_item_list`` of a version ``actor`` may see (404 as ``catalog_version_get_for``
    otherwise) as ``.values()`` rows of ``CATALOG_ITEM_ROW_FIELDS``: two small queries, no
    model instances (docs/architecture.md, "Fast lists")."""
    if not visible_versions(actor=actor).filter(pk=version_id).exists():
        raise NotFound(_("找不到该目录版本。"), code=Code.VERSION_NOT_FOUND)
    qs = catalog_item_queryset(version=version_id, level=level, parent=parent, q=q)
    rows = qs.values(*CATALOG_ITEM_ROW_FIELDS)
    return keyset_paginate(rows, ordering=("code", "id"), cursor=cursor, limit=limit)


@dataclass
class TreeNode:
    item: CatalogItem
    children: list[TreeNode] = field(default_factory=list)

    @property
    def descendant_count(self) -> int:
        return sum(1 + child.descendant_count for child in self.children)


def catalog_tree(*, version: CatalogVersion) -> list[TreeNode]:
    """The whole version as a tree (level 1 → 2 → 3), siblings by sort order then code. One
    query."""
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    items = CatalogItem.objects.filter(version=version).order_by("level", "sort_order", "code")
    for item in items:
        node = TreeNode(item)
        nodes[item.pk] = node
        if item.parent_id is None:
            roots.append(node)
        elif item.parent_id in nodes:
            nodes[item.parent_id].children.append(node)
    return roots


def catalog_tree_items(*, version: CatalogVersion) -> list[CatalogItem]:
    """Items in tree (pre-)order: each parent before its children."""
    out: list[CatalogItem] = []

    def walk(nodes: list[TreeNode]) -> None:
        for node in nodes:
            out.append(node.item)
            walk(node.children)

    walk(catalog_tree(version=version))
    return out


def catalog_level_counts(*, version: CatalogVersion) -> dict[int, int]:
    rows = (
        CatalogItem.objects.filter(version=version)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(ItemLevel.values, 0)
    counts.update(dict(rows))
    return counts


def catalog_item_versions(*, actor: Actor, code: str) -> list[CatalogItem]:
    """The item with this code in every version the actor may see, newest first."""
    versions = visible_versions(actor=actor)
    return list(
        CatalogItem.objects.filter(code=code, version__in=versions)
        .select_related("version")
        .order_by("-version__effective_date", "-version_id")
    )


# --- comparing two versions --------------------------------------------------------------

COMPARED_FIELDS = [
    ("name", "名称"),
    ("description", "说明"),
    ("category", "类别"),
    ("guidance_price", "指导价"),
    ("price_unit", "计价单位"),
    ("bought_first", "优先向社会组织购买"),
]


def _display(item: CatalogItem, name: str) -> str:
    value = getattr(item, name)
    if name == "category":
        return item.get_category_display() if value else "—"
    if name == "guidance_price":
        return format_yuan(value)
    if name == "bought_first":
        return "是" if value else "否"
    return value or "—"


def _raw(value: Any) -> Any:
    return str(value) if value is not None and not isinstance(value, bool | str | int) else value


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any
    old_display: str
    new_display: str


@dataclass
class ItemChange:
    code: str
    old: CatalogItem
    new: CatalogItem
    changes: list[FieldChange]


@dataclass
class Comparison:
    a: CatalogVersion
    b: CatalogVersion
    added: list[CatalogItem]
    removed: list[CatalogItem]
    changed: list[ItemChange]
    unchanged: int

    @property
    def is_same(self) -> bool:
        return not (self.added or self.removed or self.changed)


def catalog_compare(*, a: CatalogVersion, b: CatalogVersion) -> Comparison:
    """What changed from version ``a`` (older) to ``b`` (newer), items matched by code."""
    old = {i.code: i for i in CatalogItem.objects.filter(version=a).order_by("code")}
    new = {i.code: i for i in CatalogItem.objects.filter(version=b).order_by("code")}
    added = [new[c] for c in sorted(new.keys() - old.keys())]
    removed = [old[c] for c in sorted(old.keys() - new.keys())]
    changed: list[ItemChange] = []
    unchanged = 0
    for code in sorted(old.keys() & new.keys()):
        before, after = old[code], new[code]
        diffs = [
            FieldChange(
                name,
                label,
                _raw(getattr(before, name)),
                _raw(getattr(after, name)),
                _display(before, name),
                _display(after, name),
            )
            for name, label in COMPARED_FIELDS
            if getattr(before, name) != getattr(after, name)
        ]
        if diffs:
            changed.append(ItemChange(code, before, after, diffs))
        else:
            unchanged += 1
    return Comparison(a, b, added, removed, changed, unchanged)


# --- the negative list -------------------------------------------------------------------


def negative_list_entries(*, include_inactive: bool = False) -> list[NegativeListEntry]:
    qs = NegativeListEntry.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("code", "id"))


def negative_list_entry_get_for(*, actor: Actor, entry_id: int) -> NegativeListEntry:
    require(actor, Perm.CATALOG_MANAGE)
    entry = NegativeListEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("找不到该负面清单事项。"))
    return entry
