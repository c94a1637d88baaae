"""Enquiries, suggestions, information requests and supervision reports (咨询、建议、
政府信息公开申请、举报), answered on the record.

Every item has a handling unit, a handler, a due date from the working-day calendar and a
lifecycle (``TRANSITIONS``). A supervision report (举报) is always handled by the finance
bureau, never by the unit it concerns (``concerned_unit``); who made it is shown only to
its handler. Anonymous reporters follow up with a random code of which only a hash is
stored.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
BODY_MIN = 5
BODY_MAX = 5000
ANSWER_MAX = 10000
MAX_EXTENSION_WORKING_DAYS = 20  # 《政府信息公开条例》§33
INFO_REQUEST_WORKING_DAYS = 20  # 《政府信息公开条例》§33


class EnquiryKind(models.TextChoices):
    ENQUIRY = "enquiry", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    INFO_REQUEST = "info_request", _("信息公开申请")
    REPORT = "report", _("举报")


PUBLISHABLE_KINDS = frozenset({EnquiryKind.ENQUIRY, EnquiryKind.SUGGESTION})


class SubjectType(models.TextChoices):
    UNIT = "unit", _("单位（购买主体）")
    CATALOG_ITEM = "catalog_item", _("目录条目")
    MENU = "menu", _("服务菜单")
    MENU_ITEM = "menu_item", _("菜单项")
    PROJECT = "project", _("项目")
    TENDER = "tender", _("采购项目")
    CONTRACT = "contract", _("合同")
    ORGANIZATION = "organization", _("社会组织（承接主体）")
    OFFICIAL = "official", _("工作人员")


class EnquiryStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ASSIGNED = "assigned", _("办理中")
    ANSWERED = "answered", _("已答复")
    TRANSFERRED = "transferred", _("已转办")
    CLOSED = "closed", _("已办结（未答复）")


class EnquiryAction(models.TextChoices):
    ASSIGN = "assign", _("指定承办人")
    ANSWER = "answer", _("答复")
    TRANSFER = "transfer", _("转办")
    CLOSE = "close", _("办结")
    EXTEND = "extend", _("延长答复期限")
    PUBLISH = "publish", _("公开答复")


S = EnquiryStatus
OPEN_STATUSES = frozenset({S.RECEIVED, S.ASSIGNED, S.TRANSFERRED})
# The lifecycle in one place: action → (statuses it may start from, status it leads to;
# None: the status does not change).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    EnquiryAction.ASSIGN: (OPEN_STATUSES, S.ASSIGNED),
    EnquiryAction.ANSWER: (frozenset({S.ASSIGNED}), S.ANSWERED),
    EnquiryAction.TRANSFER: (OPEN_STATUSES, S.TRANSFERRED),
    EnquiryAction.CLOSE: (OPEN_STATUSES, S.CLOSED),
    EnquiryAction.EXTEND: (OPEN_STATUSES, None),
    EnquiryAction.PUBLISH: (frozenset({S.ANSWERED}), None),
}


class EnquiryQuerySet(models.QuerySet):
    def public(self) -> EnquiryQuerySet:
        """Answers published with the asker's consent and not hidden since (only their
        ``published_*`` copies are shown, never who asked)."""
        return self.filter(published=True, hidden=False)


class Enquiry(models.Model):
    """One enquiry, suggestion, information request or supervision report."""

    Kind = EnquiryKind
    Status = EnquiryStatus

    kind = models.CharField(_("类型"), max_length=16, choices=EnquiryKind.choices)
    subject_type = models.CharField(_("涉及对象类型"), max_length=16, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField(_("涉及对象编号"), null=True, blank=True)
    subject_label = models.CharField(_("涉及对象"), max_length=300)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("办理单位"),
        on_delete=models.PROTECT,
        related_name="enquiries",
    )
    concerned_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("被举报对象所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The asker: a person (resident with a verified identity, a provider's staff), or
    # nobody (an anonymous report, followed up with a code of which only the hash is kept).
    asker_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    asker_identity = models.ForeignKey(
        "needs.ResidentIdentity",
        verbose_name=_("居民身份"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    asker_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("提出组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followup_code_hash = models.CharField(_("查询码哈希"), max_length=64, blank=True)
    ip_hash = models.CharField(_("来源地址哈希"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=16, choices=EnquiryStatus.choices, default=EnquiryStatus.RECEIVED
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"))
    due_on = models.DateField(_("答复期限"))
    extended_due_on = models.DateField(_("延长后的答复期限"), null=True, blank=True)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True)
    extended_at = models.DateTimeField(_("延期时间"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_from = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("原办理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer_reason = models.CharField(_("转办理由"), max_length=500, blank=True)
    close_reason = models.CharField(_("办结理由"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    publish_consent = models.BooleanField(_("同意公开答复"), default=False)
    published = models.BooleanField(_("已公开"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_title = models.CharField(_("公开标题"), max_length=TITLE_MAX, blank=True)
    published_body = models.TextField(_("公开内容"), blank=True)
    published_answer = models.TextField(_("公开答复"), blank=True)
    overdue_flagged_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    hidden = models.BooleanField(_("已屏蔽"), default=False)
    hidden_reason = models.CharField(_("屏蔽理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询建议与监督事项")
        verbose_name_plural = _("咨询建议与监督事项")
        constraints = [
            models.CheckConstraint(
                name="enquiry_kind_valid", condition=Q(kind__in=EnquiryKind.values)
            ),
            models.CheckConstraint(
                name="enquiry_status_valid", condition=Q(status__in=EnquiryStatus.values)
            ),
            models.CheckConstraint(
                name="enquiry_subject_type_valid",
                condition=Q(subject_type__in=SubjectType.values),
            ),
            models.CheckConstraint(
                name="enquiry_extension_has_reason",
                condition=Q(extended_due_on__isnull=True)
                | (
                    Q(kind=EnquiryKind.INFO_REQUEST, extended_due_on__gt=models.F("due_on"))
                    & ~Q(extension_reason="")
                ),
            ),
            models.CheckConstraint(
                name="enquiry_anonymous_only_reports",
                condition=Q(kind=EnquiryKind.REPORT) | Q(asker_user__isnull=False),
            ),
            models.CheckConstraint(
                name="enquiry_answered_has_answer",
                condition=~Q(status=EnquiryStatus.ANSWERED)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="enquiry_published_with_consent",
                condition=Q(published=False)
                | Q(
                    publish_consent=True,
                    hidden=False,
                    status=EnquiryStatus.ANSWERED,
                    kind__in=sorted(PUBLISHABLE_KINDS),
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-id"], name="enquiry_unit_status_id"),
            models.Index(fields=["unit", "kind", "-id"], name="enquiry_unit_kind_id"),
            models.Index(fields=["status", "due_on"], name="enquiry_status_due"),
            models.Index(fields=["kind", "-id"], name="enquiry_kind_id"),
            models.Index(fields=["asker_user", "-id"], name="enquiry_asker_id"),
            models.Index(fields=["published", "-id"], name="enquiry_published_id"),
            models.Index(fields=["followup_code_hash"], name="enquiry_followup"),
            models.Index(fields=["ip_hash", "received_at"], name="enquiry_ip_time"),
        ]

    def __str__(self) -> str:
        # Never who asked: this label goes into the audit log and notifications.
        return f"{self.get_kind_display()} #{self.pk} · {self.title}"

    @property
    def is_report(self) -> bool:
        return self.kind == EnquiryKind.REPORT

    @property
    def is_public(self) -> bool:  # as ``EnquiryQuerySet.public``
        return self.published and not self.hidden

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def effective_due_on(self) -> dt.date:
        return self.extended_due_on or self.due_on

    def is_overdue(self, today: dt.date) -> bool:
        if self.is_open:
            return today > self.effective_due_on
        if self.answered_at is not None:
            from caidan.common.calendar import local_date

            return local_date(self.answered_at) > self.effective_due_on
        return False


class EnquiryAttachment(models.Model):
    """A file sent with an enquiry, checked like every document (type by extension and
    content, size). Kept apart from ``documents.Document`` because an anonymous reporter
    has no account, and an uploader's name would give a reporter away."""

    enquiry = models.ForeignKey(
        Enquiry, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="enquiries/%Y/%m/", max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事项附件")
        verbose_name_plural = _("事项附件")
        indexes = [models.Index(fields=["enquiry", "id"], name="enquiry_attachment_order")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_public(self) -> bool:  # for ``document_file_response``: never cached publicly
        return False
