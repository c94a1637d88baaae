from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionSetting(models.Model):
    """A jurisdiction's value for one configurable rule (absent → the registry default)."""

    key = models.CharField(_("设置项"), max_length=64, unique=True)
    value = models.JSONField(_("取值"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("辖区设置")
        verbose_name_plural = _("辖区设置")

    def __str__(self) -> str:
        return self.key
