"""Menus (菜单) and orders (点菜): 百姓点菜、政府买单.

A purchaser draws up a menu for a community: candidate services, each a third-level item
of a published catalog version, and an ordering period. Lifecycle: draft → published →
closed (``MENU_TRANSITIONS``). The rules freeze once ordering opens: from
``ordering_opens_at`` on (server clock) the items, the community and the period can no
longer change. Residents order while the period runs, one support per identity per item
(a database constraint, so a double submit cannot count twice). The tick closes menus
whose period has ended.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from caidan.accounts.actor import Actor, user_of
from caidan.accounts.models import Unit
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.catalog.models import CatalogItem
from caidan.common.errors import Conflict, NotFound, field_error
from caidan.common.money import to_money
from caidan.common.tick import tick_job

from .. import permissions  # noqa: F401 - registers the rules
from ..lifecycles import menu_lifecycle
from ..models import (
    Menu,
    MenuAction,
    MenuItem,
    MenuOrder,
    MenuStatus,
)
from .identity import identity_of
from .needs import clean_text

KEEP: Any = object()  # "leave this field as it is" in update services
MAX_ITEMS_PER_MENU = 50
PUBLISHED_CATALOG = "published"  # CatalogVersion.Status.PUBLISHED
MAX_PERIOD = dt.timedelta(days=366)


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _clean_datetime(field: str, label: str, value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise field_error(field, f"“{label}”格式应为 YYYY-MM-DD HH:MM。") from None
    if not isinstance(value, dt.datetime):
        raise field_error(field, f"请填写“{label}”。")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # entered in the jurisdiction's time zone
    return value


def _clean_period(opens: Any, closes: Any) -> tuple[dt.datetime, dt.datetime]:
    opens = _clean_datetime("ordering_opens_at", "点菜开始时间", opens)
    closes = _clean_datetime("ordering_closes_at", "点菜截止时间", closes)
    if closes <= opens:
        raise field_error(
            "ordering_closes_at",
            f"点菜截止时间（{local(closes)}）必须晚于开始时间（{local(opens)}）。",
        )
    if closes - opens > MAX_PERIOD:
        raise field_error("ordering_closes_at", "点菜时间最长一年。")
    return opens, closes


def _clean_budget(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    amount = to_money(value, field="estimated_budget")
    if amount < 0:
        raise field_error("estimated_budget", "预估预算不能为负数。")
    return amount


def _snapshot(menu: Menu) -> dict[str, Any]:
    return {
        "community": menu.community,
        "title": menu.title,
        "description": menu.description,
        "ordering_opens_at": menu.ordering_opens_at,
        "ordering_closes_at": menu.ordering_closes_at,
    }


def _frozen_error(menu: Menu) -> Conflict:
    if menu.status == MenuStatus.CLOSED:
        return Conflict(f"菜单“{menu.title}”已截止，不能再修改。", code="menu_closed")
    return Conflict(
        f"点菜已于 {local(menu.ordering_opens_at)} 开始，菜单规则已冻结："
        "点菜开始后，菜单项、社区和点菜时间都不能再修改。",
        code="menu_frozen",
        detail={"rule": "rules_freeze_when_ordering_opens"},
    )


def _lock(menu: Menu) -> Menu:
    locked = Menu.objects.select_for_update().select_related("unit").filter(pk=menu.pk).first()
    if locked is None:
        raise NotFound("找不到该菜单。")
    return locked


# --- drawing up a menu -------------------------------------------------------------------


def menu_create(
    *,
    actor: Any,
    community: str,
    title: str,
    ordering_opens_at: Any,
    ordering_closes_at: Any,
    description: str = "",
    unit: Unit | None = None,
) -> Menu:
    """A new draft menu for the purchaser's unit (or, for a district officer, a unit below)."""
    require(actor, "needs.manage_menus")
    unit = unit or getattr(actor, "unit", None)
    if unit is None:
        raise field_error("unit", "请指定编制菜单的购买主体（街道、镇或部门）。")
    require(actor, "needs.manage_menus", unit)
    community = clean_text("community", "社区（居委会）", community, max_length=100, required=True)
    title = clean_text("title", "标题", title, max_length=200, required=True)
    description = str(description or "").strip()
    if len(description) > 5000:
        raise field_error("description", "说明不能超过 5000 个字。")
    opens, closes = _clean_period(ordering_opens_at, ordering_closes_at)
    with transaction.atomic():
        menu = Menu.objects.create(
            unit=unit,
            community=community,
            title=title,
            description=description,
            ordering_opens_at=opens,
            ordering_closes_at=closes,
            created_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.MENU_CREATED,
            actor=actor,
            target=menu,
            new={"unit": unit.pk, **_snapshot(menu)},
        )
    return menu


