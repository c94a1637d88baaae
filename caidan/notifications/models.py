from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in a person's in-app inbox (deadlines, decisions, assignments).

    A message that asks its recipient to do something carries the ``task`` it stands for
    (``"<step>:<object>:<id>"``, e.g. ``"report_review:report:12"``); the service that
    completes the step calls ``notifications_resolve(task=…)``, which sets ``done_at`` —
    whoever did it, and whether the message was read or not. A done message no longer
    counts as unread."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)
    task = models.CharField(_("待办事项"), max_length=120, blank=True, default="")
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notif_recipient_id"),
            models.Index(
                fields=["recipient"],
                name="notif_recipient_open",
                condition=models.Q(read_at__isnull=True, done_at__isnull=True),
            ),
            # the inbox groups a person's messages by the record they link to
            models.Index(fields=["recipient", "url", "-id"], name="notif_recipient_url"),
            # notifications_resolve finds the open messages of one task
            models.Index(
                fields=["task"],
                name="notif_task_open",
                condition=models.Q(done_at__isnull=True) & ~models.Q(task=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title
