"""Contracts (合同管理): the contract made from an award, its amendments and termination,
the staged payment plan with gates, and the provider's reports (DOMAIN.md §3.5, §4.1).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("待签订")
    ACTIVE = "active", _("履行中")
    COMPLETED = "completed", _("已履行完毕")
    TERMINATED = "terminated", _("已终止")
    CANCELLED = "cancelled", _("已作废（未签订）")


class ContractAction(models.TextChoices):
    SIGN = "sign", _("双方签订")
    COMPLETE = "complete", _("履行完毕")
    TERMINATE = "terminate", _("终止")
    CANCEL = "cancel", _("作废")


C = ContractStatus
# The lifecycle in one place: action → (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ContractAction.SIGN: (frozenset({C.DRAFT}), C.ACTIVE),
    ContractAction.COMPLETE: (frozenset({C.ACTIVE}), C.COMPLETED),
    ContractAction.TERMINATE: (frozenset({C.ACTIVE}), C.TERMINATED),
    ContractAction.CANCEL: (frozenset({C.DRAFT}), C.CANCELLED),
}
PUBLIC_STATUSES = frozenset({C.ACTIVE, C.COMPLETED, C.TERMINATED})

# The contract's terms (seed 003: 服务的内容、期限、数量、质量、价格，资金结算方式、验收标准、
# 双方的权利义务事项和违约责任), versioned by amendments.
TERM_FIELDS = (
    "service_content",
    "period_start",
    "period_end",
    "quantity",
    "quality_standards",
    "amount",
    "settlement_method",
    "acceptance_criteria",
    "rights_obligations",
    "breach_liability",
    "performance_security",
    "indicators",
    "budget_lines",
)


class ContractQuerySet(models.QuerySet):
    def public(self) -> ContractQuerySet:
        """Signed contracts, running or ended (``PUBLIC_STATUSES``): public without personal
        data. A draft (and a draft cancelled unsigned) only for its parties, the platform
        admin and auditors."""
        return self.filter(status__in=PUBLIC_STATUSES)


class Contract(models.Model):
    """A contract for the purchase of services (政府购买服务合同)."""

    Status = ContractStatus

    reference = models.CharField(_("合同编号"), max_length=40, unique=True)
    title = models.CharField(_("合同名称"), max_length=200)
    tender = models.ForeignKey(
        "procurement.Tender",
        verbose_name=_("采购项目"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    award = models.ForeignKey(
        "procurement.Award",
        verbose_name=_("中标结果"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    proposal = models.ForeignKey(
        "projects.Proposal",
        verbose_name=_("立项项目"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("购买主体（甲方）"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("承接主体（乙方）"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ContractStatus.choices, default="draft"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Terms.
    service_content = models.TextField(_("服务内容"))
    period_start = models.DateField(_("服务期开始"))
    period_end = models.DateField(_("服务期结束"))
    quantity = models.TextField(_("服务数量"), blank=True)
    quality_standards = models.TextField(_("服务质量要求"))
    amount = MoneyField(_("合同金额（元）"))
    settlement_method = models.TextField(_("资金结算方式"))
    acceptance_criteria = models.TextField(_("验收标准"))
    rights_obligations = models.TextField(_("双方的权利义务"))
    breach_liability = models.TextField(_("违约责任"))
    performance_security = MoneyField(_("履约保证金（元）"), default=0)
    indicators = models.JSONField(_("绩效指标和目标"), default=list, blank=True)
    # 预算明细: [{"line": 科目, "amount": "元"}], adding up to the amount; the provider's
    # fund-usage statements start from these lines.
    budget_lines = models.JSONField(_("预算明细"), default=list, blank=True)
    payment_split = models.JSONField(_("分期付款比例（%）"), default=list)
    # Signing (政府采购法 §46: within 30 days of the award; 实施条例 §50: published within
    # 2 working days of signing).
    sign_due = models.DateTimeField(_("签订期限"))
    purchaser_signed_at = models.DateTimeField(_("甲方签订时间"), null=True, blank=True)
    purchaser_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_signed_at = models.DateTimeField(_("乙方签订时间"), null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    publish_due = models.DateTimeField(_("公告期限"), null=True, blank=True)
    published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    sign_overdue_flagged_at = models.DateTimeField(_("逾期未签提醒时间"), null=True, blank=True)
    # Multi-year stable services (DOMAIN §4.3: ≤ 3 years in total, a new contract each year).
    renewal_intent = models.BooleanField(_("有续签意向（需求稳定的服务）"), default=False)
    renewal_years = models.PositiveSmallIntegerField(_("意向续签总年限"), default=1)
    renews = models.ForeignKey(
        "self",
        verbose_name=_("续签自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    year_index = models.PositiveSmallIntegerField(_("第几年合同"), default=1)
    # Ending.
    ended_at = models.DateTimeField(_("终止/完毕时间"), null=True, blank=True)
    termination_kind = models.CharField(_("终止方式"), max_length=16, blank=True)
    termination_reason = models.TextField(_("终止理由"), blank=True)
    settlement = models.TextField(_("结算安排"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="contract_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="contract_period_order", condition=Q(period_end__gt=models.F("period_start"))
            ),
            models.UniqueConstraint(
                fields=["award", "year_index"],
                condition=~Q(status="cancelled"),
                name="contract_one_live_per_award_year",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="contract_status_id"),
            models.Index(fields=["unit", "status", "-id"], name="contract_unit_status"),
            models.Index(fields=["organization", "-id"], name="contract_org"),
            models.Index(fields=["status", "sign_due"], name="contract_sign_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class ContractAmendment(models.Model):
    """A signed change (补充协议): a new version; the signed original is never overwritten."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    version = models.PositiveIntegerField(_("版本"))
    changes = models.JSONField(_("变更内容（字段：[原值, 新值]）"))
    rationale = models.TextField(_("变更理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_by_provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("补充协议")
        verbose_name_plural = _("补充协议")
        ordering = ["contract", "version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="amendment_version")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} v{self.version}"


class ContractVersion(models.Model):
    """The full terms of each version, as signed (v1) or amended (v2 …)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    terms = models.JSONField(_("合同条款"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合同版本")
        verbose_name_plural = _("合同版本")
        ordering = ["contract", "version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="contract_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} v{self.version}"


class Gate(models.TextChoices):
    SIGNATURE = "signature", _("合同签订")
    MIDTERM = "midterm", _("中期评估通过")
    FINAL = "final", _("终期评估通过")


class Instalment(models.Model):
    """One staged payment (分期付款) and its gate."""

    Gate = Gate

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="instalments")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    gate = models.CharField(_("付款条件"), max_length=16, choices=Gate.choices)
    percent = models.PositiveSmallIntegerField(_("比例（%）"))
    amount = MoneyField(_("金额（元）"))
    gate_opened_at = models.DateTimeField(_("条件达成时间"), null=True, blank=True)
    gate_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gate_note = models.TextField(_("条件达成依据"), blank=True)
    due_reminded_at = models.DateTimeField(_("付款提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("分期付款")
        verbose_name_plural = _("分期付款")
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="instalment_sequence"),
            models.CheckConstraint(
                name="instalment_amount_nonnegative", condition=Q(amount__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.sequence}"


class Payment(models.Model):
    """The payment of one instalment (a second one is refused by the database too)."""

    instalment = models.OneToOneField(Instalment, on_delete=models.PROTECT, related_name="payment")
    amount = MoneyField(_("支付金额（元）"))
    paid_on = models.DateField(_("支付日期"))
    voucher = models.CharField(_("凭证号"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支付记录")
        verbose_name_plural = _("支付记录")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.instalment_id}: {self.amount}"


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("进度报告")
    MIDTERM = "midterm", _("中期报告（含资金使用情况）")
    FINAL = "final", _("结项报告（含财务报表）")


class ReportStatus(models.TextChoices):
    DUE = "due", _("待提交")
    SUBMITTED = "submitted", _("已提交，待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("退回修改")


class Report(models.Model):
    """A report the provider owes (seed 003): progress on a schedule, mid-term with the
    fund-usage statement, final summary with financial statements."""

    Kind = ReportKind
    Status = ReportStatus

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    sequence = models.PositiveSmallIntegerField(_("序号"), default=1)
    due_on = models.DateField(_("应交日期"))
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices, default="due")
    summary = models.TextField(_("报告内容"), blank=True)
    fund_lines = models.JSONField(_("资金使用明细"), default=list, blank=True)
    # a hub bundle's contract: what each member delivered, one row per ContractPart
    # ({part, position, organization, organization_name, title, output}; issue 21)
    part_outputs = models.JSONField(_("各成员完成情况"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    overdue_flagged_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["contract", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "sequence"], name="report_kind_sequence"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="report_status_due")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} #{self.sequence}"

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        if self.submitted_at is not None:
            return timezone.localtime(self.submitted_at).date() > self.due_on
        return timezone.localdate() > self.due_on


class ContractPart(models.Model):
    """A member group's part of a hub bundle's contract (issue 21): the hub leads and signs
    (``Contract.organization``), the contract names which member delivers which part, with
    its amount. Drafted from the bundle's parts (``projects``' packaged proposals), their
    amounts the contract amount split by the parts' budgets to the fen."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(_("序号"))
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("承担的成员组织"),
        on_delete=models.PROTECT,
        related_name="contract_parts",
    )
    proposal = models.ForeignKey(
        "projects.Proposal",
        verbose_name=_("成员申报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_parts",
    )
    title = models.CharField(_("承担的部分"), max_length=200)
    amount = MoneyField(_("金额（元）"))

    class Meta:
        verbose_name = _("成员承担部分")
        verbose_name_plural = _("成员承担部分")
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="contract_part_position"),
            models.CheckConstraint(name="contract_part_amount_positive", condition=Q(amount__gt=0)),
        ]
        indexes = [models.Index(fields=["organization", "contract"], name="contract_part_org")]

    def __str__(self) -> str:
        return f"{self.contract_id}#{self.position} {self.title}"
