"""Tenders (采购项目): the methods, the lifecycle's statuses and actions with their table, what
is public, and the tender's published amendments and clarifications."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField


class Method(models.TextChoices):
    OPEN_TENDER = "open_tender", _("公开招标")
    CONSULTATION = "consultation", _("竞争性磋商")
    SINGLE_SOURCE = "single_source", _("单一来源")
    AGREEMENT = "agreement", _("协议购买")
    POST_PURCHASE = "post_purchase", _("岗位购买")


class EvaluationMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合评分法")
    LOWEST_PRICE = "lowest_price", _("最低评标价法")


class Aggregate(models.TextChoices):
    MEAN = "mean", _("算术平均")
    TRIMMED_MEAN = "trimmed_mean", _("去掉最高分和最低分后平均")


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("公告中（接受投标）")
    EVALUATING = "evaluating", _("已开标，评审中")
    EVALUATED = "evaluated", _("评审完成，待确定中标")
    AWARDED = "awarded", _("已公告中标结果")
    CONCLUDED = "concluded", _("质疑期届满，可签约")
    FAILED = "failed", _("废标")
    CANCELLED = "cancelled", _("已取消")


class TenderAction(models.TextChoices):
    PUBLISH = "publish", _("发布公告")
    CANCEL = "cancel", _("取消")
    OPEN = "open", _("开标")
    FAIL = "fail", _("废标")
    RANK = "rank", _("形成评审结果")
    AWARD = "award", _("确定中标并公告")
    REOPEN_AWARD = "reopen_award", _("撤销中标、重新确定")
    CONCLUDE = "conclude", _("质疑期届满")


T = TenderStatus
# The lifecycle in one place: action → (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    TenderAction.PUBLISH: (frozenset({T.DRAFT}), T.PUBLISHED),
    TenderAction.CANCEL: (frozenset({T.DRAFT, T.PUBLISHED}), T.CANCELLED),
    TenderAction.OPEN: (frozenset({T.PUBLISHED}), T.EVALUATING),
    TenderAction.FAIL: (frozenset({T.PUBLISHED, T.EVALUATING, T.EVALUATED}), T.FAILED),
    TenderAction.RANK: (frozenset({T.EVALUATING, T.EVALUATED}), T.EVALUATED),
    TenderAction.AWARD: (frozenset({T.EVALUATED}), T.AWARDED),
    TenderAction.REOPEN_AWARD: (frozenset({T.AWARDED, T.CONCLUDED}), T.EVALUATED),
    TenderAction.CONCLUDE: (frozenset({T.AWARDED}), T.CONCLUDED),
}
PUBLIC_STATUSES = frozenset(
    {T.PUBLISHED, T.EVALUATING, T.EVALUATED, T.AWARDED, T.CONCLUDED, T.FAILED, T.CANCELLED}
)


#: The phase of a published tender whose deadline has come: it takes no more bids and waits
#: for the tick to open it (its status changes only then), or, a tender in lots, for its lots.
BIDS_CLOSED = "bids_closed"


class Phase(NamedTuple):
    """Where a tender stands at a moment (``tender_phase``)."""

    bidding_open: bool
    phase: str
    label: str


def tender_phase(
    *, status: str, deadline: dt.datetime | None, has_lots: bool, now: dt.datetime
) -> Phase:
    """The one rule for "are bids still accepted" that pages and the API show: bids are
    accepted while the tender is published and ``now`` is before its deadline — a bid at the
    deadline itself is late (as ``services.bids.accepting_bids``, which refuses it). The
    phase is the status, except that a published tender past its deadline is
    ``BIDS_CLOSED`` ("投标已截止…") until it is opened. On a tender in lots the bids go to
    its lots (``accepting_bids`` is false for the tender itself), each opened on its own.

    Takes columns, not a tender, so the fast list (``.values()`` rows) and a model agree."""
    bidding_open = status == TenderStatus.PUBLISHED and deadline is not None and now < deadline
    if status == TenderStatus.PUBLISHED and not bidding_open:
        if has_lots:
            return Phase(False, BIDS_CLOSED, str(_("投标已截止，各分包分别开标、评审")))
        return Phase(False, BIDS_CLOSED, str(_("投标已截止，等待开标")))
    labels = dict(TenderStatus.choices)
    return Phase(bidding_open, status, str(labels.get(status, status)))


def lot_label(number: int | None) -> str:
    """A lot's name on pages ("第 1 包"); "" for a tender that is no lot."""
    return _("第 %(n)s 包") % {"n": number} if number else ""


