"""One permission mechanism for the web UI and the API: role *and* object scope.

A rule names the roles that may do something and, optionally, a scope function that
decides whether the actor's active membership covers the object. Apps register their
rules with ``register`` (each app in its own ``permissions.py``); views and API handlers
call ``require`` (or the named selectors that call it), never ad-hoc
``if user.role == …`` checks.

Model-free, so that every app, the lowest included, can check permissions: the actor is a
``caidan.common.actor.Actor`` and roles are ``caidan.common.roles.Role``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.common.codes import Common

from .actor import Actor
from .errors import NotAuthenticated, PermissionDenied
from .i18n import join_list
from .roles import Role

ScopeFn = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    scope: ScopeFn | None = None
    description: str = ""


RULES: dict[str, Rule] = {}


def register(name: str, roles: Iterable[str], scope: ScopeFn | None = None, description=""):
    RULES[name] = Rule(frozenset(str(r) for r in roles), scope, description)


def can(actor: Actor, permission: str, obj: Any = None) -> bool:
    rule = RULES[permission]
    if actor.via == "system":  # the platform itself (seed, tick): never built from a request
        return True
    if not actor.is_authenticated or actor.membership is None:
        return False
    if not actor.membership.is_active or actor.role not in rule.roles:
        return False
    if obj is not None and rule.scope is not None:
        return bool(rule.scope(actor, obj))
    return True


def require(actor: Actor, permission: str, obj: Any = None) -> None:
    """Raise a DomainError (401 or 403) unless the actor may do ``permission`` on ``obj``."""
    if actor.via == "system":
        return
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    if not can(actor, permission, obj):
        rule = RULES[permission]
        allowed = join_list(Role(r).label for r in sorted(rule.roles) if r in Role.values)
        if actor.role in rule.roles:
            raise PermissionDenied(
                _("此对象不在您当前角色的管辖范围内。"), code=Common.OUT_OF_SCOPE
            )
        raise PermissionDenied(
            _("当前角色无权进行此操作（需要：%(allowed)s）。") % {"allowed": allowed},
            code=Common.PERMISSION_DENIED,
            detail={"required_roles": sorted(rule.roles)},
        )


def unit_scope(actor: Actor, unit) -> bool:
    """Platform admins see the whole jurisdiction; others their own unit and below."""
    return actor.has_role(Role.PLATFORM_ADMIN) or actor.covers_unit(unit)
