"""Complaints (投诉) to the finance department after a challenge (质疑): 政府采购法 §55–58,
政府采购质疑和投诉办法 (财政部令第94号).

A supplier that challenged may complain within 15 working days after the answer (or after
the answer's due date passed unanswered). The finance bureau accepts or rejects within 5
working days, may suspend the procurement in writing for at most 30 days, decides within 30
working days of acceptance, and publishes the decision. The lifecycle is ``TRANSITIONS``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

FILE_WORKING_DAYS = 15  # 政府采购法 §55; 94号令 §17
ACCEPT_WORKING_DAYS = 5  # 94号令 §21
DECIDE_WORKING_DAYS = 30  # 政府采购法 §56; 94号令 §26–27
MAX_SUSPENSION_DAYS = 30  # 政府采购法 §57; 94号令 §28 (calendar days)
TEXT_MAX = 10000
REASON_MAX = 2000


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("待受理")
    ACCEPTED = "accepted", _("已受理，处理中")
    REJECTED = "rejected", _("不予受理")
    DECIDED = "decided", _("已作出处理决定")
    WITHDRAWN = "withdrawn", _("已撤回")


class ComplaintAction(models.TextChoices):
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    SUSPEND = "suspend", _("暂停采购活动")
    LIFT = "lift", _("解除暂停")
    DECIDE = "decide", _("作出处理决定")
    WITHDRAW = "withdraw", _("撤回投诉")


class ComplaintOutcome(models.TextChoices):
    DISMISSED = "dismissed", _("投诉事项缺乏事实依据，驳回投诉")
    UPHELD_REAWARD = "upheld_reaward", _("投诉成立，中标结果无效，从其他中标候选人中另行确定")
    UPHELD_RETENDER = "upheld_retender", _("投诉成立，中标结果无效，责令重新开展采购活动")
    UPHELD_NO_EFFECT = "upheld_no_effect", _("投诉成立，但未影响中标结果")
    UPHELD_CONTRACT_SIGNED = (
        "upheld_contract_signed",
        _("投诉成立，合同已经签订（已履行的依法赔偿损失）"),
    )


S = ComplaintStatus
PENDING_STATUSES = frozenset({S.FILED, S.ACCEPTED})  # filed, not yet rejected or decided
# action → (statuses it may start from, status it leads to; None: unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    ComplaintAction.ACCEPT: (frozenset({S.FILED}), S.ACCEPTED),
    ComplaintAction.REJECT: (frozenset({S.FILED}), S.REJECTED),
    ComplaintAction.SUSPEND: (PENDING_STATUSES, None),
    ComplaintAction.LIFT: (PENDING_STATUSES, None),
    ComplaintAction.DECIDE: (frozenset({S.ACCEPTED}), S.DECIDED),
    ComplaintAction.WITHDRAW: (PENDING_STATUSES, S.WITHDRAWN),
}


class ComplaintQuerySet(models.QuerySet):
    def public(self) -> ComplaintQuerySet:
        """Complaints whose decision is published (投诉处理决定公告, 94号令 §35); before that
        only the complainant, the finance bureau, the purchaser and auditors see them."""
        return self.filter(published_at__isnull=False)


class Complaint(models.Model):
    """One supplier's complaint about one tender's award, after its challenge(s)."""

    Status = ComplaintStatus
    Outcome = ComplaintOutcome

    tender = models.ForeignKey(
        "procurement.Tender",
        verbose_name=_("采购项目"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    award = models.ForeignKey(
        "procurement.Award",
        verbose_name=_("中标结果"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    challenges = models.ManyToManyField(
        "procurement.Challenge", verbose_name=_("所涉质疑"), related_name="complaints"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("投诉人"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    bureau = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("财政部门"),
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    matters = models.TextField(_("投诉事项和事实依据"))
    request = models.TextField(_("投诉请求"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )
    filed_at = models.DateTimeField(_("提出时间"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accept_due = models.DateTimeField(_("受理期限"))
    decide_due = models.DateTimeField(_("处理决定期限"), null=True, blank=True)
    handled_at = models.DateTimeField(_("受理/不予受理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    suspension_start = models.DateTimeField(_("暂停采购起始"), null=True, blank=True)
    suspension_end = models.DateTimeField(_("暂停采购截止"), null=True, blank=True)
    suspension_reason = models.TextField(_("暂停理由"), blank=True)
    suspension_lifted_at = models.DateTimeField(_("暂停解除时间"), null=True, blank=True)
    suspension_expired_at = models.DateTimeField(_("暂停期满记录时间"), null=True, blank=True)
    outcome = models.CharField(
        _("处理结果"), max_length=32, choices=ComplaintOutcome.choices, blank=True
    )
    reasoning = models.TextField(_("处理理由"), blank=True)
    decided_at = models.DateTimeField(_("处理决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    accept_overdue_flagged_at = models.DateTimeField(_("逾期未受理标记时间"), null=True, blank=True)
    decide_overdue_flagged_at = models.DateTimeField(_("逾期未决定标记时间"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        constraints = [
            models.CheckConstraint(
                name="complaint_status_valid", condition=Q(status__in=ComplaintStatus.values)
            ),
            models.CheckConstraint(
                name="complaint_decided_has_outcome",
                condition=~Q(status=ComplaintStatus.DECIDED)
                | (~Q(outcome="") & ~Q(reasoning="") & Q(decided_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="complaint_rejected_has_reason",
                condition=~Q(status=ComplaintStatus.REJECTED) | ~Q(rejection_reason=""),
            ),
            models.CheckConstraint(
                name="complaint_suspension_ordered",
                condition=Q(suspension_start__isnull=True)
                | Q(suspension_end__gt=models.F("suspension_start")),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "accept_due"], name="complaint_status_accept"),
            models.Index(fields=["status", "decide_due"], name="complaint_status_decide"),
            models.Index(fields=["tender", "status"], name="complaint_tender_status"),
            models.Index(fields=["organization", "-id"], name="complaint_org_id"),
            models.Index(fields=["published_at", "-id"], name="complaint_published_id"),
        ]

    def __str__(self) -> str:
        return str(_("投诉 #%(pk)s · %(tender)s") % {"pk": self.pk, "tender": self.tender})

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def is_public(self) -> bool:  # as ``ComplaintQuerySet.public``
        return self.published_at is not None

    def suspended_at(self, now: dt.datetime) -> bool:
        """The suspension is in force at ``now`` (it ends by itself at ``suspension_end``,
        or earlier when lifted; it also ends when the complaint is no longer pending)."""
        if self.suspension_start is None or self.suspension_end is None:
            return False
        if self.suspension_lifted_at is not None and now >= self.suspension_lifted_at:
            return False
        return self.suspension_start <= now <= self.suspension_end

    def due(self) -> dt.datetime | None:
        if self.status == ComplaintStatus.FILED:
            return self.accept_due
        if self.status == ComplaintStatus.ACCEPTED:
            return self.decide_due
        return None

    def is_overdue(self, now: dt.datetime) -> bool:
        due = self.due()
        return bool(due and now > due)
