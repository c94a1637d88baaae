"""Social organizations (社会组织). The foundation keeps only identity; the registry issue
adds grades, credit records, service fields and the directory."""

from django.db import models


class Organization(models.Model):
    class LegalForm(models.TextChoices):
        SOCIAL_GROUP = "social_group", "社会团体"
        SERVICE_INSTITUTION = "service_institution", "社会服务机构（民办非企业单位）"
        FOUNDATION = "foundation", "基金会"
        ENTERPRISE = "enterprise", "企业"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_form = models.CharField(
        "组织形式", max_length=32, choices=LegalForm.choices, default=LegalForm.OTHER
    )
    is_hub = models.BooleanField("枢纽型社会组织", default=False)
    is_evaluator = models.BooleanField("第三方评估机构", default=False)
    hub = models.ForeignKey(
        "self",
        verbose_name="所属枢纽组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="affiliates",
    )
    created_at = models.DateTimeField("登记入库时间", auto_now_add=True)

    class Meta:
        verbose_name = "社会组织"
        verbose_name_plural = "社会组织"
        ordering = ["id"]
        indexes = [models.Index(fields=["name"], name="org_name")]

    def __str__(self) -> str:
        return self.name
