"""Reads for needs and menus. Public reads never carry who stated a need or who ordered;
drafts and hidden needs are visible only to those whose unit covers them (others get
"not found", not a hint)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role, Unit
from caidan.accounts.permissions import can, require
from caidan.catalog.models import CatalogItem
from caidan.common.actor import Actor
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import clean_query, text_match
from caidan.common.xlsx import write_workbook

from . import permissions  # noqa: F401 - registers the rules
from .inputs import NEED_UNIT_KINDS
from .models import (
    Menu,
    MenuItem,
    MenuOrder,
    MenuStatus,
    Need,
    NeedStatus,
    ResidentIdentity,
    TargetGroup,
)
from .services.identity import identity_of

# --- units -------------------------------------------------------------------------------


def need_units() -> QuerySet[Unit]:
    """The streets and towns a need (or a public list) can be about."""
    return Unit.objects.filter(kind__in=NEED_UNIT_KINDS).order_by("code")


def unit_get(*, unit_id: int | None) -> Unit | None:
    if not unit_id:
        return None
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise field_error("unit_id", _("找不到该街道（镇）。"))
    return unit


# --- needs -------------------------------------------------------------------------------


def _public_needs() -> QuerySet[Need]:
    return Need.objects.public().select_related("unit")


def need_list_public(
    *,
    unit_id: int | None = None,
    target_group: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Visible needs, newest first, of one street (or all), with every word of ``q`` in the
    need or its community."""
    qs = _public_needs()
    if q := clean_query(q):
        qs = qs.filter(text_match(q, "text", "community"))
    unit = unit_get(unit_id=unit_id)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if target_group:
        if target_group not in TargetGroup.values:
            raise field_error(
                "target_group",
                _("服务对象“%(target_group)s”无效。") % {"target_group": target_group},
            )
        qs = qs.filter(target_group=target_group)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def need_get_public(*, need_id: int) -> Need:
    need = _public_needs().filter(pk=need_id).first()
    if need is None:
        raise NotFound(_("找不到该需求（可能已被隐藏）。"))
    return need


def need_list_mine(*, actor: Actor, cursor: str | None = None, limit: int | None = None) -> Page:
    """The resident's own needs, hidden ones included (with the reason)."""
    identity = identity_of(actor, Perm.NEEDS_SUBMIT)
    qs = (
        Need.objects.filter(identity=identity)
        .select_related("unit", "assisted_by")
        .prefetch_related("proposals")
    )
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def _in_scope(actor: Actor, qs: QuerySet, unit_field: str = "unit") -> QuerySet:
    if actor.has_role(Role.PLATFORM_ADMIN):
        return qs
    return qs.filter(**{f"{unit_field}__path__startswith": actor.unit.path})


