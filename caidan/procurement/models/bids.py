"""Sealed bids (投标文件) and the public opening record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.common.money import MoneyField

from .tenders import Tender


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已递交（密封）")
    REPLACED = "replaced", _("已被替换")
    WITHDRAWN = "withdrawn", _("已撤回")
    VALID = "valid", _("有效")
    INVALID = "invalid", _("无效")


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
        "orgs.Organization", verbose_name=_("投标人"), on_delete=models.PROTECT, related_name="bids"
    )
    status = models.CharField(_("状态"), max_length=16, choices=BidStatus.choices)
    seal_id = models.CharField(_("密封编号"), max_length=32, unique=True)
    sealed = models.BinaryField(_("密封内容"), editable=False)
    nonce = models.BinaryField(editable=False)
    receipt = models.CharField(_("回执（密封内容摘要）"), max_length=128, unique=True)
    submitted_at = models.DateTimeField(_("递交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # Filled at opening, never before.
    price = MoneyField(_("投标报价（元）"), null=True, blank=True)
    content = models.JSONField(_("开标后内容"), null=True, blank=True)
    invalid_reasons = models.JSONField(_("无效原因"), default=list, blank=True)
    opened_at = models.DateTimeField(_("开标时间"), null=True, blank=True)
    price_score = models.DecimalField(
        _("价格分"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(
        _("综合得分"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)

    objects = BidQuerySet.as_manager()

    class Meta:
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
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
