"""Performance evaluation (绩效评价, 财预〔2020〕10号), satisfaction surveys, hearings,
organization assessments, financial audit, and the providers' track record
(DOMAIN.md §3.6, §4.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# --- indicator frameworks -------------------------------------------------------------------------


class Framework(models.Model):
    """An indicator framework (指标体系): a template, or a project's copy (frozen at its
    first evaluation). ``indicators`` is the tree as a list of
    ``{"code", "name", "level" (1–3), "parent" (code or null), "weight", "category",
    "computed" (formula or ""), "target"}``; level-1 weights sum to 100 and each parent's
    children sum to its weight."""

    name = models.CharField(_("名称"), max_length=200)
    is_template = models.BooleanField(_("模板"), default=False)
    contract = models.OneToOneField(
        "contracts.Contract",
        verbose_name=_("项目合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="framework",
    )
    indicators = models.JSONField(_("指标"))
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("绩效指标体系")
        verbose_name_plural = _("绩效指标体系")
        ordering = ["-is_template", "id"]

    def __str__(self) -> str:
        return self.name


# --- evaluator and evaluations -----------------------------------------------------------------


class EvaluatorAppointment(models.Model):
    """The third-party evaluator (第三方评估机构) of one project."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="evaluator_appointment"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("第三方评估机构"),
        on_delete=models.PROTECT,
        related_name="evaluations_appointed",
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("第三方评估委托")
        verbose_name_plural = _("第三方评估委托")

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.organization_id}"


class Stage(models.TextChoices):
    PRE = "pre", _("前期指导")
    MID = "mid", _("中期测评")
    FINAL = "final", _("终期评估")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    FAIR = "fair", _("中")
    POOR = "poor", _("差")


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("评价中")
    PUBLISHED = "published", _("已公布")


class EvaluationQuerySet(models.QuerySet):
    def public(self) -> EvaluationQuerySet:
        """Published results; an open evaluation only for those who work on it (the
        purchaser, the appointed evaluator, the provider), the platform admin and auditors."""
        return self.filter(status=EvaluationStatus.PUBLISHED)


