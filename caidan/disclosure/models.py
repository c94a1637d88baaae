"""What the disclosure app stores itself: the changes feed's positions (``feed.py``) and the
portal's notices and policies (``notices.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedEntry(models.Model):
    """One public contracting process in the changes feed, at its latest public change.

    ``modified`` is assigned while the writer holds the audit chain lock (see ``feed.py``),
    so positions (``modified``, ``id``) are in commit order and a reader's cursor never
    passes a change that has yet to commit."""

    proposal = models.OneToOneField(
        "projects.Proposal",
        on_delete=models.CASCADE,
        related_name="feed_entry",
        verbose_name=_("项目"),
    )
    modified = models.DateTimeField(_("最近公开变更时间"))
    changes = models.PositiveIntegerField(_("公开变更次数"), default=0)
    last_kind = models.CharField(_("最近变更类型"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("公开变更")
        verbose_name_plural = _("公开变更")
        indexes = [models.Index(fields=["modified", "id"], name="feed_modified_id")]

    def __str__(self) -> str:
        return f"{self.proposal_id} @ {self.modified.isoformat()}"


# --- Notices and policies (政策与公告) --------------------------------------------------------


class NoticeCategory(models.TextChoices):
    POLICY = "policy", _("政策文件")
    ANNOUNCEMENT = "announcement", _("通知公告")
    GUIDE = "guide", _("办事指南")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class NoticeAction(models.TextChoices):
    UPDATE = "update", _("修改")
    PUBLISH = "publish", _("发布")
    WITHDRAW = "withdraw", _("撤回")


# The lifecycle, in one place: action → (statuses it may start from, status it leads to).
# Editing keeps the status; a withdrawn notice is final (it stays at its URL, marked).
NOTICE_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    NoticeAction.UPDATE: (frozenset({NoticeStatus.DRAFT, NoticeStatus.PUBLISHED}), None),
    NoticeAction.PUBLISH: (frozenset({NoticeStatus.DRAFT}), NoticeStatus.PUBLISHED),
    NoticeAction.WITHDRAW: (frozenset({NoticeStatus.PUBLISHED}), NoticeStatus.WITHDRAWN),
}

# Once published, a notice is public at /open/notices/<id>/ for good (withdrawn: marked).
NOTICE_PUBLIC_STATUSES = frozenset({NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN})


class NoticeQuerySet(models.QuerySet):
    def public(self) -> NoticeQuerySet:
        """Published and withdrawn notices (``NOTICE_PUBLIC_STATUSES``); drafts only for
        the platform admin."""
        return self.filter(status__in=NOTICE_PUBLIC_STATUSES)


class Notice(models.Model):
    """A policy document, announcement or guide of the platform, edited by the platform
    admin. The body is plain text (paragraphs separated by blank lines), never HTML."""

    Category = NoticeCategory
    Status = NoticeStatus

    category = models.CharField(_("类别"), max_length=16, choices=NoticeCategory.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    source = models.CharField(_("发布机关"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    effective_date = models.DateField(_("施行日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策与公告")
        verbose_name_plural = _("政策与公告")
        indexes = [
            models.Index(fields=["status", "published_at", "id"], name="notice_status_pub"),
            models.Index(fields=["category", "status", "published_at"], name="notice_category"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in NOTICE_PUBLIC_STATUSES

    @property
    def is_withdrawn(self) -> bool:
        return self.status == NoticeStatus.WITHDRAWN
