"""Social organizations (社会组织) and their registry: grades, credit, hubs, directory.

History is never overwritten: grades, credit listings, penalties and bars are rows with
dates; "current" is always computed for a date (DOMAIN.md §4.2, §4.6).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField


class ServiceField(models.TextChoices):
    """The ten fields of the recommended directory (seed 003) plus 其他."""

    ELDERLY = "elderly", _("养老服务")
    DISABILITY = "disability", _("残疾人服务")
    WOMEN_CHILDREN = "women_children", _("妇女儿童")
    CULTURE_SPORTS = "culture_sports", _("文体活动")
    MEDIATION = "mediation", _("专业调处")
    LEGAL_AID = "legal_aid", _("法律援助")
    POVERTY_RELIEF = "poverty_relief", _("扶贫济困")
    DISASTER_RELIEF = "disaster_relief", _("防灾救灾")
    COMMUNITY_CORRECTION = "community_correction", _("社区矫正")
    RESETTLEMENT = "resettlement", _("安置帮教")
    OTHER = "other", _("其他")


class OrganizationQuerySet(models.QuerySet):
    def public(self) -> OrganizationQuerySet:
        """The registry is public: every organization, deregistered and revoked ones too
        (marked). What is not public is fields, not rows: contact people and phones are
        masked by the selectors and never exported."""
        return self.all()


class Organization(models.Model):
    class LegalForm(models.TextChoices):
        SOCIAL_GROUP = "social_group", _("社会团体")
        SERVICE_INSTITUTION = "service_institution", _("社会服务机构（民办非企业单位）")
        FOUNDATION = "foundation", _("基金会")
        ENTERPRISE = "enterprise", _("企业")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        DEREGISTERED = "deregistered", _("已注销")
        REVOKED = "revoked", _("已撤销登记")

    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    legal_form = models.CharField(
        _("组织形式"), max_length=32, choices=LegalForm.choices, default=LegalForm.OTHER
    )
    status = models.CharField(
        _("登记状态"), max_length=16, choices=Status.choices, default="active"
    )
    registration_date = models.DateField(_("成立登记日期"), null=True, blank=True)
    registration_authority = models.CharField(_("登记管理机关"), max_length=100, blank=True)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    description = models.TextField(_("机构简介"), blank=True)
    full_time_staff = models.PositiveIntegerField(_("专职人员数"), default=0)
    part_time_staff = models.PositiveIntegerField(_("兼职人员数"), default=0)
    social_workers = models.PositiveIntegerField(_("持证社会工作者数"), default=0)
    volunteers = models.PositiveIntegerField(_("登记志愿者数"), default=0)
    is_hub = models.BooleanField(_("枢纽型社会组织"), default=False)
    is_evaluator = models.BooleanField(_("第三方评估机构"), default=False)
    hub = models.ForeignKey(
        "self",
        verbose_name=_("所属枢纽组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="affiliates",
    )
    # The current grade, kept in step by ``grade_refresh`` (on every grade recorded, and by
    # ``tick`` as grades expire) so that "3A and above" is an indexed filter at scale.
    current_grade_level = models.PositiveSmallIntegerField(_("当前有效等级"), null=True, blank=True)
    current_grade_until = models.DateField(_("当前等级有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["name"], name="org_name"),
            models.Index(fields=["status", "id"], name="org_status_id"),
            models.Index(fields=["hub"], name="org_hub"),
            models.Index(fields=["current_grade_level", "id"], name="org_grade_id"),
            models.Index(fields=["current_grade_until"], name="org_grade_until"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:  # as ``OrganizationQuerySet.public``: the whole registry
        return True


class OrganizationField(models.Model):
    """A service field an organization works in (indexed for the directory by field)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="field_rows", verbose_name=_("组织")
    )
    field = models.CharField(_("服务领域"), max_length=32, choices=ServiceField.choices)

    class Meta:
        verbose_name = _("服务领域")
        verbose_name_plural = _("服务领域")
        constraints = [
            models.UniqueConstraint(fields=["organization", "field"], name="org_field_unique")
        ]
        indexes = [models.Index(fields=["field", "organization"], name="org_field_lookup")]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.field}"


