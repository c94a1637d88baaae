"""Procurement (招投标): tenders, sealed bids, the expert pool and panels, scores, awards and
challenges (DOMAIN.md §3.4, §4.1, §4.2, §4.4).

Every procurement method is a configuration of the one tender lifecycle below
(``methods.py``), not a copy of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caidan.common.money import MoneyField


class Method(models.TextChoices):
    OPEN_TENDER = "open_tender", "公开招标"
    CONSULTATION = "consultation", "竞争性磋商"
    SINGLE_SOURCE = "single_source", "单一来源"
    AGREEMENT = "agreement", "协议购买"
    POST_PURCHASE = "post_purchase", "岗位购买"


class EvaluationMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合评分法"
    LOWEST_PRICE = "lowest_price", "最低评标价法"


class Aggregate(models.TextChoices):
    MEAN = "mean", "算术平均"
    TRIMMED_MEAN = "trimmed_mean", "去掉最高分和最低分后平均"


class TenderStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "公告中（接受投标）"
    EVALUATING = "evaluating", "已开标，评审中"
    EVALUATED = "evaluated", "评审完成，待确定中标"
    AWARDED = "awarded", "已公告中标结果"
    CONCLUDED = "concluded", "质疑期届满，可签约"
    FAILED = "failed", "废标"
    CANCELLED = "cancelled", "已取消"


class TenderAction(models.TextChoices):
    PUBLISH = "publish", "发布公告"
    CANCEL = "cancel", "取消"
    OPEN = "open", "开标"
    FAIL = "fail", "废标"
    RANK = "rank", "形成评审结果"
    AWARD = "award", "确定中标并公告"
    REOPEN_AWARD = "reopen_award", "撤销中标、重新确定"
    CONCLUDE = "conclude", "质疑期届满"


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
        verbose_name="立项项目",
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name="采购人", on_delete=models.PROTECT, related_name="tenders"
    )
    title = models.CharField("采购项目名称", max_length=200)
    reference = models.CharField("项目编号", max_length=40, unique=True)
    method = models.CharField("采购方式", max_length=16, choices=Method.choices)
    evaluation_method = models.CharField(
        "评标方法",
        max_length=16,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    aggregate = models.CharField(
        "专家评分汇总方式", max_length=16, choices=Aggregate.choices, default=Aggregate.MEAN
    )
    description = models.TextField("采购需求", blank=True)
    budget = MoneyField("采购预算（最高限价，元）")
    bid_security = MoneyField("投标保证金（元）", default=0)
    # Qualification (fed to orgs.eligibility).
    grade_policy = models.CharField("等级要求", max_length=16, default="preferred")
    required_fields = models.JSONField("要求的服务领域", default=list, blank=True)
    require_experience = models.BooleanField("要求项目实施经验", default=False)
    abnormal_excludes = models.BooleanField("活动异常名录排除", null=True, blank=True)
    designer_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="项目设计单位（不得参与投标）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Scoring sheet (评分表): price points + factors [{id, name, max, guidance}] = 100.
    price_points = models.DecimalField("价格分", max_digits=5, decimal_places=2, default=30)
    factors = models.JSONField("评分因素", default=list, blank=True)
    committee_size = models.PositiveSmallIntegerField("评审委员会人数", default=0)
    reserve_count = models.PositiveSmallIntegerField("备选专家人数", default=2)
    # The expert draw's seed, fixed (and kept secret) when the announcement is published,
    # before any bid can be seen; only its SHA-256 commitment is public until the award.
    draw_seed = models.CharField("专家抽取随机种子（中标公告后公开）", max_length=64, blank=True)
    draw_commitment = models.CharField("随机种子承诺值（SHA-256）", max_length=64, blank=True)
    # Single source / agreement purchase: the invited provider and the published reason.
    invited_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="拟定承接主体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    justification = models.TextField("采用该方式的理由", blank=True)
    # Post purchase (岗位购买).
    posts = models.PositiveIntegerField("岗位数", default=0)
    post_requirements = models.TextField("岗位要求", blank=True)
    post_price_cap = MoneyField("每岗位最高单价（元）", null=True, blank=True)
    # Timeline (server clock only).
    status = models.CharField("状态", max_length=16, choices=TenderStatus.choices, default="draft")
    published_at = models.DateTimeField("公告时间", null=True, blank=True)
    deadline = models.DateTimeField("投标截止（开标）时间", null=True, blank=True)
    opened_at = models.DateTimeField("开标时间", null=True, blank=True)
    evaluated_at = models.DateTimeField("评审完成时间", null=True, blank=True)
    failed_reason = models.TextField("废标理由", blank=True)
    cancelled_reason = models.TextField("取消理由", blank=True)
    concluded_at = models.DateTimeField("质疑期届满时间", null=True, blank=True)
    result = models.JSONField("评审结果", null=True, blank=True)
    # Sealing: the tender's data key wrapped by the deployment's key (never in the database).
    wrapped_key = models.BinaryField("封存密钥（已加密）", null=True, blank=True, editable=False)
    key_id = models.CharField("封存主密钥标识", max_length=32, blank=True)
    # Re-tendering after a failed tender.
    previous = models.ForeignKey(
        "self",
        verbose_name="前次采购",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retenders",
    )
    method_change_reason = models.TextField("变更采购方式理由", blank=True)
    method_change_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="变更采购方式批准人",
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
        verbose_name = "采购项目"
        verbose_name_plural = "采购项目"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="tender_budget_positive", condition=Q(budget__gt=0)),
            models.CheckConstraint(
                name="tender_security_nonnegative", condition=Q(bid_security__gte=0)
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
    def config(self):
        from .methods import config_for

        return config_for(self.method)


class Amendment(models.Model):
    """A published change to the tender documents (澄清或者修改)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    summary = models.TextField("修改内容")
    affects_bids = models.BooleanField("影响投标文件编制", default=True)
    old_deadline = models.DateTimeField("原截止时间")
    new_deadline = models.DateTimeField("新截止时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "澄清修改公告"
        verbose_name_plural = "澄清修改公告"
        ordering = ["tender", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.summary[:20]}"


class Clarification(models.Model):
    """A prospective bidder's question and the purchaser's public answer (答疑).

    The asker is never published."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField("问题")
    asked_by = models.ForeignKey(
        "orgs.Organization", null=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField("提问时间", auto_now_add=True)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "答疑"
        verbose_name_plural = "答疑"
        ordering = ["tender", "id"]
        indexes = [models.Index(fields=["tender", "answered_at"], name="clarification_tender")]

    def __str__(self) -> str:
        return self.question[:30]


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", "已递交（密封）"
    REPLACED = "replaced", "已被替换"
    WITHDRAWN = "withdrawn", "已撤回"
    VALID = "valid", "有效"
    INVALID = "invalid", "无效"


# The opening record (开标记录) is public: who bid, at what price, valid or not.
BID_OPENED_STATUSES = frozenset({BidStatus.VALID, BidStatus.INVALID})


class BidQuerySet(models.QuerySet):
    def public(self) -> BidQuerySet:
        """Opened bids (the opening record), public columns only: never the sealed content
        or nonce. Before the opening no bid is public, not even their number."""
        return self.filter(status__in=BID_OPENED_STATUSES, opened_at__isnull=False)


class Bid(models.Model):
    """A sealed bid (投标文件). Until opening only the ciphertext and the receipt exist."""

    Status = BidStatus

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="投标人", on_delete=models.PROTECT, related_name="bids"
    )
    status = models.CharField("状态", max_length=16, choices=BidStatus.choices)
    seal_id = models.CharField("密封编号", max_length=32, unique=True)
    sealed = models.BinaryField("密封内容", editable=False)
    nonce = models.BinaryField(editable=False)
    receipt = models.CharField("回执（密封内容摘要）", max_length=128, unique=True)
    submitted_at = models.DateTimeField("递交时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # Filled at opening, never before.
    price = MoneyField("投标报价（元）", null=True, blank=True)
    content = models.JSONField("开标后内容", null=True, blank=True)
    invalid_reasons = models.JSONField("无效原因", default=list, blank=True)
    opened_at = models.DateTimeField("开标时间", null=True, blank=True)
    price_score = models.DecimalField(
        "价格分", max_digits=8, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField("综合得分", max_digits=16, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)

    objects = BidQuerySet.as_manager()

    class Meta:
        verbose_name = "投标"
        verbose_name_plural = "投标"
        ordering = ["tender", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "organization"],
                condition=Q(status__in=["submitted", "valid", "invalid"]),
                name="bid_one_live_per_bidder",
            )
        ]
        indexes = [
            models.Index(fields=["tender", "status"], name="bid_tender_status"),
            models.Index(fields=["organization", "-id"], name="bid_org"),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.organization_id}:{self.status}"

    @property
    def is_public(self) -> bool:  # as ``BidQuerySet.public``
        return self.status in BID_OPENED_STATUSES and self.opened_at is not None


# --- experts ------------------------------------------------------------------------------------


class Expert(models.Model):
    """A member of the expert pool (评审专家库)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert",
    )
    name = models.CharField("姓名", max_length=100)
    specialties = models.JSONField("专业领域", default=list)
    title = models.CharField("职称", max_length=100, blank=True)
    employer_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name="所在政府单位（如有）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField("工作单位", max_length=200, blank=True)
    is_active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "专家库"
        ordering = ["id"]
        indexes = [models.Index(fields=["is_active", "id"], name="expert_active")]

    def __str__(self) -> str:
        return self.name


