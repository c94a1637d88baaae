"""The append-only, hash-chained audit log (审计日志).

Every service writes one ``AuditEvent`` inside its own transaction. Each event stores the
hash of its predecessor and its own hash over a canonical serialisation of its fields, so
an edited, deleted or reordered row breaks the chain, which ``manage.py audit_verify``
detects. On PostgreSQL a trigger refuses UPDATE and DELETE on the table outright.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .kinds import EventKind


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("序号"), unique=True)
    # No ``choices`` here: kinds grow with every capability, validated by ``audit_record``.
    kind = models.CharField(_("事件类型"), max_length=64)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=200, blank=True)
    actor_role = models.CharField(_("操作角色"), max_length=64, blank=True)
    target_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象名称"), max_length=300, blank=True)
    old = models.JSONField(_("原值"), null=True, blank=True)
    new = models.JSONField(_("新值"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=128)
    hash = models.CharField(_("本事件哈希"), max_length=128, unique=True)
    hash_alg = models.CharField(_("哈希算法"), max_length=16)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["kind", "-seq"], name="audit_kind_seq"),
            models.Index(fields=["target_type", "target_id", "-seq"], name="audit_target_seq"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_seq"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.target_label or self.target_id}"

    def get_kind_display(self) -> str:
        try:
            return str(EventKind(self.kind).label)
        except ValueError:
            return self.kind


class AuditChainHead(models.Model):
    """A single row holding the newest event's number and hash; appenders lock it so the
    chain never forks, and ``audit_verify`` compares it with the last row to detect a
    deleted tail."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=128)
    hash_alg = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditAnchor(models.Model):
    """A signed statement "on ``at``, the chain's newest event was #``seq`` with ``hash``",
    published daily on the portal (``/open/audit-anchors/``) so that outsiders keep copies
    the database cannot rewrite. The signature (Ed25519, key ``AUDIT_ANCHOR_KEY`` from the
    environment) is over ``caidan.audit.anchors.signed_bytes``. This table is only the
    publisher's copy: ``audit_verify --anchors`` checks the chain against an outside copy."""

    day = models.DateField(_("锚定日期"), unique=True)
    seq = models.BigIntegerField(_("链头事件序号"))
    hash = models.CharField(_("链头事件哈希"), max_length=128)
    hash_alg = models.CharField(_("哈希算法"), max_length=16, blank=True)
    at = models.DateTimeField(_("锚定时间"))
    key_id = models.CharField(_("签名密钥编号"), max_length=64)
    signature = models.CharField(_("签名"), max_length=200)

    class Meta:
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"anchor {self.day} #{self.seq}"
