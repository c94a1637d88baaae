"""People, government units, roles and API tokens.

A person (``User``) holds any number of ``Membership`` rows, each one role scoped to a
government ``Unit`` or an ``Organization`` (DOMAIN.md §2). The role a person acts in is
chosen per session ("active role"); every permission check uses that membership.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.roles import Role  # re-exported: ``caidan.accounts.models.Role`` stays

UNIT_ROLES = frozenset(
    {
        Role.PLATFORM_ADMIN,
        Role.REGISTRATION_AUTHORITY,
        Role.PURCHASER,
        Role.COMMITTEE_MEMBER,
        Role.AUDITOR,
        Role.COMMUNITY_WORKER,
    }
)
ORGANIZATION_ROLES = frozenset({Role.PROVIDER, Role.HUB, Role.EVALUATOR})
UNSCOPED_ROLES = frozenset({Role.EXPERT, Role.RESIDENT})


class User(AbstractUser):
    """A person who logs in. ``display_name`` is what the UI shows (Chinese names do not
    split into first and last the way Django's defaults assume)."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class Unit(models.Model):
    """A government unit (购买主体 and others): district → street / town / department.

    ``path`` is the materialised path of ids (``/1/4/``) so that "this unit and all below
    it" is one indexed prefix query at any depth.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区（县）")
        DEPARTMENT = "department", _("委办局")
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("层级路径"), max_length=255, db_index=True, editable=False)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or below it."""
        return self.path.startswith(other.path)


class Membership(models.Model):
    """One role of one person, scoped to a unit or an organization (or to nothing for
    experts and residents)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=sorted(r.value for r in UNIT_ROLES), unit__isnull=False)
                    & Q(organization__isnull=True)
                )
                | (
                    Q(
                        role__in=sorted(r.value for r in ORGANIZATION_ROLES),
                        organization__isnull=False,
                    )
                    & Q(unit__isnull=True)
                )
                | (
                    Q(role__in=sorted(r.value for r in UNSCOPED_ROLES))
                    & Q(unit__isnull=True, organization__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="membership_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(organization__isnull=False),
                name="membership_unique_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(unit__isnull=True, organization__isnull=True),
                name="membership_unique_unscoped",
            ),
        ]
        indexes = [models.Index(fields=["role", "unit"], name="membership_role_unit")]

    def __str__(self) -> str:
        scope = self.scope
        return f"{self.get_role_display()}" + (f" · {scope}" if scope else "")

    @property
    def scope(self):
        return self.unit or self.organization


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the secret is
    shown once at creation. Revoked tokens stay for the record."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    key_hash = models.CharField(_("密钥哈希"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarFeed(models.Model):
    """A personal iCal feed of one membership's deadlines and events, at a secret URL a phone
    calendar subscribes to. Only a SHA-256 hash of the secret is stored (the URL is shown
    once); revoking it makes the URL answer 404. At most one live feed per membership."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("角色"), on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    key_hash = models.CharField(_("密钥哈希"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日历订阅地址")
        verbose_name_plural = _("日历订阅地址")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}:{self.created_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """A failed login, kept for throttling (per username and per address)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"


class ThrottleHit(models.Model):
    """One counted attempt for a rate limit (see caidan/accounts/throttle.py). Kept in the
    database, so every worker process and app server counts against the same limit."""

    scope = models.CharField(max_length=50)
    key = models.CharField(max_length=200)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        indexes = [models.Index(fields=["scope", "key", "at"], name="accounts_throttle_lookup")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} @ {self.at:%Y-%m-%d %H:%M}"
