"""Writes for people, units, roles, logins and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.codes import Code
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    field_error,
)
from caidan.common.permissions import require
from caidan.common.perms import Perm
from caidan.common.tick import tick_job

from .models import (
    ORGANIZATION_ROLES,
    UNIT_ROLES,
    ApiToken,
    LoginFailure,
    Membership,
    Role,
    Unit,
    User,
)

TOKEN_PREFIX = "cd_"  # noqa: S105 - a public marker, not a secret


def _validate_password(password: str, user: User | None = None, field: str = "password"):
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise field_error(
            field,
            gettext_lazy("密码不符合要求：%(reasons)s") % {"reasons": "；".join(exc.messages)},
        ) from None


def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    actor: Actor,
    validate_password: bool = True,
) -> User:
    require(actor, Perm.ACCOUNTS_MANAGE)
    username = (username or "").strip()
    if not username:
        raise field_error("username", gettext_lazy("用户名不能为空。"))
    if len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise field_error(
            "username", gettext_lazy("用户名只能包含字母、数字和 @ . + - _，最长 150 个字符。")
        )
    if validate_password:
        _validate_password(password, User(username=username, display_name=display_name))
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise field_error(
                "username",
                gettext_lazy("用户名“%(username)s”已被使用。") % {"username": username},
                code=Common.DUPLICATE,
            )
        user = User(username=username, display_name=display_name, email=email, phone=phone)
        user.set_password(password)
        user.save()
        audit_record(
            kind=EventKind.USER_CREATED,
            actor=actor,
            target=user,
            new={"username": username, "display_name": display_name},
        )
    return user


def unit_create(
    *, name: str, kind: str, code: str, parent: Unit | None = None, population=None, actor: Actor
) -> Unit:
    require(actor, Perm.ACCOUNTS_MANAGE)
    if not (name or "").strip():
        raise field_error("name", gettext_lazy("单位名称不能为空。"))
    if not (code or "").strip():
        raise field_error("code", gettext_lazy("单位代码不能为空。"))
    if kind not in Unit.Kind.values:
        raise field_error("kind", gettext_lazy("单位类型“%(kind)s”无效。") % {"kind": kind})
    with transaction.atomic():
        if Unit.objects.filter(code=code).exists():
            raise field_error(
                "code",
                gettext_lazy("单位代码“%(code)s”已存在。") % {"code": code},
                code=Common.DUPLICATE,
            )
        unit = Unit.objects.create(
            name=name.strip(),
            kind=kind,
            code=code,
            parent=parent,
            path="",
            population=population,
        )
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
        audit_record(
            kind=EventKind.UNIT_CREATED,
            actor=actor,
            target=unit,
            new={"name": unit.name, "kind": kind, "code": code, "parent": parent and parent.pk},
        )
    return unit


def membership_grant(
    *, user: User, role: str, unit: Unit | None = None, organization=None, actor: Actor
) -> Membership:
    require(actor, Perm.ACCOUNTS_MANAGE)
    if role not in Role.values:
        raise field_error("role", gettext_lazy("角色“%(role)s”无效。") % {"role": role})
    if role in UNIT_ROLES and (unit is None or organization is not None):
        raise field_error(
            "unit", gettext_lazy("角色“%(label)s”必须指定所属单位。") % {"label": Role(role).label}
        )
    if role in ORGANIZATION_ROLES and (organization is None or unit is not None):
        raise field_error(
            "organization",
            gettext_lazy("角色“%(label)s”必须指定所属组织。") % {"label": Role(role).label},
        )
    if role not in UNIT_ROLES | ORGANIZATION_ROLES and (unit or organization):
        raise field_error(
            "role",
            gettext_lazy("角色“%(label)s”不属于任何单位或组织。") % {"label": Role(role).label},
        )
    with transaction.atomic():
        existing = Membership.objects.filter(
            user=user, role=role, unit=unit, organization=organization
        ).first()
        if existing and existing.is_active:
            raise Conflict(gettext_lazy("该用户已拥有此角色。"), code=Common.DUPLICATE)
        if existing:
            existing.is_active = True
            existing.save(update_fields=["is_active"])
            membership = existing
        else:
            membership = Membership.objects.create(
                user=user, role=role, unit=unit, organization=organization
            )
        audit_record(
            kind=EventKind.MEMBERSHIP_GRANTED,
            actor=actor,
            target=membership,
            new={
                "user": user.username,
                "role": role,
                "unit": unit and unit.pk,
                "organization": organization and organization.pk,
            },
        )
    return membership


def membership_revoke(*, membership: Membership, actor: Actor) -> Membership:
    require(actor, Perm.ACCOUNTS_MANAGE)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_active:
            raise Conflict(gettext_lazy("该角色已被撤销。"))
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_record(
            kind=EventKind.MEMBERSHIP_REVOKED,
            actor=actor,
            target=membership,
            old={"is_active": True},
            new={"is_active": False},
        )
    return membership


# --- logging in -----------------------------------------------------------------------


def login_locked_until(
    *, username: str, ip: str, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Until when a login for ``username`` from ``ip`` is refused, or None.

    Failures are counted per (username, address), never per username alone: an attacker's
    wrong passwords from one address cannot lock the owner out at another. From the
    ``LOGIN_MAX_FAILURES``-th failure within ``LOGIN_FAILURE_WINDOW_SECONDS`` on, each
    failure is followed by a wait that doubles (``LOGIN_LOCK_SECONDS``, 2×, 4×…, at most
    ``LOGIN_LOCK_MAX_SECONDS``); a successful login from that address starts afresh. One
    address failing for many usernames (4 × ``LOGIN_MAX_FAILURES`` within
    ``LOGIN_LOCK_MAX_SECONDS``) is locked as a whole, with the same back-off.
    """
    now = now or timezone.now()
    limit = settings.LOGIN_MAX_FAILURES
    cap = settings.LOGIN_LOCK_MAX_SECONDS
    per_user = LoginFailure.objects.filter(
        username=username.lower(),
        ip=ip,
        at__gte=now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS),
    )
    per_address = (
        LoginFailure.objects.filter(ip=ip, at__gte=now - dt.timedelta(seconds=cap))
        if ip
        else LoginFailure.objects.none()
    )
    until = None
    for rows, threshold in ((per_user, limit), (per_address, limit * 4)):
        count = rows.count()
        if count < threshold:
            continue
        last = rows.order_by("-at").values_list("at", flat=True).first()
        wait = min(settings.LOGIN_LOCK_SECONDS * 2 ** min(count - threshold, 30), cap)
        end = last + dt.timedelta(seconds=wait)
        if end > now and (until is None or end > until):
            until = end
    return until


