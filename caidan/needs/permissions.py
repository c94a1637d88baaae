"""Who may do what with needs and menus (DOMAIN.md §2, §3.2).

Residents submit needs and order from menus with their verified identity; anyone logged
in may report an inappropriate need; purchasers moderate the needs of their own unit
(and below), platform admins those of the whole jurisdiction; purchasers draw up the
menus of their own unit.
"""

from __future__ import annotations

from typing import Any

from caidan.accounts.models import Role, Unit
from caidan.accounts.permissions import register, unit_scope
from caidan.common.perms import Perm


def _unit_of(obj: Any) -> Unit | None:
    return obj if isinstance(obj, Unit) else getattr(obj, "unit", None)


def object_unit_scope(actor, obj) -> bool:
    """The object's unit (a need's street, a menu's purchaser) is within the actor's unit."""
    return unit_scope(actor, _unit_of(obj))


register(Perm.NEEDS_SUBMIT, [Role.RESIDENT], description="提出需求")
register(Perm.NEEDS_ORDER, [Role.RESIDENT], description="点菜（支持菜单项）")
register(Perm.NEEDS_REPORT, list(Role.values), description="举报不当需求")
register(
    Perm.NEEDS_MODERATE,
    [Role.PURCHASER, Role.PLATFORM_ADMIN],
    scope=object_unit_scope,
    description="隐藏或恢复居民需求",
)
register(
    Perm.NEEDS_MANAGE_MENUS,
    [Role.PURCHASER],
    scope=object_unit_scope,
    description="编制、发布和截止本单位的菜单",
)
register(
    Perm.NEEDS_ASSIST,
    [Role.COMMUNITY_WORKER],
    scope=object_unit_scope,
    description="窗口登记居民，代居民点菜、提出需求（本单位及下级）",
)
