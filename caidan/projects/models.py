"""The project library (项目库): proposals, their funding, the review committee's sessions
and votes (审定), and the budget ceilings approvals must respect (DOMAIN.md §3.3, §4.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField


class PurchaseMode(models.TextChoices):
    OUTSOURCING = "outsourcing", _("项目外包")
    POST = "post", _("岗位购买")
    VENTURE = "venture", _("公益创投")
    GRANT = "grant", _("专项资助")


class ProcurementMethod(models.TextChoices):
    OPEN_TENDER = "open_tender", _("公开招标")
    CONSULTATION = "consultation", _("竞争性磋商")
    SINGLE_SOURCE = "single_source", _("单一来源")
    AGREEMENT = "agreement", _("协议购买")
    POST_PURCHASE = "post_purchase", _("岗位购买")


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", _("财政预算")
    WELFARE_LOTTERY = "welfare_lottery", _("福彩公益金")
    SOCIAL = "social", _("社会配套资金")
    SPECIAL = "special", _("专项资金")


class GradePolicy(models.TextChoices):
    NONE = "none", _("不要求")
    PREFERRED = "preferred", _("3A 及以上优先")
    REQUIRED = "required", _("须 3A 及以上")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报")
    UNDER_REVIEW = "under_review", _("审定中")
    APPROVED = "approved", _("已立项")
    REJECTED = "rejected", _("未通过")
    RETURNED = "returned", _("退回修改")
    WITHDRAWN = "withdrawn", _("已撤回")
    PACKAGED = "packaged", _("已打包")


class ProposalAction(models.TextChoices):
    SUBMIT = "submit", _("申报")
    SCHEDULE = "schedule", _("列入审定议程")
    UNSCHEDULE = "unschedule", _("移出审定议程")
    APPROVE = "approve", _("审定通过")
    REJECT = "reject", _("审定不通过")
    RETURN = "return", _("退回修改")
    WITHDRAW = "withdraw", _("撤回")
    PACKAGE = "package", _("打包合并")


S = ProposalStatus
# The lifecycle in one place: action → (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ProposalAction.SUBMIT: (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    ProposalAction.SCHEDULE: (frozenset({S.SUBMITTED}), S.UNDER_REVIEW),
    ProposalAction.UNSCHEDULE: (frozenset({S.UNDER_REVIEW}), S.SUBMITTED),
    ProposalAction.APPROVE: (frozenset({S.UNDER_REVIEW}), S.APPROVED),
    ProposalAction.REJECT: (frozenset({S.UNDER_REVIEW}), S.REJECTED),
    ProposalAction.RETURN: (frozenset({S.UNDER_REVIEW}), S.RETURNED),
    ProposalAction.WITHDRAW: (frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN),
    ProposalAction.PACKAGE: (frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.PACKAGED),
}
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


class ProposalQuerySet(models.QuerySet):
    def public(self) -> ProposalQuerySet:
        """Approved projects (the annual plan, 年度计划): public, and each one contracting
        process in OCDS. The rest of the library (drafts, proposals under review, rejected
        ones) is for those who work on it."""
        return self.filter(status=ProposalStatus.APPROVED)


class Proposal(models.Model):
    """A project proposal (项目申报) in the project library."""

    Status = ProposalStatus

    title = models.CharField(_("项目名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("预算年度"))
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("购买主体"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("目录条目"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    description = models.TextField(_("项目内容"), blank=True)
    service_targets = models.TextField(_("服务对象"), blank=True)
    target_groups = models.JSONField(_("服务对象类别"), default=list, blank=True)
    scale = models.PositiveIntegerField(_("服务规模"), default=0)
    scale_unit = models.CharField(_("规模单位"), max_length=20, default="人")
    outputs = models.JSONField(_("产出指标"), default=list, blank=True)
    outcomes = models.JSONField(_("效果指标"), default=list, blank=True)
    budget = MoneyField(_("项目预算（元）"))
    period_start = models.DateField(_("服务期开始"))
    period_end = models.DateField(_("服务期结束"))
    stability_justification = models.TextField(_("跨年度理由（需求稳定、持续资助）"), blank=True)
    purchase_mode = models.CharField(_("购买方式"), max_length=16, choices=PurchaseMode.choices)
    procurement_method = models.CharField(
        _("拟采用采购方式"), max_length=16, choices=ProcurementMethod.choices
    )
    grade_policy = models.CharField(
        _("承接主体等级要求"), max_length=16, choices=GradePolicy.choices, default="preferred"
    )
    required_fields = models.JSONField(_("要求的服务领域"), default=list, blank=True)
    require_experience = models.BooleanField(_("要求项目实施经验"), default=False)
    proposing_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("申报组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_made",
    )
    lead_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("牵头枢纽组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_led",
    )
    packaged_into = models.ForeignKey(
        "self",
        verbose_name=_("打包并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packaged_parts",
    )
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=_("来源需求"), blank=True, related_name="proposals"
    )
    menu_items = models.ManyToManyField(
        "needs.MenuItem", verbose_name=_("来源菜单项"), blank=True, related_name="proposals"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审定意见"), blank=True)
    decision_reference = models.CharField(_("审定依据"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目申报")
        verbose_name_plural = _("项目库")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="proposal_budget_positive", condition=Q(budget__gt=0)),
            models.CheckConstraint(
                name="proposal_period_order", condition=Q(period_end__gt=models.F("period_start"))
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "year", "status"], name="proposal_unit_year"),
            models.Index(fields=["status", "-id"], name="proposal_status_id"),
            models.Index(fields=["year", "status", "-id"], name="proposal_year_status"),
            models.Index(fields=["proposing_organization", "-id"], name="proposal_org"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_public(self) -> bool:  # as ``ProposalQuerySet.public``
        return self.status == ProposalStatus.APPROVED


class ProposalFunding(models.Model):
    """One funding source of a proposal; the sources add up to the budget to the fen."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("资金来源"), max_length=20, choices=FundingSource.choices)
    amount = MoneyField(_("金额（元）"))

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "source"], name="funding_unique_source"),
            models.CheckConstraint(name="funding_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class BudgetCeiling(models.Model):
    """预算控制数: approved budgets per purchaser and year may not exceed it."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="ceilings")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = MoneyField(_("预算控制数（元）"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预算控制数")
        verbose_name_plural = _("预算控制数")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="ceiling_unit_year"),
            models.CheckConstraint(name="ceiling_nonnegative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.amount}"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已结束")


SESSION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({SessionStatus.PLANNED}), SessionStatus.OPEN),
    "close": (frozenset({SessionStatus.OPEN}), SessionStatus.CLOSED),
}


class ReviewSession(models.Model):
    """A meeting of the review committee (审定会议)."""

    Status = SessionStatus

    title = models.CharField(_("会议名称"), max_length=200)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("审定委员会所属单位"), on_delete=models.PROTECT
    )
    meeting_at = models.DateTimeField(_("会议时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    quorum = models.CharField(_("法定人数（分数，如 2/3）"), max_length=16, default="2/3")
    majority_percent = models.PositiveSmallIntegerField(_("通过所需赞成比例（%）"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("出席委员"), related_name="review_sessions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审定会议")
        verbose_name_plural = _("审定会议")
        ordering = ["-meeting_at", "-id"]
        indexes = [models.Index(fields=["status", "-meeting_at"], name="session_status")]

    def __str__(self) -> str:
        return self.title


class AgendaDecision(models.TextChoices):
    PENDING = "pending", _("待表决")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("不通过")
    RETURNED = "returned", _("退回修改")
    WITHDRAWN = "withdrawn", _("移出议程")


class AgendaItem(models.Model):
    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="agenda")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField(_("议程序号"), default=0)
    decision = models.CharField(
        _("审定结果"), max_length=16, choices=AgendaDecision.choices, default=AgendaDecision.PENDING
    )
    reason = models.TextField(_("理由"), blank=True)
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(_("有表决权委员数"), default=0)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("审定议程")
        verbose_name_plural = _("审定议程")
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(decision="pending"),
                name="agenda_one_pending_per_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.proposal_id}"


class VoteChoice(models.TextChoices):
    YES = "yes", _("赞成")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class ReviewVote(models.Model):
    """One member's vote on one agenda item; every vote is kept."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决"), max_length=8, choices=VoteChoice.choices)
    comment = models.TextField(_("意见"), blank=True)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="vote_one_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.choice}"


class Recusal(models.Model):
    """A member stands aside on an agenda item (automatically for the proposing unit's own
    staff, or declared)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("回避理由"), max_length=300)
    automatic = models.BooleanField(_("依规则自动回避"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="recusal_one_per_member")
        ]

    def __str__(self) -> str:
        return str(_("%(member)s 回避 %(item)s") % {"member": self.member_id, "item": self.item_id})


class PlanDimension(models.TextChoices):
    YEAR = "year", _("年度")
    UNIT = "unit", _("购买主体")
    METHOD = "method", _("采购方式")
    MODE = "mode", _("购买方式")
    CATEGORY = "category", _("服务类别")
    SOURCE = "source", _("资金来源")


class PlanTotal(models.Model):
    """年度计划汇总: approved projects (the public annual plan) counted and summed per budget
    year and one grouping — ``year`` (key ``""``: the whole year), ``unit`` (key: the
    purchaser's id), ``method``, ``mode``, ``category`` (the catalog item's) or ``source``
    (a project counts once per funding source, with that source's amount). A few hundred rows
    however many proposals there are; kept by ``projects/totals.py`` in the transaction that
    moves a proposal into or out of the plan, rebuilt by ``plan_totals_rebuild``."""

    dimension = models.CharField(_("分组"), max_length=16, choices=PlanDimension.choices)
    year = models.PositiveSmallIntegerField(_("预算年度"))
    key = models.CharField(_("分组值"), max_length=32, blank=True)
    count = models.PositiveIntegerField(_("立项数"))
    total = MoneyField(_("资金（元）"))

    class Meta:
        verbose_name = _("年度计划汇总")
        verbose_name_plural = _("年度计划汇总")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "year", "key"], name="plan_total_key"),
            models.CheckConstraint(name="plan_total_nonnegative", condition=Q(total__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.dimension}={self.key}: {self.count} / {self.total}"