def login_is_locked(*, username: str, ip: str, now: dt.datetime | None = None) -> bool:
    return login_locked_until(username=username, ip=ip, now=now) is not None


def user_authenticate(*, username: str, password: str, ip: str = "") -> User:
    """Check a username and password, with throttling. Every outcome is audited.

    Raises TooManyRequests while this (username, address) is locked (even for the right
    password), NotAuthenticated for a wrong one; the failure is recorded in its own
    transaction so it survives. The site's login and the Django admin's (which redirects
    here) both go through this function.
    """
    from django.contrib.auth import authenticate

    username = (username or "").strip()[:150]
    now = timezone.now()
    until = login_locked_until(username=username, ip=ip, now=now)
    if until is not None:
        seconds = max(1, int((until - now).total_seconds() + 0.999))
        wait = f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"
        # Not audited again: the failures that caused the lock were, and an attacker
        # hammering a locked door must not grow the audit chain without bound.
        raise TooManyRequests(
            gettext_lazy("登录失败次数过多，从当前网络登录该账户已暂时锁定，请 %(wait)s后再试。")
            % {"wait": wait},
            code=Code.LOGIN_LOCKED,
        )
    user = authenticate(username=username, password=password)
    if user is None:
        with transaction.atomic():
            LoginFailure.objects.create(username=username.lower(), ip=ip, at=now)
            audit_record(
                kind=EventKind.USER_LOGIN_FAILED,
                actor=None,
                target=("accounts.user", "", username),
                ip=ip,
            )
        raise NotAuthenticated(gettext_lazy("用户名或密码错误。"), code=Code.BAD_CREDENTIALS)
    with transaction.atomic():
        LoginFailure.objects.filter(username=username.lower(), ip=ip).delete()
        User.objects.filter(pk=user.pk).update(last_login=now)
        audit_record(kind=EventKind.USER_LOGGED_IN, actor=user, target=user, ip=ip)
    return user