def menu_update(
    *,
    actor: Any,
    menu: Menu,
    title: str = KEEP,
    description: str = KEEP,
    community: str = KEEP,
    ordering_opens_at: Any = KEEP,
    ordering_closes_at: Any = KEEP,
) -> Menu:
    """Change a menu. Title and description may be corrected until it closes; the
    community and the period only until ordering opens."""
    require(actor, "needs.manage_menus", menu)
    now = timezone.now()
    with transaction.atomic():
        menu = _lock(menu)
        require(actor, "needs.manage_menus", menu)
        if menu.status == MenuStatus.CLOSED:
            raise _frozen_error(menu)
        before = _snapshot(menu)
        if title is not KEEP:
            menu.title = clean_text("title", "标题", title, max_length=200, required=True)
        if description is not KEEP:
            menu.description = str(description or "").strip()
            if len(menu.description) > 5000:
                raise field_error("description", "说明不能超过 5000 个字。")
        rules = {}
        if community is not KEEP:
            rules["community"] = clean_text(
                "community", "社区（居委会）", community, max_length=100, required=True
            )
        if ordering_opens_at is not KEEP or ordering_closes_at is not KEEP:
            opens, closes = _clean_period(
                menu.ordering_opens_at if ordering_opens_at is KEEP else ordering_opens_at,
                menu.ordering_closes_at if ordering_closes_at is KEEP else ordering_closes_at,
            )
            rules["ordering_opens_at"], rules["ordering_closes_at"] = opens, closes
        changed_rules = {k: v for k, v in rules.items() if getattr(menu, k) != v}
        if changed_rules and menu.rules_frozen(now):
            raise _frozen_error(menu)
        if (
            menu.status == MenuStatus.PUBLISHED
            and "ordering_closes_at" in changed_rules
            and changed_rules["ordering_closes_at"] <= now
        ):
            raise field_error("ordering_closes_at", "已发布菜单的点菜截止时间必须晚于现在。")
        for key, value in changed_rules.items():
            setattr(menu, key, value)
        old, new = diff(before, _snapshot(menu))
        if not new:
            return menu
        menu.save()
        audit_record(kind=EventKind.MENU_UPDATED, actor=actor, target=menu, old=old, new=new)
    return menu


def _check_catalog_item(catalog_item: Any) -> CatalogItem:
    if not isinstance(catalog_item, CatalogItem):
        raise field_error("catalog_item", "请选择购买服务目录中的条目。")
    item = CatalogItem.objects.select_related("version").filter(pk=catalog_item.pk).first()
    if item is None:
        raise field_error("catalog_item", "找不到该目录条目。")
    if item.version.status != PUBLISHED_CATALOG:
        raise field_error(
            "catalog_item",
            f"目录条目“{item.code} {item.name}”所在的目录版本“{item.version.name}”"
            f"当前为{item.version.get_status_display()}：菜单只能选用已发布目录版本中的条目。",
            code="catalog_not_published",
        )
    if item.level != CatalogItem.Level.THIRD:
        raise field_error(
            "catalog_item",
            f"“{item.code} {item.name}”是{item.get_level_display()}：菜单只能选用三级目录条目（具体服务项目）。",
            code="catalog_not_level3",
        )
    return item


