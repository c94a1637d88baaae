"""Residents' needs, menus and orders (问需于民 / 百姓点菜、政府买单, DOMAIN.md §3.2).

A resident acts with a *verified identity* (``ResidentIdentity``): a keyed hash of a phone
number or ID number, never the number itself (DOMAIN.md §5). One identity is one account,
so one identity supports a menu item at most once (``MenuOrder``'s unique constraint).

A purchaser draws up a ``Menu`` of candidate services (``MenuItem``, each a third-level
item of a published catalog version) for a community; the menu's rules — its items and
ordering period — freeze once ordering opens.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField, format_yuan

MAX_CODE_ATTEMPTS = 5
NEED_TEXT_MIN = 10
NEED_TEXT_MAX = 1000


class IdentityKind(models.TextChoices):
    PHONE = "phone", _("手机号")
    ID_NUMBER = "id_number", _("身份证号")


class ResidentIdentity(models.Model):
    """A verified resident. ``identity_hash`` is HMAC-SHA256 of the normalised number under
    the deployment's identity key; ``hint`` is the masked number (138****5678) for the
    resident's own pages. The number itself is never stored."""

    kind = models.CharField(_("身份类型"), max_length=16, choices=IdentityKind.choices)
    identity_hash = models.CharField(_("身份哈希"), max_length=64, unique=True)
    hint = models.CharField(_("脱敏号码"), max_length=32)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账户"),
        on_delete=models.PROTECT,
        related_name="resident_identity",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_verified_at = models.DateTimeField(_("最近验证时间"), null=True, blank=True)
    # the community worker who saw the person's ID at the counter (None: verified by code)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("居民身份")
        verbose_name_plural = _("居民身份")
        constraints = [
            models.CheckConstraint(
                name="resident_identity_kind_valid", condition=Q(kind__in=IdentityKind.values)
            ),
            models.CheckConstraint(
                name="resident_identity_hash_length",
                condition=Exact(Length("identity_hash"), 64),
            ),
        ]

    def __str__(self) -> str:
        return str(_("居民（%(hint)s）") % {"hint": self.hint})