def user_logged_out(*, actor: Actor) -> None:
    with transaction.atomic():
        audit_record(kind=EventKind.USER_LOGGED_OUT, actor=actor, target=actor.user)


def user_change_password(*, user: User, old_password: str, new_password: str, actor: Actor) -> User:
    """A person changes their own password (knowing the old one)."""
    if getattr(actor, "user", None) is None or actor.user.pk != user.pk:
        raise NotAuthenticated(gettext_lazy("只能修改本人的密码。"))
    if not user.check_password(old_password):
        raise field_error("old_password", gettext_lazy("原密码不正确。"))
    if old_password == new_password:
        raise field_error("new_password", gettext_lazy("新密码不能与原密码相同。"))
    _validate_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(kind=EventKind.USER_PASSWORD_CHANGED, actor=actor, target=user)
    return user


def user_reset_password(*, user: User, new_password: str, actor: Actor) -> User:
    """The platform admin sets a new password for someone who lost theirs."""
    require(actor, Perm.ACCOUNTS_MANAGE)
    _validate_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        LoginFailure.objects.filter(username=user.username.lower()).delete()
        audit_record(kind=EventKind.USER_PASSWORD_RESET, actor=actor, target=user)
    return user


def user_set_active(*, user: User, is_active: bool, actor: Actor) -> User:
    """Deactivate (or reactivate) an account. Deactivated people cannot log in and their
    API tokens stop working; their history stays."""
    require(actor, Perm.ACCOUNTS_MANAGE)
    if actor.user is not None and actor.user.pk == user.pk and not is_active:
        raise Conflict(gettext_lazy("不能停用自己的账户。"))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == is_active:
            raise Conflict("该账户已是" + ("启用" if is_active else "停用") + "状态。")
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_record(
            kind=EventKind.USER_REACTIVATED if is_active else EventKind.USER_DEACTIVATED,
            actor=actor,
            target=user,
            old={"is_active": not is_active},
            new={"is_active": is_active},
        )
    return user


def active_membership_switch(*, actor: Actor, membership_id: int) -> Membership:
    """Choose which of one's roles to act in. The caller stores the id in the session."""
    if not actor.is_authenticated:
        raise NotAuthenticated(gettext_lazy("请先登录。"))
    membership = (
        Membership.objects.select_related("unit", "organization")
        .filter(pk=membership_id, user=actor.user, is_active=True)
        .first()
    )
    if membership is None:
        raise NotFound(gettext_lazy("您没有这个角色。"), code=Code.NO_SUCH_ROLE)
    with transaction.atomic():
        audit_record(
            kind=EventKind.USER_ROLE_SWITCHED,
            actor=Actor(user=actor.user, membership=membership, ip=actor.ip),
            target=membership,
            old={"membership": actor.membership.pk if actor.membership else None},
            new={"membership": membership.pk},
        )
    return membership


# --- API tokens -----------------------------------------------------------------------


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a token for the acting person. Returns the token and its secret, which is
    shown once and never stored."""
    if not actor.is_authenticated:
        raise NotAuthenticated(gettext_lazy("请先登录。"))
    name = (name or "").strip()
    if not name:
        raise field_error("name", gettext_lazy("请为令牌取一个名称，以便日后识别和撤销。"))
    if len(name) > 100:
        raise field_error("name", gettext_lazy("令牌名称不能超过 100 个字符。"))
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor.user, name=name, prefix=prefix, key_hash=_hash_key(raw)
        )
        audit_record(kind=EventKind.TOKEN_CREATED, actor=actor, target=token, new={"name": name})
    return token, raw


def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    if not actor.is_authenticated:
        raise NotAuthenticated(gettext_lazy("请先登录。"))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor.user).first()
        if token is None:
            raise NotFound(gettext_lazy("找不到该令牌。"))
        if token.revoked_at is not None:
            raise Conflict(gettext_lazy("该令牌已被撤销。"))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(kind=EventKind.TOKEN_REVOKED, actor=actor, target=token)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning this token secret, or None. Constant-time comparison."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    try:
        prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    except IndexError:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if not hmac.compare_digest(token.key_hash, _hash_key(raw)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@tick_job("accounts.purge_login_failures")
def purge_login_failures(now: dt.datetime) -> int:
    """Forget failed logins older than the throttling window (they no longer count)."""
    cutoff = now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    deleted, _ = LoginFailure.objects.filter(at__lt=cutoff).delete()
    return deleted