class TenderQuerySet(models.QuerySet):
    def public(self) -> TenderQuerySet:
        """Every tender once published, whatever became of it (``PUBLIC_STATUSES``); a
        draft — and a draft cancelled before it was ever announced — only for its
        purchaser, the platform admin and auditors."""
        return self.filter(status__in=PUBLIC_STATUSES, published_at__isnull=False)


class Tender(models.Model):
    """One procurement of an approved project (招标项目 / 采购项目)."""

    Status = TenderStatus

    proposal = models.ForeignKey(
        "projects.Proposal",
        verbose_name=_("立项项目"),
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="tenders"
    )
    title = models.CharField(_("采购项目名称"), max_length=200)
    reference = models.CharField(_("项目编号"), max_length=40, unique=True)
    method = models.CharField(_("采购方式"), max_length=16, choices=Method.choices)
    evaluation_method = models.CharField(
        _("评标方法"),
        max_length=16,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    aggregate = models.CharField(
        _("专家评分汇总方式"), max_length=16, choices=Aggregate.choices, default=Aggregate.MEAN
    )
    description = models.TextField(_("采购需求"), blank=True)
    budget = MoneyField(_("采购预算（最高限价，元）"))
    bid_security = MoneyField(_("投标保证金（元）"), default=0)
    # Qualification (fed to orgs.eligibility).
    grade_policy = models.CharField(_("等级要求"), max_length=16, default="preferred")
    required_fields = models.JSONField(_("要求的服务领域"), default=list, blank=True)
    require_experience = models.BooleanField(_("要求项目实施经验"), default=False)
    abnormal_excludes = models.BooleanField(_("活动异常名录排除"), null=True, blank=True)
    designer_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("项目设计单位（不得参与投标）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Scoring sheet (评分表): price points + factors [{id, name, max, guidance}] = 100.
    price_points = models.DecimalField(_("价格分"), max_digits=5, decimal_places=2, default=30)
    factors = models.JSONField(_("评分因素"), default=list, blank=True)
    committee_size = models.PositiveSmallIntegerField(_("评审委员会人数"), default=0)
    reserve_count = models.PositiveSmallIntegerField(_("备选专家人数"), default=2)
    # The expert draw's seed, fixed (and kept secret) when the announcement is published,
    # before any bid can be seen; only its SHA-256 commitment is public until the award.
    draw_seed = models.CharField(_("专家抽取随机种子（中标公告后公开）"), max_length=64, blank=True)
    draw_commitment = models.CharField(_("随机种子承诺值（SHA-256）"), max_length=64, blank=True)
    # Single source / agreement purchase: the invited provider and the published reason.
    invited_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("拟定承接主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    justification = models.TextField(_("采用该方式的理由"), blank=True)
    # Post purchase (岗位购买).
    posts = models.PositiveIntegerField(_("岗位数"), default=0)
    post_requirements = models.TextField(_("岗位要求"), blank=True)
    post_price_cap = MoneyField(_("每岗位最高单价（元）"), null=True, blank=True)
    # Timeline (server clock only).
    status = models.CharField(
        _("状态"), max_length=16, choices=TenderStatus.choices, default="draft"
    )
    published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("投标截止（开标）时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开标时间"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("评审完成时间"), null=True, blank=True)
    failed_reason = models.TextField(_("废标理由"), blank=True)
    cancelled_reason = models.TextField(_("取消理由"), blank=True)
    concluded_at = models.DateTimeField(_("质疑期届满时间"), null=True, blank=True)
    result = models.JSONField(_("评审结果"), null=True, blank=True)
    # Sealing: the tender's data key wrapped by the deployment's key (never in the database).
    wrapped_key = models.BinaryField(_("封存密钥（已加密）"), null=True, blank=True, editable=False)
    key_id = models.CharField(_("封存主密钥标识"), max_length=32, blank=True)
    # Re-tendering after a failed tender.
    previous = models.ForeignKey(
        "self",
        verbose_name=_("前次采购"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retenders",
    )
    method_change_reason = models.TextField(_("变更采购方式理由"), blank=True)
    # Lots (分包): a tender divided into lots holds the shared announcement and the cap; each
    # lot is a child tender with its own budget, sheet, bids, evaluation, award and contract.
    has_lots = models.BooleanField(_("分包采购"), default=False)
    max_lots_per_provider = models.PositiveSmallIntegerField(
        _("每个供应商最多中标分包数"), null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属分包采购项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
    )
    lot_number = models.PositiveSmallIntegerField(_("包号"), null=True, blank=True)
    method_change_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("变更采购方式批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    method_change_approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenderQuerySet.as_manager()

    class Meta:
        verbose_name = _("采购项目")
        verbose_name_plural = _("采购项目")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="tender_budget_positive", condition=Q(budget__gt=0)),
            models.CheckConstraint(
                name="tender_security_nonnegative", condition=Q(bid_security__gte=0)
            ),
            models.CheckConstraint(
                name="tender_lot_number_with_parent",
                condition=Q(parent__isnull=True, lot_number__isnull=True)
                | Q(parent__isnull=False, lot_number__gte=1),
            ),
            models.UniqueConstraint(
                fields=["parent", "lot_number"],
                condition=Q(parent__isnull=False),
                name="tender_lot_number_once",
            ),
            models.CheckConstraint(
                name="tender_lot_cap_positive",
                condition=Q(max_lots_per_provider__isnull=True) | Q(max_lots_per_provider__gte=1),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="tender_status_deadline"),
            models.Index(fields=["status", "-id"], name="tender_status_id"),
            models.Index(fields=["unit", "status", "-id"], name="tender_unit_status"),
            models.Index(fields=["method", "status", "-id"], name="tender_method_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_public(self) -> bool:  # as ``TenderQuerySet.public``
        return self.status in PUBLIC_STATUSES and self.published_at is not None

    @property
    def is_lot(self) -> bool:
        return self.parent_id is not None

    @property
    def lot_label(self) -> str:
        return lot_label(self.lot_number)

    def phase_at(self, now: dt.datetime) -> Phase:
        """Whether bids are accepted at ``now`` and the phase to show (``tender_phase``)."""
        return tender_phase(
            status=self.status, deadline=self.deadline, has_lots=self.has_lots, now=now
        )

    @property
    def config(self):
        from ..methods import config_for

        return config_for(self.method)


class Amendment(models.Model):
    """A published change to the tender documents (澄清或者修改)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    summary = models.TextField(_("修改内容"))
    affects_bids = models.BooleanField(_("影响投标文件编制"), default=True)
    old_deadline = models.DateTimeField(_("原截止时间"))
    new_deadline = models.DateTimeField(_("新截止时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("澄清修改公告")
        verbose_name_plural = _("澄清修改公告")
        ordering = ["tender", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.summary[:20]}"


class Clarification(models.Model):
    """A prospective bidder's question and the purchaser's public answer (答疑).

    The asker is never published."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField(_("问题"))
    asked_by = models.ForeignKey(
        "orgs.Organization", null=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("提问时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("答疑")
        verbose_name_plural = _("答疑")
        ordering = ["tender", "id"]
        indexes = [models.Index(fields=["tender", "answered_at"], name="clarification_tender")]

    def __str__(self) -> str:
        return self.question[:30]