class IdentityKey(models.Model):
    """One verified number of a resident — a phone number or an ID number — as its keyed
    hash. A person (``ResidentIdentity``) holds one key of each kind at most: once a phone
    number and an ID number are verified for the same person (at the counter, or by a code
    the gateway delivers to the registered phone) both keys point at one identity, so the
    person orders and counts once whichever number they use."""

    identity = models.ForeignKey(
        ResidentIdentity, verbose_name=_("居民"), on_delete=models.CASCADE, related_name="keys"
    )
    kind = models.CharField(_("身份类型"), max_length=16, choices=IdentityKind.choices)
    key_hash = models.CharField(_("号码哈希"), max_length=64, unique=True)
    hint = models.CharField(_("脱敏号码"), max_length=32)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民身份号码")
        verbose_name_plural = _("居民身份号码")
        constraints = [
            models.UniqueConstraint(fields=["identity", "kind"], name="identity_key_one_per_kind"),
            models.CheckConstraint(
                name="identity_key_kind_valid", condition=Q(kind__in=IdentityKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hint}"


class VerificationCode(models.Model):
    """A one-time code sent to an identity. Only hashes are kept: of the identity and of
    the code. Also the record that rate-limits code requests."""

    kind = models.CharField(_("身份类型"), max_length=16, choices=IdentityKind.choices)
    identity_hash = models.CharField(_("身份哈希"), max_length=64)
    code_hash = models.CharField(_("验证码哈希"), max_length=64)
    ip = models.CharField(_("请求地址"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("过期时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        constraints = [
            models.CheckConstraint(
                name="verification_attempts_limited",
                condition=Q(attempts__lte=MAX_CODE_ATTEMPTS),
            ),
            models.CheckConstraint(
                name="verification_expires_after_created",
                condition=Q(expires_at__gt=F("created_at")),
            ),
        ]
        indexes = [
            models.Index(fields=["identity_hash", "-created_at"], name="verif_identity_time"),
            models.Index(fields=["ip", "-created_at"], name="verif_ip_time"),
            models.Index(fields=["expires_at"], name="verif_expires"),
        ]

    def __str__(self) -> str:
        return str(_("验证码 #%(pk)s") % {"pk": self.pk})


class TargetGroup(models.TextChoices):
    """Who a need concerns (seed 000's service groups, plus the common ones)."""

    POOR_FAMILY = "poor_family", _("困难家庭")
    MENTAL_DISORDER = "mental_disorder", _("精神障碍者")
    DISABLED = "disabled", _("残疾人")
    EX_OFFENDER = "ex_offender", _("刑释人员")
    ELDERLY_ALONE = "elderly_alone", _("困难独居老人")
    SPECIAL_CHILDREN = "special_children", _("特殊儿童")
    ELDERLY = "elderly", _("老年人")
    YOUTH = "youth", _("青少年")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    VISIBLE = "visible", _("公开")
    HIDDEN = "hidden", _("已隐藏")


class NeedQuerySet(models.QuerySet):
    def public(self) -> NeedQuerySet:
        """Visible needs; a hidden one only for its resident and the moderators. Never who
        stated it: only the salted identity hash is stored."""
        return self.filter(status=NeedStatus.VISIBLE)


class Need(models.Model):
    """A need a resident states (需求) for a community of a street or town."""

    Status = NeedStatus

    identity = models.ForeignKey(
        ResidentIdentity, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="needs"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("街道（镇）"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    community = models.CharField(_("社区（居委会）"), max_length=100)
    target_group = models.CharField(_("服务对象"), max_length=32, choices=TargetGroup.choices)
    text = models.TextField(_("需求内容"))
    status = models.CharField(
        _("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.VISIBLE
    )
    report_count = models.PositiveIntegerField(_("举报次数（自上次恢复起）"), default=0)
    moderated_at = models.DateTimeField(_("最近处理时间"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moderation_reason = models.CharField(_("处理理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    # the community worker who stated it on the resident's behalf (代为提出); None: online
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民需求")
        verbose_name_plural = _("居民需求")
        constraints = [
            models.CheckConstraint(
                name="need_status_valid", condition=Q(status__in=NeedStatus.values)
            ),
            models.CheckConstraint(
                name="need_target_group_valid", condition=Q(target_group__in=TargetGroup.values)
            ),
            models.CheckConstraint(
                name="need_text_length",
                condition=GreaterThanOrEqual(Length("text"), NEED_TEXT_MIN)
                & LessThanOrEqual(Length("text"), NEED_TEXT_MAX),
            ),
            models.CheckConstraint(name="need_community_not_blank", condition=~Q(community="")),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-id"], name="need_unit_status_id"),
            models.Index(fields=["status", "-id"], name="need_status_id"),
            models.Index(fields=["identity", "-id"], name="need_identity_id"),
            # the demand-gap figures count a year's needs (stats/gaps.py)
            models.Index(fields=["status", "created_at"], name="need_status_created"),
        ]

    def __str__(self) -> str:
        return str(_("需求 #%(pk)s · %(community)s") % {"pk": self.pk, "community": self.community})

    @property
    def is_public(self) -> bool:  # as ``NeedQuerySet.public``
        return self.status == NeedStatus.VISIBLE

    @property
    def is_assisted(self) -> bool:
        return self.assisted_by_id is not None


class NeedReport(models.Model):
    """Someone reported a need as inappropriate; each person once per need."""

    need = models.ForeignKey(
        Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("举报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("举报理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求举报")
        verbose_name_plural = _("需求举报")
        constraints = [
            models.UniqueConstraint(fields=["need", "reporter"], name="need_report_once")
        ]

    def __str__(self) -> str:
        return str(_("举报 #%(pk)s") % {"pk": self.pk})


class MenuStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已截止")


class MenuAction(models.TextChoices):
    PUBLISH = "publish", _("发布")
    CLOSE = "close", _("截止")


# The lifecycle, in one place: action → (statuses it may start from, status it leads to).
MENU_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    MenuAction.PUBLISH: (frozenset({MenuStatus.DRAFT}), MenuStatus.PUBLISHED),
    MenuAction.CLOSE: (frozenset({MenuStatus.PUBLISHED}), MenuStatus.CLOSED),
}


# A menu is public once published, and stays so when closed (with its results).
MENU_PUBLIC_STATUSES = frozenset({MenuStatus.PUBLISHED, MenuStatus.CLOSED})


class MenuQuerySet(models.QuerySet):
    def public(self) -> MenuQuerySet:
        return self.filter(status__in=MENU_PUBLIC_STATUSES)


class Menu(models.Model):
    """A purchaser's menu of candidate services for a community (菜单)."""

    Status = MenuStatus

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("购买主体"), on_delete=models.PROTECT, related_name="menus"
    )
    community = models.CharField(_("社区（居委会）"), max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    ordering_opens_at = models.DateTimeField(_("点菜开始时间"))
    ordering_closes_at = models.DateTimeField(_("点菜截止时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=MenuStatus.choices, default=MenuStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("截止时间（实际）"), null=True, blank=True)
    close_reason = models.CharField(_("提前截止理由"), max_length=300, blank=True)

    objects = MenuQuerySet.as_manager()

    class Meta:
        verbose_name = _("菜单")
        verbose_name_plural = _("菜单")
        constraints = [
            models.CheckConstraint(
                name="menu_status_valid", condition=Q(status__in=MenuStatus.values)
            ),
            models.CheckConstraint(
                name="menu_closes_after_opens",
                condition=Q(ordering_closes_at__gt=F("ordering_opens_at")),
            ),
            models.CheckConstraint(
                name="menu_public_has_publish_time",
                condition=Q(status=MenuStatus.DRAFT) | Q(published_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "ordering_closes_at"], name="menu_status_closes"),
            models.Index(fields=["unit", "status", "-id"], name="menu_unit_status_id"),
            models.Index(fields=["status", "-id"], name="menu_status_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def ordering_open(self, now: dt.datetime) -> bool:
        """Residents may order: published, and the server clock is within the period."""
        return (
            self.status == MenuStatus.PUBLISHED
            and self.ordering_opens_at <= now < self.ordering_closes_at
        )

    def rules_frozen(self, now: dt.datetime) -> bool:
        """The items and the period may no longer change: ordering has opened (or ended)."""
        if self.status == MenuStatus.CLOSED:
            return True
        return self.status == MenuStatus.PUBLISHED and now >= self.ordering_opens_at

    @property
    def is_public(self) -> bool:
        return self.status in MENU_PUBLIC_STATUSES


class MenuItem(models.Model):
    """A candidate service on a menu: one third-level item of a published catalog version."""

    menu = models.ForeignKey(
        Menu, verbose_name=_("菜单"), on_delete=models.CASCADE, related_name="items"
    )
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("目录条目"),
        on_delete=models.PROTECT,
        related_name="menu_items",
    )
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    estimated_budget = MoneyField(_("预估预算（元）"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("菜单项")
        verbose_name_plural = _("菜单项")
        constraints = [
            models.CheckConstraint(
                name="menu_item_budget_nonnegative",
                condition=Q(estimated_budget__isnull=True) | Q(estimated_budget__gte=0),
            ),
        ]
        indexes = [models.Index(fields=["menu", "sort_order", "id"], name="menu_item_order")]

    def __str__(self) -> str:
        return self.title

    @property
    def budget_display(self) -> str:
        return format_yuan(self.estimated_budget)


class MenuOrder(models.Model):
    """One verified resident supports one menu item (点菜): at most once, enforced here."""

    menu_item = models.ForeignKey(
        MenuItem, verbose_name=_("菜单项"), on_delete=models.PROTECT, related_name="orders"
    )
    identity = models.ForeignKey(
        ResidentIdentity, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="orders"
    )
    created_at = models.DateTimeField(_("点菜时间"), auto_now_add=True)
    # the community worker who placed it on the resident's behalf (代为点菜); None: online
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("点菜记录")
        verbose_name_plural = _("点菜记录")
        constraints = [
            models.UniqueConstraint(
                fields=["menu_item", "identity"], name="menu_order_one_per_identity"
            )
        ]
        indexes = [models.Index(fields=["identity", "-id"], name="menu_order_identity_id")]

    def __str__(self) -> str:
        return str(_("点菜 #%(pk)s") % {"pk": self.pk})

    @property
    def is_assisted(self) -> bool:
        return self.assisted_by_id is not None