class TieKind(models.TextChoices):
    EMPLOYEE = "employee", "任职（雇员）"
    DIRECTOR = "director", "担任理事/董事"
    SUPERVISOR = "supervisor", "担任监事"
    SHAREHOLDER = "shareholder", "控股股东/实际控制人"
    RELATIVE = "relative", "与法定代表人或负责人为配偶或近亲属"
    OTHER = "other", "其他利害关系"


class ExpertTie(models.Model):
    """An expert's employment or other relation with an organization, with dates (for the
    3-year rule of 财库〔2016〕198号) or declared without an end."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ties")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="社会组织", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("关系", max_length=16, choices=TieKind.choices)
    started_on = models.DateField("起始日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "专家关联关系"
        verbose_name_plural = "专家关联关系"
        ordering = ["expert", "id"]
        indexes = [models.Index(fields=["organization"], name="expert_tie_org")]

    def __str__(self) -> str:
        return f"{self.expert_id}-{self.organization_id}:{self.kind}"


class ExpertDraw(models.Model):
    """One recorded random draw of a tender's panel: seed, candidates and exclusions, so
    anyone can re-run it (``draw_order``) and get the same panel."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="draws")
    seed = models.CharField("随机种子", max_length=64)
    algorithm = models.CharField("抽取算法", max_length=40, default="sm3-rank-v1")
    size = models.PositiveSmallIntegerField("评审专家人数")
    reserves = models.PositiveSmallIntegerField("备选人数")
    candidates = models.JSONField("候选专家（编号）")
    exclusions = models.JSONField("回避排除（编号与理由）")
    drawn = models.JSONField("抽取结果（按顺序）")
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "专家抽取记录"
        verbose_name_plural = "专家抽取记录"
        ordering = ["tender", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.seed}"