def menu_item_add(
    *,
    actor: Any,
    menu: Menu,
    catalog_item: CatalogItem,
    title: str = "",
    description: str = "",
    estimated_budget: Any = None,
    sort_order: int | None = None,
) -> MenuItem:
    """Put a catalog item on the menu (its title defaults to the item's name)."""
    require(actor, "needs.manage_menus", menu)
    item = _check_catalog_item(catalog_item)
    title = clean_text("title", "名称", title, max_length=200, required=False) or item.name
    description = str(description or "").strip()
    if len(description) > 2000:
        raise field_error("description", "菜单项说明不能超过 2000 个字。")
    budget = _clean_budget(estimated_budget)
    with transaction.atomic():
        menu = _lock(menu)
        require(actor, "needs.manage_menus", menu)
        if menu.rules_frozen(timezone.now()):
            raise _frozen_error(menu)
        items = MenuItem.objects.filter(menu=menu)
        if items.count() >= MAX_ITEMS_PER_MENU:
            raise Conflict(f"一份菜单最多 {MAX_ITEMS_PER_MENU} 项。", code="menu_full")
        if sort_order is None:
            sort_order = (items.aggregate(m=Max("sort_order"))["m"] or 0) + 1
        elif int(sort_order) < 0:
            raise field_error("sort_order", "排序号不能为负数。")
        row = MenuItem.objects.create(
            menu=menu,
            catalog_item=item,
            title=title,
            description=description,
            estimated_budget=budget,
            sort_order=int(sort_order),
        )
        audit_record(
            kind=EventKind.MENU_ITEM_ADDED,
            actor=actor,
            target=row,
            new={
                "menu": menu.pk,
                "catalog_item": item.pk,
                "code": item.code,
                "title": title,
                "estimated_budget": budget,
            },
        )
    return row


def menu_item_remove(*, actor: Any, item: MenuItem) -> None:
    """Take an item off the menu — only before ordering opens."""
    require(actor, "needs.manage_menus", item.menu)
    with transaction.atomic():
        menu = _lock(item.menu)
        require(actor, "needs.manage_menus", menu)
        if menu.rules_frozen(timezone.now()):
            raise _frozen_error(menu)
        row = MenuItem.objects.filter(pk=item.pk, menu=menu).first()
        if row is None:
            raise NotFound("找不到该菜单项。")
        if MenuOrder.objects.filter(menu_item=row).exists():  # pragma: no cover - frozen first
            raise Conflict("已有居民支持该菜单项，不能删除。", code="menu_item_ordered")
        audit_record(
            kind=EventKind.MENU_ITEM_REMOVED,
            actor=actor,
            target=row,
            old={"menu": menu.pk, "catalog_item": row.catalog_item_id, "title": row.title},
        )
        row.delete()


# --- the lifecycle -----------------------------------------------------------------------


def _lock_for(menu: Menu, action: str) -> Menu:
    locked = _lock(menu)
    menu_lifecycle.check(locked.status, action, name=locked.title)
    return locked


def menu_publish(*, actor: Any, menu: Menu) -> Menu:
    """Publish a draft: residents see it, and may order once its period opens."""
    require(actor, "needs.manage_menus", menu)
    now = timezone.now()
    with transaction.atomic():
        menu = _lock_for(menu, MenuAction.PUBLISH)
        require(actor, "needs.manage_menus", menu)
        if not MenuItem.objects.filter(menu=menu).exists():
            raise Conflict("菜单至少要有一个菜单项才能发布。", code="menu_empty")
        if menu.ordering_closes_at <= now:
            raise field_error(
                "ordering_closes_at",
                f"点菜截止时间（{local(menu.ordering_closes_at)}）已过，请先修改点菜时间再发布。",
            )
        menu_lifecycle.apply(
            menu,
            MenuAction.PUBLISH,
            actor=actor,
            update_fields=["updated_at"],
            published_at=now,
            audit_new={
                "items": MenuItem.objects.filter(menu=menu).count(),
                "ordering_opens_at": menu.ordering_opens_at,
                "ordering_closes_at": menu.ordering_closes_at,
            },
        )
    return menu


