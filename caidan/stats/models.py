"""Statistics kept between requests (the figures computed on the tables that grow with the
jurisdiction: bids, contracts, evaluations, organizations)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatsSnapshot(models.Model):
    """统计快照: one figure of the statistics page as last computed by the hourly tick
    (``stats/snapshots.py``). The plan's figures are not here: they are exact on write in
    ``projects.PlanTotal``."""

    name = models.CharField(_("统计项"), max_length=40, primary_key=True)
    data = models.JSONField(_("数据"), encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")

    def __str__(self) -> str:
        return f"{self.name} @ {self.computed_at:%Y-%m-%d %H:%M}"


class UnmetNeedFlag(models.Model):
    """需求未回应提醒: a resident's need still linked to no approved project a year after it
    was stated, flagged once to its unit's purchasers by the tick job ``stats.unmet_needs``
    (``stats/unmet.py``). One row per need: the tick never tells a unit twice."""

    need = models.OneToOneField(
        "needs.Need",
        verbose_name=_("居民需求"),
        on_delete=models.CASCADE,
        related_name="unmet_flag",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("街道（镇）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    flagged_at = models.DateTimeField(_("提醒时间"))

    class Meta:
        verbose_name = _("需求未回应提醒")
        verbose_name_plural = _("需求未回应提醒")
        indexes = [models.Index(fields=["unit", "-flagged_at"], name="unmet_flag_unit_time")]

    def __str__(self) -> str:
        return str(_("需求 #%(pk)s 未回应") % {"pk": self.need_id})
