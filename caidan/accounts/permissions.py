"""The accounts app's permission rules. The mechanism (``Rule``, ``register``, ``can``,
``require``, ``unit_scope``) is ``caidan.common.permissions``; its names are re-exported here
for the apps that import them from accounts."""

from __future__ import annotations

from caidan.common.permissions import RULES, Rule, ScopeFn, can, register, require, unit_scope
from caidan.common.perms import Perm
from caidan.common.roles import Role

__all__ = ["RULES", "Rule", "ScopeFn", "can", "register", "require", "unit_scope"]

register(Perm.JURISDICTION_EDIT, [Role.PLATFORM_ADMIN], description="修改辖区设置与日历")
register(Perm.ACCOUNTS_MANAGE, [Role.PLATFORM_ADMIN], description="管理用户、单位与角色")
register(
    Perm.UNIT_VIEW_MEMBERS,
    [Role.PLATFORM_ADMIN, Role.PURCHASER, Role.REGISTRATION_AUTHORITY, Role.AUDITOR],
    scope=unit_scope,
    description="查看单位人员",
)


def openable_users(actor, ids: set[int]) -> set[int]:
    """Which of these people's pages ``actor`` may open: every one for those who manage
    accounts, none for anyone else (the audit log then names them without a link)."""
    return set(ids) if can(actor, Perm.ACCOUNTS_MANAGE) else set()
