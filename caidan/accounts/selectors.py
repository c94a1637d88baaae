"""Reads for people, units and roles, with scope checks."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caidan.accounts.codes import Code
from caidan.common.actor import Actor
from caidan.common.errors import Conflict, NotFound
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.permissions import require
from caidan.common.perms import Perm

from .models import ApiToken, Membership, Unit, User


def memberships_of(user: User) -> list[Membership]:
    if user is None or not user.pk:
        return []
    return list(
        Membership.objects.select_related("unit", "organization")
        .filter(user=user, is_active=True)
        .order_by("id")
    )


def resolve_membership(user: User | None, membership_id: int | None) -> Membership | None:
    """The membership to act in: the requested one if it is the user's and active, else
    the user's first active one."""
    if user is None or not user.is_authenticated:
        return None
    qs = Membership.objects.select_related("unit", "organization").filter(user=user, is_active=True)
    if membership_id:
        chosen = qs.filter(pk=membership_id).first()
        if chosen is not None:
            return chosen
    return qs.order_by("id").first()


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.select_related("parent").order_by("path")


def unit_get_for(*, actor: Actor, unit_id: int, permission: str) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("找不到该单位。"))
    require(actor, permission, unit)
    return unit


def unit_members(*, actor: Actor, unit_id: int, cursor=None, limit=None) -> Page:
    unit = unit_get_for(actor=actor, unit_id=unit_id, permission=Perm.UNIT_VIEW_MEMBERS)
    qs = Membership.objects.select_related("user", "unit").filter(unit=unit, is_active=True)
    return keyset_paginate(qs, ordering=("id",), cursor=cursor, limit=limit)


def api_tokens_of(*, actor: Actor) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=actor.user).order_by("-id"))


def user_list(*, actor: Actor, search: str = "", cursor=None, limit=None) -> Page:
    """People, for the platform admin; search by username or name (substring)."""
    from django.db.models import Prefetch, Q

    require(actor, Perm.ACCOUNTS_MANAGE)
    qs = User.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("unit", "organization").order_by("id"),
        )
    )
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    return keyset_paginate(qs, ordering=("id",), cursor=cursor, limit=limit)


def user_get_for(*, actor: Actor, user_id: int) -> User:
    require(actor, Perm.ACCOUNTS_MANAGE)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("找不到该用户。"))
    return user


def membership_get_for(*, actor: Actor, membership_id: int) -> Membership:
    require(actor, Perm.ACCOUNTS_MANAGE)
    membership = Membership.objects.select_related("user", "unit").filter(pk=membership_id).first()
    if membership is None:
        raise NotFound(_("找不到该角色授权。"))
    return membership


def unit_officers(unit, role: str = "purchaser") -> list[User]:
    """Active people holding ``role`` at exactly ``unit`` (whom a unit's notices go to)."""
    return list(
        User.objects.filter(
            memberships__role=role,
            memberships__unit=unit,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def membership_organizations() -> QuerySet:
    """Every organization a membership may be scoped to. ``orgs`` sits above accounts, so the
    model is reached through the membership's foreign key, never imported."""
    return Membership._meta.get_field("organization").related_model.objects.all()


def organization_users(organizations) -> list[User]:
    """Active people acting for any of ``organizations`` (objects or ids)."""
    ids = [getattr(o, "pk", o) for o in organizations if o]
    if not ids:
        return []
    return list(
        User.objects.filter(
            memberships__organization__in=ids, memberships__is_active=True, is_active=True
        ).distinct()
    )


def finance_bureau(*, what: str = "") -> Unit:
    """The finance department's unit (财政部门: complaints, supervision reports):
    ``settings.CAIDAN_FINANCE_BUREAU_CODE`` when set, else the unit of the first active
    platform admin. Refuses, naming ``what`` could not be handled, when there is neither."""
    from caidan.common.roles import Role

    code = getattr(settings, "CAIDAN_FINANCE_BUREAU_CODE", "")
    unit = Unit.objects.filter(code=code).first() if code else None
    if unit is None:
        m = (
            Membership.objects.select_related("unit")
            .filter(role=Role.PLATFORM_ADMIN, is_active=True, unit__isnull=False)
            .order_by("id")
            .first()
        )
        unit = m.unit if m else None
    if unit is None:
        raise Conflict(
            _("平台尚未设置财政部门（没有平台管理员），暂不能受理%(what)s。") % {"what": what},
            code=Code.NO_FINANCE,
        )
    return unit
