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
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Unit
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.catalog.models import CatalogItem
from caidan.common.actor import Actor, user_of
from caidan.common.errors import Conflict, NotFound, field_error
from caidan.common.perms import Perm
from caidan.common.tick import tick_job
from caidan.needs.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import MenuCloseInput, MenuInput, MenuItemInput
from ..lifecycles import menu_lifecycle
from ..models import (
    Menu,
    MenuAction,
    MenuItem,
    MenuOrder,
    MenuStatus,
)
from .identity import identity_of

MAX_ITEMS_PER_MENU = 50
PUBLISHED_CATALOG = "published"  # CatalogVersion.Status.PUBLISHED


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


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
        return Conflict(
            _("菜单“%(title)s”已截止，不能再修改。") % {"title": menu.title}, code=Code.MENU_CLOSED
        )
    return Conflict(
        _(
            "点菜已于 %(local)s 开始，菜单规则已冻结：点菜开始后，菜单项、社区和点菜时间都不能再修改。"
        )
        % {"local": local(menu.ordering_opens_at)},
        code=Code.MENU_FROZEN,
        detail={"rule": "rules_freeze_when_ordering_opens"},
    )


def _lock(menu: Menu) -> Menu:
    locked = Menu.objects.select_for_update().select_related("unit").filter(pk=menu.pk).first()
    if locked is None:
        raise NotFound(_("找不到该菜单。"))
    return locked


# --- drawing up a menu -------------------------------------------------------------------


def menu_create(*, data: MenuInput, actor: Actor, unit: Unit | None = None) -> Menu:
    """A new draft menu for the purchaser's unit (or, for a district officer, a unit below)."""
    require(actor, Perm.NEEDS_MANAGE_MENUS)
    unit = unit or getattr(actor, "unit", None)
    if unit is None:
        raise field_error("unit", _("请指定编制菜单的购买主体（街道、镇或部门）。"))
    require(actor, Perm.NEEDS_MANAGE_MENUS, unit)
    with transaction.atomic():
        menu = Menu.objects.create(unit=unit, created_by=user_of(actor), **data.values())
        audit_record(
            kind=EventKind.MENU_CREATED,
            actor=actor,
            target=menu,
            new={"unit": unit.pk, **_snapshot(menu)},
        )
    return menu


RULES = ("community", "ordering_opens_at", "ordering_closes_at")  # frozen once ordering opens


def menu_input(menu: Menu, **changes: Any) -> MenuInput:
    """The menu as it stands, as an input (with ``changes``), checked again."""
    return MenuInput.parse({**_snapshot(menu), **changes})


def menu_update(*, menu: Menu, changes: dict[str, Any], actor: Actor) -> Menu:
    """Change some fields of a menu; the whole menu is checked again as one input. Title
    and description may be corrected until it closes; the community and the period only
    until ordering opens."""
    require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
    now = timezone.now()
    with transaction.atomic():
        menu = _lock(menu)
        require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
        if menu.status == MenuStatus.CLOSED:
            raise _frozen_error(menu)
        before = _snapshot(menu)
        data = menu_input(menu, **changes)
        changed_rules = {k for k in RULES if getattr(data, k) != before[k]}
        if changed_rules and menu.rules_frozen(now):
            raise _frozen_error(menu)
        if (
            menu.status == MenuStatus.PUBLISHED
            and "ordering_closes_at" in changed_rules
            and data.ordering_closes_at <= now
        ):
            raise field_error("ordering_closes_at", _("已发布菜单的点菜截止时间必须晚于现在。"))
        for key, value in data.values().items():
            setattr(menu, key, value)
        old, new = diff(before, _snapshot(menu))
        if not new:
            return menu
        menu.save()
        audit_record(kind=EventKind.MENU_UPDATED, actor=actor, target=menu, old=old, new=new)
    return menu


def _check_catalog_item(catalog_item: Any) -> CatalogItem:
    if not isinstance(catalog_item, CatalogItem):
        raise field_error("catalog_item", _("请选择购买服务目录中的条目。"))
    item = CatalogItem.objects.select_related("version").filter(pk=catalog_item.pk).first()
    if item is None:
        raise field_error("catalog_item", _("找不到该目录条目。"))
    if item.version.status != PUBLISHED_CATALOG:
        raise field_error(
            "catalog_item",
            _(
                "目录条目“%(code)s %(name)s”所在的目录版本“%(name_2)s”当前为%(get_status_display)s：菜单只能选用已发布目录版本中的条目。"
            )
            % {
                "code": item.code,
                "name": item.name,
                "name_2": item.version.name,
                "get_status_display": item.version.get_status_display(),
            },
            code=Code.CATALOG_NOT_PUBLISHED,
        )
    if item.level != CatalogItem.Level.THIRD:
        raise field_error(
            "catalog_item",
            _(
                "“%(code)s %(name)s”是%(get_level_display)s：菜单只能选用三级目录条目（具体服务项目）。"
            )
            % {"code": item.code, "name": item.name, "get_level_display": item.get_level_display()},
            code=Code.CATALOG_NOT_LEVEL3,
        )
    return item


