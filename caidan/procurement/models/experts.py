"""The expert pool (评审专家库), experts' ties, the recorded draws, a tender's panel, the
experts' score sheets and their corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bids import Bid
from .tenders import Tender


class Expert(models.Model):
    """A member of the expert pool (评审专家库)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert",
    )
    name = models.CharField(_("姓名"), max_length=100)
    specialties = models.JSONField(_("专业领域"), default=list)
    title = models.CharField(_("职称"), max_length=100, blank=True)
    employer_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("所在政府单位（如有）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField(_("工作单位"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在库"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("专家库")
        ordering = ["id"]
        indexes = [models.Index(fields=["is_active", "id"], name="expert_active")]

    def __str__(self) -> str:
        return self.name


class TieKind(models.TextChoices):
    EMPLOYEE = "employee", _("任职（雇员）")
    DIRECTOR = "director", _("担任理事/董事")
    SUPERVISOR = "supervisor", _("担任监事")
    SHAREHOLDER = "shareholder", _("控股股东/实际控制人")
    RELATIVE = "relative", _("与法定代表人或负责人为配偶或近亲属")
    OTHER = "other", _("其他利害关系")


class ExpertTie(models.Model):
    """An expert's employment or other relation with an organization, with dates (for the
    3-year rule of 财库〔2016〕198号) or declared without an end."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ties")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("关系"), max_length=16, choices=TieKind.choices)
    started_on = models.DateField(_("起始日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("专家关联关系")
        verbose_name_plural = _("专家关联关系")
        ordering = ["expert", "id"]
        indexes = [models.Index(fields=["organization"], name="expert_tie_org")]

    def __str__(self) -> str:
        return f"{self.expert_id}-{self.organization_id}:{self.kind}"


class ExpertDraw(models.Model):
    """One recorded random draw of a tender's panel: seed, candidates and exclusions, so
    anyone can re-run it (``draw_order``) and get the same panel."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="draws")
    seed = models.CharField(_("随机种子"), max_length=64)
    algorithm = models.CharField(_("抽取算法"), max_length=40, default="sm3-rank-v1")
    size = models.PositiveSmallIntegerField(_("评审专家人数"))
    reserves = models.PositiveSmallIntegerField(_("备选人数"))
    candidates = models.JSONField(_("候选专家（编号）"))
    exclusions = models.JSONField(_("回避排除（编号与理由）"))
    drawn = models.JSONField(_("抽取结果（按顺序）"))
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("专家抽取记录")
        verbose_name_plural = _("专家抽取记录")
        ordering = ["tender", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.seed}"


class MemberStatus(models.TextChoices):
    DRAWN = "drawn", _("已抽取，待声明")
    ACTIVE = "active", _("已声明无利害关系")
    RESERVE = "reserve", _("备选")
    RECUSED = "recused", _("回避")
    VOIDED = "voided", _("评分作废")


class PanelMember(models.Model):
    """An expert on a tender's evaluation committee (评标委员会 / 磋商小组)."""

    Status = MemberStatus

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="panel")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="panels")
    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="members")
    position = models.PositiveSmallIntegerField(_("抽取顺位"))
    status = models.CharField(_("状态"), max_length=16, choices=MemberStatus.choices)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    declaration = models.TextField(_("利害关系声明"), blank=True)
    recusal_reason = models.TextField(_("回避/作废理由"), blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    class Meta:
        verbose_name = _("评审委员会成员")
        verbose_name_plural = _("评审委员会成员")
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
    scores = models.JSONField(_("评分"), default=dict)
    # Lowest-price method: {bid id: {"pass": bool, "reason": str}} (资格性和符合性审查).
    verdicts = models.JSONField(_("资格性和符合性审查意见"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    voided = models.BooleanField(_("作废"), default=False)

    class Meta:
        verbose_name = _("专家评分表")
        verbose_name_plural = _("专家评分表")
        ordering = ["tender", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.member_id}"


class CorrectionReason(models.TextChoices):
    """87号令 §64: the only reasons a submitted score may be changed."""

    SUM_ERROR = "sum_error", _("分值汇总计算错误")
    OUT_OF_RANGE = "out_of_range", _("分项评分超出评分标准规定的分值范围")
    OBJECTIVE_INCONSISTENT = "objective_inconsistent", _("客观评审因素评分不一致")
    EXTREME = "extreme", _("经评标委员会认定评分畸高、畸低")


class ScoreCorrection(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="corrections")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    factor = models.CharField(_("评分因素"), max_length=40)
    old_value = models.DecimalField(max_digits=8, decimal_places=2)
    new_value = models.DecimalField(max_digits=8, decimal_places=2)
    reason = models.CharField(_("修改原因"), max_length=32, choices=CorrectionReason.choices)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评分修改记录")
        verbose_name_plural = _("评分修改记录")
        ordering = ["sheet", "id"]

    def __str__(self) -> str:
        return f"{self.sheet_id}:{self.factor}"
