"""Models of the common kernel: the working-day calendar's exceptions and loaded years."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A date that departs from the weekend rule: a public holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休工作日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("日历例外")
        verbose_name_plural = _("日历例外")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose official schedule (国务院办公厅关于部分节假日安排的通知) is loaded.

    Without this row the year's working days fall back to the weekend rule, and every
    legal deadline computed in it is provisional (see ``caidan.common.calendar``).
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200)
    notice = models.CharField(_("通知标题或文号"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"))
    loaded_by = models.CharField(_("载入人"), max_length=200)

    class Meta:
        verbose_name = _("已载入日历年度")
        verbose_name_plural = _("已载入日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"