def menu_item_add(*, menu: Menu, data: MenuItemInput, actor: Actor) -> MenuItem:
    """Put a catalog item on the menu (its title defaults to the item's name)."""
    require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
    item = _check_catalog_item(data.catalog_item)
    title = data.title or item.name
    sort_order = data.sort_order
    with transaction.atomic():
        menu = _lock(menu)
        require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
        if menu.rules_frozen(timezone.now()):
            raise _frozen_error(menu)
        items = MenuItem.objects.filter(menu=menu)
        if items.count() >= MAX_ITEMS_PER_MENU:
            raise Conflict(
                _("一份菜单最多 %(MAX_ITEMS_PER_MENU)s 项。")
                % {"MAX_ITEMS_PER_MENU": MAX_ITEMS_PER_MENU},
                code=Code.MENU_FULL,
            )
        if sort_order is None:
            sort_order = (items.aggregate(m=Max("sort_order"))["m"] or 0) + 1
        row = MenuItem.objects.create(
            menu=menu,
            catalog_item=item,
            title=title,
            description=data.description,
            estimated_budget=data.estimated_budget,
            sort_order=sort_order,
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
                "estimated_budget": data.estimated_budget,
            },
        )
    return row


def menu_item_remove(*, actor: Actor, item: MenuItem) -> None:
    """Take an item off the menu — only before ordering opens."""
    require(actor, Perm.NEEDS_MANAGE_MENUS, item.menu)
    with transaction.atomic():
        menu = _lock(item.menu)
        require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
        if menu.rules_frozen(timezone.now()):
            raise _frozen_error(menu)
        row = MenuItem.objects.filter(pk=item.pk, menu=menu).first()
        if row is None:
            raise NotFound(_("找不到该菜单项。"))
        if MenuOrder.objects.filter(menu_item=row).exists():  # pragma: no cover - frozen first
            raise Conflict(_("已有居民支持该菜单项，不能删除。"), code=Code.MENU_ITEM_ORDERED)
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


def menu_publish(*, actor: Actor, menu: Menu) -> Menu:
    """Publish a draft: residents see it, and may order once its period opens."""
    require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
    now = timezone.now()
    with transaction.atomic():
        menu = _lock_for(menu, MenuAction.PUBLISH)
        require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
        if not MenuItem.objects.filter(menu=menu).exists():
            raise Conflict(_("菜单至少要有一个菜单项才能发布。"), code=Code.MENU_EMPTY)
        if menu.ordering_closes_at <= now:
            raise field_error(
                "ordering_closes_at",
                _("点菜截止时间（%(local)s）已过，请先修改点菜时间再发布。")
                % {"local": local(menu.ordering_closes_at)},
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


def menu_close(
    *,
    menu: Menu,
    actor: Actor,
    data: MenuCloseInput | None = None,
    now: dt.datetime | None = None,
) -> Menu:
    """Close ordering. Before the period's end this needs a stated reason (it shortens
    the period residents were promised); the tick closes menus when their period ends."""
    require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
    now = now or timezone.now()
    reason = data.reason if data is not None else ""
    with transaction.atomic():
        menu = _lock_for(menu, MenuAction.CLOSE)
        require(actor, Perm.NEEDS_MANAGE_MENUS, menu)
        early = now < menu.ordering_closes_at
        if early and not reason:
            raise field_error(
                "reason",
                _("点菜原定 %(local)s 截止，提前截止须说明理由。")
                % {"local": local(menu.ordering_closes_at)},
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
            _("点菜尚未开始：将于 %(local)s 开始。") % {"local": local(menu.ordering_opens_at)},
            code=Code.ORDERING_NOT_OPEN,
        )
    when = menu.closed_at if menu.status == MenuStatus.CLOSED and menu.closed_at else None
    when = when or menu.ordering_closes_at
    return Conflict(
        _("点菜已于 %(local)s 截止。") % {"local": local(when)}, code=Code.ORDERING_CLOSED
    )


def menu_order_place(*, actor: Actor, menu_item: MenuItem) -> MenuOrder:
    """A verified resident supports a menu item: once per identity per item, only while
    ordering is open. A second (or simultaneous) order is refused with the same message."""
    identity = identity_of(actor, Perm.NEEDS_ORDER)
    with transaction.atomic():
        return menu_order_create_for(identity=identity, menu_item=menu_item, actor=actor)


def menu_order_create_for(
    *, identity, menu_item: MenuItem, actor: Actor, assisted_by=None, scope=None
) -> MenuOrder:
    """The order itself, for ``identity`` — one per person per item, whichever number the
    person verified with (linked numbers are one identity). Inside the caller's transaction;
    ``scope(menu)`` checks the caller's permission on the menu once it is read."""
    now = timezone.now()
    if assisted_by is None:
        text = _("您已支持过该菜单项：每人每项只能支持一次，不重复计数。")
    else:
        text = _("该居民已支持过该菜单项：每人每项只能支持一次，不重复计数。")
    already = Conflict(text, code=Code.ALREADY_ORDERED)
    item = MenuItem.objects.select_related("menu").filter(pk=menu_item.pk).first()
    if item is None or item.menu.status == MenuStatus.DRAFT:
        raise NotFound(_("找不到该菜单项。"))
    if scope is not None:
        scope(item.menu)
    if not item.menu.ordering_open(now):
        raise _closed_message(item.menu, now)
    if MenuOrder.objects.filter(menu_item=item, identity=identity).exists():
        raise already
    try:
        with transaction.atomic():
            order = MenuOrder.objects.create(
                menu_item=item, identity=identity, assisted_by=assisted_by
            )
    except IntegrityError:
        raise already from None
    new = {"menu": item.menu_id, "menu_item": item.pk}
    if assisted_by is not None:
        new["assisted_by"] = assisted_by.display_name or assisted_by.username
    audit_record(kind=EventKind.MENU_ORDERED, actor=actor, target=item, new=new)
    return order