class Grade(models.Model):
    """An assessment grade (评估等级) 1A–5A, valid five years (民政部令第39号)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="grades", verbose_name=_("组织")
    )
    level = models.PositiveSmallIntegerField(_("等级（A 数）"))
    score = models.DecimalField(
        _("评估得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    assessed_on = models.DateField(_("评定日期"))
    valid_until = models.DateField(_("有效期至"))
    assessor = models.CharField(_("评估机构"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评估等级")
        verbose_name_plural = _("评估等级")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="grade_level_1_to_5", condition=Q(level__gte=1, level__lte=5)
            ),
            models.CheckConstraint(
                name="grade_valid_after_assessed",
                condition=Q(valid_until__gte=models.F("assessed_on")),
            ),
        ]
        indexes = [models.Index(fields=["organization", "-assessed_on"], name="grade_org_date")]

    def __str__(self) -> str:
        return f"{self.level}A"

    @property
    def label(self) -> str:
        return f"{self.level}A"


class Penalty(models.Model):
    """An administrative penalty (行政处罚)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("警告")
        FINE = "fine", _("罚款")
        CONFISCATION = "confiscation", _("没收违法所得或非法财产")
        SUSPENSION = "suspension", _("限期停止活动")
        REVOCATION = "revocation", _("撤销登记")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="penalties", verbose_name=_("组织")
    )
    kind = models.CharField(_("处罚种类"), max_length=16, choices=Kind.choices)
    amount = MoneyField(_("罚款金额（元）"), null=True, blank=True)
    decided_on = models.DateField(_("处罚决定日期"))
    authority = models.CharField(_("作出决定机关"), max_length=100, blank=True)
    document_no = models.CharField(_("决定书文号"), max_length=100, blank=True)
    reason = models.TextField(_("违法事实"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("行政处罚")
        verbose_name_plural = _("行政处罚")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="penalty_amount_nonnegative",
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
            )
        ]
        indexes = [models.Index(fields=["organization", "-decided_on"], name="penalty_org_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on}"


class CreditRecord(models.Model):
    """A listing on a credit list (民政部令第60号); removal is recorded, never deleted."""

    class List(models.TextChoices):
        ABNORMAL = "abnormal", _("活动异常名录")
        SERIOUS = "serious", _("严重违法失信名单")
        DEFAULTER = "defaulter", _("失信被执行人")

    class Reason(models.TextChoices):
        ANNUAL_REPORT = "annual_report", _("未按规定报送年度工作报告")
        UNREACHABLE = "unreachable", _("通过登记的住所无法取得联系")
        MINOR_PENALTY = "minor_penalty", _("受到警告或不满5万元罚款处罚")
        ABNORMAL_TWO_YEARS = "abnormal_two_years", _("被列入活动异常名录满2年")
        MAJOR_FINE = "major_fine", _("受到5万元以上罚款处罚")
        REPEATED_PENALTIES = "repeated_penalties", _("3年内2次以上受到警告或不满5万元罚款处罚")
        JUDGMENT_DEFAULTER = "judgment_defaulter", _("被人民法院依法认定为失信被执行人")
        REVOKED = "revoked", _("被撤销登记")
        OTHER = "other", _("其他")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="credit_records",
        verbose_name=_("组织"),
    )
    list = models.CharField(_("名录"), max_length=16, choices=List.choices)
    reason = models.CharField(_("列入事由"), max_length=32, choices=Reason.choices)
    detail = models.TextField(_("具体情况"), blank=True)
    listed_on = models.DateField(_("列入日期"))
    auto_remove_on = models.DateField(_("届满自动移出日期"), null=True, blank=True)
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_reason = models.TextField(_("移出理由"), blank=True)
    penalty = models.ForeignKey(
        Penalty, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_records"
    )
    escalated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="credit_removed_after_listed",
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("listed_on")),
            )
        ]
        indexes = [
            models.Index(fields=["organization", "list", "removed_on"], name="credit_org_list"),
            models.Index(fields=["list", "removed_on", "listed_on"], name="credit_list_active"),
        ]

    def __str__(self) -> str:
        return f"{self.get_list_display()}：{self.get_reason_display()}"

    def active_on(self, day) -> bool:
        return self.listed_on <= day and (self.removed_on is None or self.removed_on > day)


class ProviderBar(models.Model):
    """The negative list of providers: barred from bidding until ``ends_on`` (seed 002)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bars", verbose_name=_("组织")
    )
    reason = models.TextField(_("理由"))
    source = models.CharField(_("来源"), max_length=64, blank=True)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    lifted_on = models.DateField(_("提前解除日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("承接主体负面清单")
        verbose_name_plural = _("承接主体负面清单")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="bar_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))
            )
        ]
        indexes = [models.Index(fields=["organization", "ends_on"], name="bar_org_end")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.starts_on}–{self.ends_on}"

    def active_on(self, day) -> bool:
        if day < self.starts_on or day > self.ends_on:
            return False
        return not (self.lifted_on and day >= self.lifted_on)


class PastProject(models.Model):
    """Purchase experience recognised by a purchaser (经购买主体认可的项目实施经验)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="past_projects", verbose_name=_("组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("项目名称"), max_length=200)
    purchaser_name = models.CharField(_("购买主体"), max_length=200)
    amount = MoneyField(_("合同金额（元）"), null=True, blank=True)
    recognised = models.BooleanField(_("购买主体认可"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目实施经验")
        verbose_name_plural = _("项目实施经验")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class DirectoryEntry(models.Model):
    """The recommended directory (推荐目录), materialised per field; recomputed on change."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="directory_entries"
    )
    field = models.CharField(_("服务领域"), max_length=32, choices=ServiceField.choices)
    grade_level = models.PositiveSmallIntegerField(_("等级"))
    listed_since = models.DateField(_("列入日期"))

    class Meta:
        verbose_name = _("推荐目录条目")
        verbose_name_plural = _("推荐目录")
        constraints = [
            models.UniqueConstraint(fields=["organization", "field"], name="directory_unique")
        ]
        indexes = [
            # the directory of a field in the order it is listed (highest grade first, then
            # newest entry): a keyset page is an index walk, not a sort of the whole field
            models.Index(fields=["field", "-grade_level", "-id"], name="directory_field")
        ]

    def __str__(self) -> str:
        return f"{self.field}:{self.organization_id}"


class ProfileChangeRequest(models.Model):
    """A provider's request to change its legal identity, decided by the authority."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="change_requests"
    )
    changes = models.JSONField(_("申请变更内容"))
    reason = models.TextField(_("申请理由"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default="pending")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("登记事项变更申请")
        verbose_name_plural = _("登记事项变更申请")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="change_status")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.get_status_display()}"
