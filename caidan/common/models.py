"""Models of the common kernel: the working-day calendar's exceptions."""

from django.db import models


class CalendarDay(models.Model):
    """A date that departs from the weekend rule: a public holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日"
        WORKDAY = "workday", "调休工作日"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=100, blank=True)

    class Meta:
        verbose_name = "日历例外"
        verbose_name_plural = "日历例外"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