class Evaluation(models.Model):
    """One evaluation of a project at a stage: indicator scores with evidence by the
    evaluator, the purchaser's score, the recipients' (survey) score, the weighted total and
    grade. Published results are public."""

    Stage = Stage
    Grade = Grade
    Status = EvaluationStatus

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="evaluations"
    )
    stage = models.CharField(_("阶段"), max_length=8, choices=Stage.choices)
    due_on = models.DateField(_("应完成日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=EvaluationStatus.choices, default="open"
    )
    scores = models.JSONField(_("指标得分（编号：{score, evidence}）"), default=dict, blank=True)
    computed = models.JSONField(_("计算指标（编号：{value, score}）"), default=dict, blank=True)
    purchaser_score = models.DecimalField(
        _("购买方评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    recipients_score = models.DecimalField(
        _("服务对象满意度"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    evaluator_score = models.DecimalField(
        _("第三方指标得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    subject_weights = models.JSONField(_("多主体权重"), default=dict, blank=True)
    total = models.DecimalField(
        _("综合得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("等级"), max_length=16, choices=Grade.choices, blank=True)
    summary = models.TextField(_("评价结论"), blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # subject → {reason, by, by_name, at}: the purchaser's recorded waiver of a subject that
    # has no result (services/waivers.py)
    waivers = models.JSONField(_("免评主体"), default=dict, blank=True)
    overdue_flagged_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("绩效评价")
        verbose_name_plural = _("绩效评价")
        ordering = ["contract", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "stage"], name="evaluation_stage_once")
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="evaluation_status_due"),
            # published results newest first, in the order the lists and search walk them
            models.Index(fields=["status", "-published_at", "-id"], name="evaluation_published"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.stage}"

    @property
    def is_public(self) -> bool:  # as ``EvaluationQuerySet.public``
        return self.status == EvaluationStatus.PUBLISHED

    @property
    def passed(self) -> bool:
        return self.status == EvaluationStatus.PUBLISHED and self.grade in (
            Grade.EXCELLENT,
            Grade.GOOD,
            Grade.FAIR,
        )


class TrackRecord(models.Model):
    """A provider's record (履约记录): one row per final evaluation, public."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="track_record"
    )
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="record")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=16, choices=Grade.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("履约记录")
        verbose_name_plural = _("履约记录")
        ordering = ["organization", "-year", "-id"]
        indexes = [models.Index(fields=["organization", "-year"], name="track_org_year")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.grade}"


# --- surveys ------------------------------------------------------------------------------------


class Survey(models.Model):
    """A satisfaction survey (满意度调查) of a project's service recipients, reached by a
    public link; each respondent answers once with a one-time token."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField(_("标题"), max_length=200)
    slug = models.CharField(_("公开链接编号"), max_length=32, unique=True)
    questions = models.JSONField(_("题目"))
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class SurveyToken(models.Model):
    """A one-time respondent token (printed on a slip, sent by SMS, or shown as QR)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(_("令牌摘要"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("答卷令牌")
        verbose_name_plural = _("答卷令牌")
        # A constraint rather than ``unique=True``: on PostgreSQL the field option adds a
        # second, ``varchar_pattern_ops`` index for LIKE that no query uses (1.2 GB at 10 M).
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="survey_token_hash_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.token_hash[:8]}"


class SurveyResponse(models.Model):
    """One answer. No default ordering: a list orders explicitly (the comments newest first,
    ``selectors.survey_comments_page``); counts and means come from ``SurveyTotals``."""

    # No index of its own: the covering index below serves the foreign key too.
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", db_index=False
    )
    token = models.OneToOneField(SurveyToken, on_delete=models.PROTECT, related_name="response")
    answers = models.JSONField(_("答案"))
    score = models.DecimalField(_("满意度得分"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("意见和建议（不公开个人信息）"), blank=True)
    # Whether the answer has free text (a text question or the comment): the published
    # comments page reads only these rows, through a partial index.
    has_text = models.BooleanField(_("含文字意见"), default=False, db_default=False)
    submitted_at = models.DateTimeField(auto_now_add=True)
    # a paper slip typed in by staff (纸质答卷), not answered online; who imported it is in
    # the audit log (``survey.paper_imported``)
    on_paper = models.BooleanField(_("纸质答卷"), default=False, db_default=False)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        indexes = [
            # (survey_id) INCLUDE (score): the foreign key's index, and counts and means by
            # index-only scans (the totals rebuild); INCLUDE is PostgreSQL's, elsewhere a
            # plain index on survey_id.
            models.Index(fields=["survey"], include=["score"], name="response_survey_score"),
            models.Index(
                fields=["survey", "-id"], condition=Q(has_text=True), name="response_survey_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.pk}"


class SurveyTotals(models.Model):
    """Running totals of one survey (答卷汇总), kept in each answer's own transaction by
    ``services.surveys.survey_respond`` (and tokens by ``_new_tokens``); rebuilt from the
    answers by ``survey_totals_rebuild``. The results, the contract's survey list and the
    satisfaction indicator read these, never the answers."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    responses = models.PositiveIntegerField(_("答卷数"), default=0)
    tokens = models.PositiveIntegerField(_("答卷码数"), default=0)
    score_sum = models.DecimalField(_("得分合计"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("答卷汇总")
        verbose_name_plural = _("答卷汇总")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.responses}"


class SurveyQuestionTotals(models.Model):
    """Running totals of one 1–5 question of a survey: the points given and by how many."""

    # indexed by the unique constraint below (survey first)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="question_totals", db_index=False
    )
    question = models.CharField(_("题目编号"), max_length=50)
    points = models.PositiveBigIntegerField(_("分数合计"), default=0)
    answers = models.PositiveIntegerField(_("作答数"), default=0)

    class Meta:
        verbose_name = _("题目汇总")
        verbose_name_plural = _("题目汇总")
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="survey_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.question}"


# --- hearings, assessments, audit -------------------------------------------------------------


class Hearing(models.Model):
    """A community hearing (听证会) on a project: 1–2 per service cycle."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="hearings"
    )
    held_on = models.DateField(_("举行日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    participants = models.TextField(_("参加人员（身份类别和人数，不含个人信息）"))
    opinions = models.TextField(_("意见"))
    follow_up = models.TextField(_("意见处理和落实情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("听证会")
        verbose_name_plural = _("听证会")
        ordering = ["contract", "held_on"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.held_on}"


class AssessmentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待登记管理机关确认")
    CONFIRMED = "confirmed", _("已确认并登记等级")
    REJECTED = "rejected", _("未予确认")


class OrgAssessment(models.Model):
    """A standardisation assessment (规范化评估) of an organization by an evaluator; the
    registration authority confirms it into the registry's grade."""

    Status = AssessmentStatus

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="assessments"
    )
    evaluator = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="assessments_made"
    )
    assessed_on = models.DateField(_("评估日期"))
    score = models.DecimalField(_("评估得分"), max_digits=6, decimal_places=2)
    proposed_level = models.PositiveSmallIntegerField(_("建议等级（1–5A）"))
    report = models.TextField(_("评估意见"))
    status = models.CharField(
        _("状态"), max_length=16, choices=AssessmentStatus.choices, default="submitted"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("确认意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社会组织规范化评估")
        verbose_name_plural = _("社会组织规范化评估")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.proposed_level}A"


class AuditPlan(models.Model):
    """The annual audit plan: which projects are audited (coverage)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("审计单位"),
        on_delete=models.PROTECT,
        related_name="audit_plans",
    )
    contracts = models.ManyToManyField(
        "contracts.Contract", related_name="audit_plans", verbose_name=_("审计项目")
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度审计计划")
        verbose_name_plural = _("年度审计计划")
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="audit_plan_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id}"


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RESPONDED = "responded", _("已报送整改情况")
    CLOSED = "closed", _("已整改销号")


class AuditFinding(models.Model):
    """An audit finding on a project, with its rectification deadline, the provider's
    response and closure."""

    Status = FindingStatus

    plan = models.ForeignKey(AuditPlan, on_delete=models.PROTECT, related_name="findings")
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="audit_findings"
    )
    description = models.TextField(_("审计发现"))
    rectify_by = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=FindingStatus.choices, default="open"
    )
    response = models.TextField(_("整改情况"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(_("销号意见"), blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审计发现")
        verbose_name_plural = _("审计发现")
        ordering = ["rectify_by", "id"]
        indexes = [models.Index(fields=["status", "rectify_by"], name="finding_status_due")]
        constraints = [
            models.CheckConstraint(
                name="finding_closed_has_time",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.description[:20]}"


# --- a hub bundle's parts (issue 21) --------------------------------------------------------------


class PartResult(models.Model):
    """A member group's result for its part of a hub bundle's contract (issue 21): the
    evaluator attributes output and a score to each member (``evaluation_parts_score``);
    a part left unscored takes the evaluation's total when it is published. A published
    final evaluation's part results are the member's public track record "经由枢纽"
    (via the hub) and count towards its standing to bid on its own
    (``caidan.orgs.standing``)."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="part_results"
    )
    part = models.ForeignKey(
        "contracts.ContractPart",
        verbose_name=_("成员承担部分"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("成员组织"),
        on_delete=models.PROTECT,
        related_name="part_results",
    )
    hub = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("经由枢纽"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=16, choices=Grade.choices)
    outputs = models.TextField(_("该成员完成的产出"), blank=True)
    scored_by_evaluator = models.BooleanField(_("评估机构单独评分"), default=True)

    class Meta:
        verbose_name = _("成员部分评价结果")
        verbose_name_plural = _("成员部分评价结果")
        ordering = ["evaluation", "part__position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "part"], name="part_result_once"),
            models.CheckConstraint(
                name="part_result_score_range", condition=Q(score__gte=0) & Q(score__lte=100)
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "grade"], name="part_result_org_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}:{self.part_id} {self.grade}"
