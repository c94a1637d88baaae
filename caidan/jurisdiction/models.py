from django.conf import settings
from django.db import models


class JurisdictionSetting(models.Model):
    """A jurisdiction's value for one configurable rule (absent → the registry default)."""

    key = models.CharField("设置项", max_length=64, unique=True)
    value = models.JSONField("取值")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "辖区设置"
        verbose_name_plural = "辖区设置"

    def __str__(self) -> str:
        return self.key