def need_list_for_moderation(
    *,
    actor: Actor,
    status: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Needs in the moderator's scope, hidden ones included, with their report counts."""
    require(actor, Perm.NEEDS_MODERATE)
    qs = _in_scope(actor, Need.objects.select_related("unit", "assisted_by"))
    if status:
        if status not in NeedStatus.values:
            raise field_error("status", _("状态“%(status)s”无效。") % {"status": status})
        qs = qs.filter(status=status)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def need_get_for_moderation(*, actor: Actor, need_id: int) -> Need:
    need = Need.objects.select_related("unit", "assisted_by").filter(pk=need_id).first()
    if need is None:
        raise NotFound(_("找不到该需求。"))
    require(actor, Perm.NEEDS_MODERATE, need)
    return need


def need_get_for_report(*, need_id: int) -> Need:
    """What a person may report: a visible need."""
    return need_get_public(need_id=need_id)


# --- menus -------------------------------------------------------------------------------


def can_manage_menu(actor: Actor, menu_or_unit: Any) -> bool:
    return actor is not None and can(actor, Perm.NEEDS_MANAGE_MENUS, menu_or_unit)


def _menus() -> QuerySet[Menu]:
    return Menu.objects.select_related("unit").annotate(item_count=Count("items"))


def menu_list_public(
    *,
    unit_id: int | None = None,
    status: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Published and closed menus, newest first, with every word of ``q`` in the title or
    description."""
    qs = _menus().public()
    if q := clean_query(q):
        qs = qs.filter(text_match(q, "title", "description"))
    unit = unit_get(unit_id=unit_id)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if status == "open":
        now = timezone.now()
        qs = qs.filter(
            status=MenuStatus.PUBLISHED, ordering_opens_at__lte=now, ordering_closes_at__gt=now
        )
    elif status:
        if status not in (MenuStatus.PUBLISHED, MenuStatus.CLOSED):
            raise field_error(
                "status",
                _("状态“%(status)s”无效（可选 open、published、closed）。") % {"status": status},
            )
        qs = qs.filter(status=status)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def menu_list_for_manage(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None
) -> Page:
    """Every menu of the purchaser's unit (and below), drafts included."""
    require(actor, Perm.NEEDS_MANAGE_MENUS)
    qs = _in_scope(actor, _menus())
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def menu_get_for(*, actor: Actor, menu_id: int) -> Menu:
    """A menu as this person may see it: public once published; a draft only for the
    purchasers whose unit covers it."""
    menu = _menus().filter(pk=menu_id).first()
    if menu is None or (not menu.is_public and not can_manage_menu(actor, menu)):
        raise NotFound(_("找不到该菜单。"))
    return menu


def menu_get_for_edit(*, actor: Actor, menu_id: int) -> Menu:
    menu = _menus().filter(pk=menu_id).first()
    if menu is None:
        raise NotFound(_("找不到该菜单。"))
    require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
    return menu


def menu_items(*, menu: Menu) -> list[MenuItem]:
    return list(
        MenuItem.objects.filter(menu=menu)
        .select_related("catalog_item", "catalog_item__version")
        .order_by("sort_order", "id")
    )


def menu_item_get_for(*, actor: Actor, item_id: int) -> MenuItem:
    item = MenuItem.objects.select_related("menu", "menu__unit").filter(pk=item_id).first()
    if item is None or (not item.menu.is_public and not can_manage_menu(actor, item.menu)):
        raise NotFound(_("找不到该菜单项。"))
    return item


def menu_item_get_for_edit(*, actor: Actor, menu: Menu, item_id: int) -> MenuItem:
    require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
    item = MenuItem.objects.select_related("menu", "menu__unit").filter(pk=item_id, menu=menu)
    row = item.first()
    if row is None:
        raise NotFound(_("找不到该菜单项。"))
    return row


def ordered_item_ids(*, actor: Actor, menu: Menu) -> set[int]:
    """Which of the menu's items this resident has supported (for the "已支持" marks)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(Role.RESIDENT):
        return set()
    identity = ResidentIdentity.objects.filter(user=actor.user).first()
    if identity is None:
        return set()
    return set(
        MenuOrder.objects.filter(identity=identity, menu_item__menu=menu).values_list(
            "menu_item_id", flat=True
        )
    )


def menu_orders_mine(*, actor: Actor, cursor: str | None = None, limit: int | None = None) -> Page:
    identity = identity_of(actor, Perm.NEEDS_ORDER)
    qs = (
        MenuOrder.objects.filter(identity=identity)
        .select_related("menu_item", "menu_item__menu", "menu_item__catalog_item")
        .prefetch_related("menu_item__proposals")
    )
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def orderable_catalog_items() -> QuerySet[CatalogItem]:
    """Third-level items of published catalog versions: what a menu may offer."""
    return (
        CatalogItem.objects.filter(version__status="published", level=CatalogItem.Level.THIRD)
        .select_related("version")
        .order_by("-version__effective_date", "version_id", "code")
    )


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    rank: int
    item: MenuItem
    support: int
    share: Decimal  # percent of all supports on this menu, 1 decimal


@dataclass(frozen=True)
class Results:
    menu: Menu
    rows: list[ResultRow]
    total: int
    at: dt.datetime


def menu_results(*, menu: Menu) -> Results:
    """Supports per item, most supported first; equal counts share a rank (1, 1, 3).
    One aggregate query."""
    items = list(
        MenuItem.objects.filter(menu=menu)
        .select_related("catalog_item")
        .annotate(
            support=Count("orders"),
            # of which placed at the counter by a community worker (代办): a count, never who
            assisted=Count("orders", filter=Q(orders__assisted_by__isnull=False)),
        )
        .order_by("-support", "sort_order", "id")
    )
    total = sum(i.support for i in items)
    rows: list[ResultRow] = []
    previous, rank = None, 0
    for position, item in enumerate(items, start=1):
        if item.support != previous:
            rank, previous = position, item.support
        share = (
            (Decimal(item.support) * 100 / Decimal(total)).quantize(Decimal("0.1"))
            if total
            else Decimal("0.0")
        )
        rows.append(ResultRow(rank=rank, item=item, support=item.support, share=share))
    return Results(menu=menu, rows=rows, total=total, at=timezone.now())


def menu_get_results(*, actor: Actor, menu_id: int) -> Results:
    """Results are public once the menu is published."""
    return menu_results(menu=menu_get_for(actor=actor, menu_id=menu_id))


RESULT_HEADERS = (
    "排名",
    "菜单项",
    "目录编码",
    "目录条目",
    "预估预算（元）",
    "支持人数",
    "占比（%）",
)


def _results_table(results: Results) -> list[list[Any]]:
    return [
        [
            row.rank,
            row.item.title,
            row.item.catalog_item.code,
            row.item.catalog_item.name,
            row.item.estimated_budget,
            row.support,
            row.share,
        ]
        for row in results.rows
    ]


def _csv_safe(value: Any) -> Any:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def menu_results_csv(*, results: Results) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_HEADERS)
    for line in _results_table(results):
        writer.writerow([_csv_safe(v) for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def menu_results_xlsx(*, results: Results) -> bytes:
    rows = [
        [_csv_safe(v) if isinstance(v, str) else v for v in line]
        for line in _results_table(results)
    ]
    return write_workbook("点菜结果", RESULT_HEADERS, rows)


def export_filename(menu: Menu, ext: str) -> str:
    return f"menu-{menu.pk}-results.{ext}"


# --- assisted participation (issue 21) ---------------------------------------------------


def counter_menu_items(*, actor: Actor, identity=None, limit: int = 100) -> list[MenuItem]:
    """The items a community worker may order on a resident's behalf: menus of the worker's
    unit (and below) open for ordering now; ``item.ordered`` marks what the resident
    already supports. Two queries."""
    require(actor, Perm.NEEDS_ASSIST)
    now = timezone.now()
    qs = _in_scope(
        actor,
        MenuItem.objects.filter(
            menu__status=MenuStatus.PUBLISHED,
            menu__ordering_opens_at__lte=now,
            menu__ordering_closes_at__gt=now,
        ).select_related("menu", "menu__unit"),
        unit_field="menu__unit",
    ).order_by("-menu_id", "sort_order", "id")[:limit]
    items = list(qs)
    ordered: set[int] = set()
    if identity is not None and items:
        ordered = set(
            MenuOrder.objects.filter(
                identity=identity, menu_item_id__in=[i.pk for i in items]
            ).values_list("menu_item_id", flat=True)
        )
    for item in items:
        item.ordered = item.pk in ordered
    return items


def counter_recent(*, actor: Actor, limit: int = 20) -> dict[str, list]:
    """What this worker did on residents' behalf lately (needs and orders, newest first)."""
    require(actor, Perm.NEEDS_ASSIST)
    needs = list(
        Need.objects.filter(assisted_by=actor.user).select_related("unit").order_by("-id")[:limit]
    )
    orders = list(
        MenuOrder.objects.filter(assisted_by=actor.user)
        .select_related("menu_item", "menu_item__menu")
        .order_by("-id")[:limit]
    )
    return {"needs": needs, "orders": orders}