def menu_close(*, actor: Any, menu: Menu, reason: str = "", now: dt.datetime | None = None) -> Menu:
    """Close ordering. Before the period's end this needs a stated reason (it shortens
    the period residents were promised); the tick closes menus when their period ends."""
    require(actor, "needs.manage_menus", menu)
    now = now or timezone.now()
    reason = clean_text("reason", "截止理由", reason, max_length=300, required=False)
    with transaction.atomic():
        menu = _lock_for(menu, MenuAction.CLOSE)
        require(actor, "needs.manage_menus", menu)
        early = now < menu.ordering_closes_at
        if early and not reason:
            raise field_error(
                "reason",
                f"点菜原定 {local(menu.ordering_closes_at)} 截止，提前截止须说明理由。",
            )
        menu_lifecycle.apply(
            menu,
            MenuAction.CLOSE,
            actor=actor,
            note=reason,
            update_fields=["updated_at"],
            closed_at=now,
            close_reason=reason,
            audit_new={"early": early},
        )
    return menu


@tick_job("needs.close_menus")
def close_due_menus(now: dt.datetime) -> int:
    """Close every published menu whose ordering period has ended. Each in its own
    transaction, rows locked with SKIP LOCKED: two servers ticking together never close a
    menu twice, and a rerun changes nothing."""
    due = list(
        Menu.objects.filter(status=MenuStatus.PUBLISHED, ordering_closes_at__lte=now)
        .order_by("ordering_closes_at", "id")
        .values_list("pk", flat=True)
    )
    closed = 0
    system = Actor.system()
    for pk in due:
        with transaction.atomic():
            menu = (
                Menu.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=MenuStatus.PUBLISHED, ordering_closes_at__lte=now)
                .first()
            )
            if menu is None:
                continue  # another server has it, or it is already closed
            menu_lifecycle.apply(
                menu,
                MenuAction.CLOSE,
                actor=system,
                note="点菜时间届满，自动截止",
                update_fields=["updated_at"],
                closed_at=now,
                audit_new={"early": False},
            )
            closed += 1
    return closed


# --- ordering ----------------------------------------------------------------------------


def _closed_message(menu: Menu, now: dt.datetime) -> Conflict:
    if menu.status == MenuStatus.PUBLISHED and now < menu.ordering_opens_at:
        return Conflict(
            f"点菜尚未开始：将于 {local(menu.ordering_opens_at)} 开始。", code="ordering_not_open"
        )
    when = menu.closed_at if menu.status == MenuStatus.CLOSED and menu.closed_at else None
    when = when or menu.ordering_closes_at
    return Conflict(f"点菜已于 {local(when)} 截止。", code="ordering_closed")


def menu_order_place(*, actor: Any, menu_item: MenuItem) -> MenuOrder:
    """A verified resident supports a menu item: once per identity per item, only while
    ordering is open. A second (or simultaneous) order is refused with the same message."""
    identity = identity_of(actor, "needs.order")
    now = timezone.now()
    already = Conflict(
        "您已支持过该菜单项：每人每项只能支持一次，不重复计数。", code="already_ordered"
    )
    with transaction.atomic():
        item = MenuItem.objects.select_related("menu").filter(pk=menu_item.pk).first()
        if item is None or item.menu.status == MenuStatus.DRAFT:
            raise NotFound("找不到该菜单项。")
        if not item.menu.ordering_open(now):
            raise _closed_message(item.menu, now)
        if MenuOrder.objects.filter(menu_item=item, identity=identity).exists():
            raise already
        try:
            with transaction.atomic():
                order = MenuOrder.objects.create(menu_item=item, identity=identity)
        except IntegrityError:
            raise already from None
        audit_record(
            kind=EventKind.MENU_ORDERED,
            actor=actor,
            target=item,
            new={"menu": item.menu_id, "menu_item": item.pk},
        )
    return order