class MemberStatus(models.TextChoices):
    DRAWN = "drawn", "已抽取，待声明"
    ACTIVE = "active", "已声明无利害关系"
    RESERVE = "reserve", "备选"
    RECUSED = "recused", "回避"
    VOIDED = "voided", "评分作废"


class PanelMember(models.Model):
    """An expert on a tender's evaluation committee (评标委员会 / 磋商小组)."""

    Status = MemberStatus

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="panel")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="panels")
    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="members")
    position = models.PositiveSmallIntegerField("抽取顺位")
    status = models.CharField("状态", max_length=16, choices=MemberStatus.choices)
    declared_at = models.DateTimeField("声明时间", null=True, blank=True)
    declaration = models.TextField("利害关系声明", blank=True)
    recusal_reason = models.TextField("回避/作废理由", blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    class Meta:
        verbose_name = "评审委员会成员"
        verbose_name_plural = "评审委员会成员"
        ordering = ["tender", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "expert"], name="panel_expert_once")
        ]
        indexes = [models.Index(fields=["expert", "status"], name="panel_expert_status")]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.expert_id}:{self.status}"


class ScoreSheet(models.Model):
    """One expert's scores for one tender: ``scores = {bid id: {factor id: points}}``.

    Private to its expert until every active member has submitted."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="score_sheets")
    member = models.OneToOneField(PanelMember, on_delete=models.PROTECT, related_name="sheet")
    scores = models.JSONField("评分", default=dict)
    # Lowest-price method: {bid id: {"pass": bool, "reason": str}} (资格性和符合性审查).
    verdicts = models.JSONField("资格性和符合性审查意见", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    voided = models.BooleanField("作废", default=False)

    class Meta:
        verbose_name = "专家评分表"
        verbose_name_plural = "专家评分表"
        ordering = ["tender", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.member_id}"


class CorrectionReason(models.TextChoices):
    """87号令 §64: the only reasons a submitted score may be changed."""

    SUM_ERROR = "sum_error", "分值汇总计算错误"
    OUT_OF_RANGE = "out_of_range", "分项评分超出评分标准规定的分值范围"
    OBJECTIVE_INCONSISTENT = "objective_inconsistent", "客观评审因素评分不一致"
    EXTREME = "extreme", "经评标委员会认定评分畸高、畸低"


class ScoreCorrection(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="corrections")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    factor = models.CharField("评分因素", max_length=40)
    old_value = models.DecimalField(max_digits=8, decimal_places=2)
    new_value = models.DecimalField(max_digits=8, decimal_places=2)
    reason = models.CharField("修改原因", max_length=32, choices=CorrectionReason.choices)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评分修改记录"
        verbose_name_plural = "评分修改记录"
        ordering = ["sheet", "id"]

    def __str__(self) -> str:
        return f"{self.sheet_id}:{self.factor}"


# --- award and challenges ------------------------------------------------------------------------


class AwardStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已确定并公告"
    DECLINED = "declined", "中标人放弃"
    REVOKED = "revoked", "已撤销"


class AwardQuerySet(models.QuerySet):
    def public(self) -> AwardQuerySet:
        """Every award announced (中标公告) on a public tender. A declined or revoked award
        stays on the public record, marked; ``in_force`` narrows to the standing one."""
        return self.filter(notice_published_at__isnull=False, tender__status__in=PUBLIC_STATUSES)

    def in_force(self) -> AwardQuerySet:
        """The confirmed award (at most one per tender)."""
        return self.filter(status=AwardStatus.CONFIRMED)


class Award(models.Model):
    """The purchaser's award decision for one bid, and its notice (中标公告)."""

    Status = AwardStatus

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    amount = MoneyField("中标金额（元）")
    status = models.CharField("状态", max_length=16, choices=AwardStatus.choices)
    decided_at = models.DateTimeField("确定时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_due = models.DateTimeField("公告最迟时间")
    notice_published_at = models.DateTimeField("公告时间", null=True, blank=True)
    notice_period_ends = models.DateTimeField("公告期届满")
    challenge_deadline = models.DateTimeField("质疑截止")
    note = models.TextField("说明", blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField("放弃/撤销理由", blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = "中标结果"
        verbose_name_plural = "中标结果"
        ordering = ["tender", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender"], condition=Q(status="confirmed"), name="award_one_confirmed"
            )
        ]
        indexes = [
            models.Index(fields=["status", "challenge_deadline"], name="award_status_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.bid_id}:{self.status}"

    @property
    def is_public(self) -> bool:  # as ``AwardQuerySet.public``
        return self.notice_published_at is not None and self.tender.is_public


class ChallengeStatus(models.TextChoices):
    FILED = "filed", "待答复"
    ANSWERED = "answered", "已答复"
    WITHDRAWN = "withdrawn", "已撤回"


class Challenge(models.Model):
    """A bidder's challenge (质疑) of the award, answered within 7 working days."""

    Status = ChallengeStatus

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="challenges")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="challenges")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="质疑人", on_delete=models.PROTECT, related_name="+"
    )
    grounds = models.TextField("质疑事项和理由")
    may_change_result = models.BooleanField("可能影响中标结果（暂停签约）", default=True)
    status = models.CharField(
        "状态", max_length=16, choices=ChallengeStatus.choices, default="filed"
    )
    filed_at = models.DateTimeField("提出时间")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_due = models.DateTimeField("答复期限")
    answer = models.TextField("答复", blank=True)
    upheld = models.BooleanField("质疑成立", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "质疑"
        verbose_name_plural = "质疑"
        ordering = ["tender", "id"]
        indexes = [models.Index(fields=["tender", "status"], name="challenge_tender_status")]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.organization_id}:{self.status}"
