"""The award (中标) and its notice, and bidders' challenges (质疑)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField

from .bids import Bid
from .tenders import PUBLIC_STATUSES, Tender


class AwardStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已确定并公告")
    DECLINED = "declined", _("中标人放弃")
    REVOKED = "revoked", _("已撤销")


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
    amount = MoneyField(_("中标金额（元）"))
    status = models.CharField(_("状态"), max_length=16, choices=AwardStatus.choices)
    decided_at = models.DateTimeField(_("确定时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_due = models.DateTimeField(_("公告最迟时间"))
    notice_published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    notice_period_ends = models.DateTimeField(_("公告期届满"))
    challenge_deadline = models.DateTimeField(_("质疑截止"))
    note = models.TextField(_("说明"), blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("放弃/撤销理由"), blank=True)
    # Lots: the higher-ranked bidders passed over because they had already won the tender's
    # cap of lots ([{bid, organization, name, rank, lots}]), published with the notice.
    cap_skipped = models.JSONField(_("因中标分包数上限顺延"), default=list, blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("中标结果")
        verbose_name_plural = _("中标结果")
        ordering = ["tender", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender"], condition=Q(status="confirmed"), name="award_one_confirmed"
            )
        ]
        indexes = [
            models.Index(fields=["status", "challenge_deadline"], name="award_status_deadline"),
            # the award notices newest first (the portal's list and search walk it)
            models.Index(
                fields=["-notice_published_at", "-id"],
                name="award_notice_order",
                condition=models.Q(notice_published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.bid_id}:{self.status}"

    @property
    def is_public(self) -> bool:  # as ``AwardQuerySet.public``
        return self.notice_published_at is not None and self.tender.is_public


class ChallengeStatus(models.TextChoices):
    FILED = "filed", _("待答复")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回")


class Challenge(models.Model):
    """A bidder's challenge (质疑) of the award, answered within 7 working days."""

    Status = ChallengeStatus

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="challenges")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="challenges")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("质疑人"), on_delete=models.PROTECT, related_name="+"
    )
    grounds = models.TextField(_("质疑事项和理由"))
    may_change_result = models.BooleanField(_("可能影响中标结果（暂停签约）"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ChallengeStatus.choices, default="filed"
    )
    filed_at = models.DateTimeField(_("提出时间"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_due = models.DateTimeField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    upheld = models.BooleanField(_("质疑成立"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("质疑")
        verbose_name_plural = _("质疑")
        ordering = ["tender", "id"]
        indexes = [models.Index(fields=["tender", "status"], name="challenge_tender_status")]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.organization_id}:{self.status}"
