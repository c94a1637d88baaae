"""The purchase catalog (购买服务目录): versions, three-level items, and the negative list.

A catalog is **versioned** (DOMAIN.md §3.1). A draft is edited freely; publishing freezes
it for good. A new revision is a new draft that copies every item of an earlier version
into new rows, so a project approved under one version keeps pointing at *that* item even
after a revision renames or re-prices it. Which published version is "current" on a date
is decided by effective dates alone (``catalog_current``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField, format_yuan


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class VersionAction(models.TextChoices):
    PUBLISH = "publish", _("发布")
    RETIRE = "retire", _("停用")
    DISCARD = "discard", _("删除草稿")


# The lifecycle, in one place: action → (statuses it may start from, status it leads to).
# ``None`` as the target means the version is deleted (a draft nobody ever saw).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    VersionAction.PUBLISH: (frozenset({VersionStatus.DRAFT}), VersionStatus.PUBLISHED),
    VersionAction.RETIRE: (frozenset({VersionStatus.PUBLISHED}), VersionStatus.RETIRED),
    VersionAction.DISCARD: (frozenset({VersionStatus.DRAFT}), None),
}


# What the public sees: every version once published, retired ones too (a project keeps
# pointing at its version's item); a draft only those who manage the catalog.
VERSION_PUBLIC_STATUSES = frozenset({VersionStatus.PUBLISHED, VersionStatus.RETIRED})


class CatalogVersionQuerySet(models.QuerySet):
    def public(self) -> CatalogVersionQuerySet:
        return self.filter(status__in=VERSION_PUBLIC_STATUSES)


class CatalogItemQuerySet(models.QuerySet):
    def public(self) -> CatalogItemQuerySet:
        """The items of a public version (``CatalogVersionQuerySet.public``)."""
        return self.filter(version__status__in=VERSION_PUBLIC_STATUSES)


class CatalogVersion(models.Model):
    """One edition of the catalog, e.g. “2017年7月修订版”, in force from its effective date."""

    Status = VersionStatus

    name = models.CharField(_("版本名称"), max_length=100, unique=True)
    effective_date = models.DateField(_("生效日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    notes = models.TextField(_("修订说明"), blank=True)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    objects = CatalogVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")
        constraints = [
            models.CheckConstraint(
                name="catalog_version_status_valid",
                condition=Q(status__in=VersionStatus.values),
            ),
            models.CheckConstraint(
                name="catalog_version_published_has_time",
                condition=Q(status=VersionStatus.DRAFT) | Q(published_at__isnull=False),
            ),
            # Two published versions never share an effective date, so "current" is unique.
            models.UniqueConstraint(
                fields=["effective_date"],
                condition=Q(status=VersionStatus.PUBLISHED),
                name="catalog_version_one_published_per_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "effective_date"], name="catalog_ver_status_date"),
            models.Index(fields=["effective_date", "id"], name="catalog_ver_date_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_public(self) -> bool:
        return self.status in VERSION_PUBLIC_STATUSES


class ItemLevel(models.IntegerChoices):
    FIRST = 1, _("一级目录")
    SECOND = 2, _("二级目录")
    THIRD = 3, _("三级目录")


class ItemCategory(models.TextChoices):
    """Service category of a third-level item (seed 002)."""

    MANAGEMENT = "management", _("管理类")
    SERVICE = "service", _("服务类")
    PROFESSIONAL = "professional", _("专业类")
    AFFAIRS = "affairs", _("事务类")


CODE_DIGITS_PER_LEVEL = 2


class CatalogItem(models.Model):
    """One entry of a catalog version. Codes are hierarchical: ``01`` (level 1) →
    ``0101`` (level 2) → ``010101`` (level 3); a parent's code is its children's prefix.

    Rows of a published version never change; later apps reference a row (a specific
    version's item), never a code.
    """

    Level = ItemLevel
    Category = ItemCategory

    version = models.ForeignKey(
        CatalogVersion,
        verbose_name=_("目录版本"),
        on_delete=models.CASCADE,
        related_name="items",
        db_index=False,  # every index below starts with the version
    )
    code = models.CharField(_("编码"), max_length=6)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=ItemLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级条目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    category = models.CharField(_("类别"), max_length=16, choices=ItemCategory.choices, blank=True)
    guidance_price = MoneyField(_("指导价（元）"), null=True, blank=True)
    price_unit = models.CharField(_("计价单位"), max_length=30, blank=True)
    bought_first = models.BooleanField(_("优先向社会组织购买"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = CatalogItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("目录条目")
        verbose_name_plural = _("目录条目")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="catalog_item_version_code"),
            models.CheckConstraint(
                name="catalog_item_code_matches_level",
                condition=(Q(level=1) & Exact(Length("code"), 2))
                | (Q(level=2) & Exact(Length("code"), 4))
                | (Q(level=3) & Exact(Length("code"), 6)),
            ),
            models.CheckConstraint(
                name="catalog_item_parent_iff_not_top",
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
            ),
            models.CheckConstraint(
                name="catalog_item_category_on_level3",
                condition=(Q(level=3) & ~Q(category="")) | (Q(level__lt=3) & Q(category="")),
            ),
            models.CheckConstraint(
                name="catalog_item_price_nonnegative",
                condition=Q(guidance_price__isnull=True) | Q(guidance_price__gte=0),
            ),
        ]
        indexes = [
            # every filter the pages and the API offer, always within one version
            models.Index(fields=["version", "level", "code"], name="catalog_item_ver_level"),
            models.Index(
                fields=["version", "parent", "sort_order", "code"], name="catalog_item_ver_parent"
            ),
            models.Index(fields=["version", "name"], name="catalog_item_ver_name"),
            # substring search (icontains) on PostgreSQL: trigram GIN indexes, see 0002
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def price_display(self) -> str:
        if self.guidance_price is None:
            return "—"
        unit = f"/{self.price_unit.removeprefix('元/')}" if self.price_unit else ""
        return f"{format_yuan(self.guidance_price)}{unit}"

    @property
    def parent_code(self) -> str:
        return self.code[:-CODE_DIGITS_PER_LEVEL]

    @property
    def is_public(self) -> bool:
        return self.version.is_public


class NegativeListEntry(models.Model):
    """One category of what may never be bought (负面清单, 财政部令第102号第十条).

    ``keywords`` are matched as substrings of free text (catalog items, proposal topics);
    a hit refuses the text with this entry's title and legal basis.
    """

    code = models.CharField(_("编号"), max_length=16, unique=True)
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    legal_basis = models.CharField(_("依据"), max_length=300)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("负面清单事项")
        verbose_name_plural = _("负面清单")
        indexes = [models.Index(fields=["is_active", "code"], name="catalog_negative_active")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
