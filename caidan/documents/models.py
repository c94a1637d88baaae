"""Uploaded files (PDF, Word, Excel, images, text), stored through Django's storage API.

The bytes live in the default storage (local disk, or an S3-compatible bucket when
``STORAGE_BACKEND=s3``) under ``documents/<year>/<month>/<uuid>.<ext>``; the name the
person gave the file is kept only in the database and used for downloads. A document may
be attached to any object of a later app through ``target_type`` ("projects.proposal")
and ``target_id``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def document_upload_to(instance: Document, filename: str) -> str:
    """``documents/%Y/%m/<uuid>.<ext>``: never the uploader's file name on disk."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    now = timezone.localtime()
    name = uuid.uuid4().hex + (f".{ext}" if ext.isalnum() else "")
    return f"documents/{now:%Y}/{now:%m}/{name}"


class Document(models.Model):
    """One uploaded file, checked on the way in (type by extension and content, size)."""

    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    is_public = models.BooleanField(_("公开"), default=False)
    target_type = models.CharField(
        _("关联对象类型"), max_length=100, blank=True, help_text="例如 projects.proposal"
    )
    target_id = models.CharField(_("关联对象编号"), max_length=64, blank=True)
    description = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="document_target"),
            models.Index(fields=["uploaded_by", "-id"], name="document_uploader_id"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return PurePosixPath(self.original_name).suffix.lower().lstrip(".")
