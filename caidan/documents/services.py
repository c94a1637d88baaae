"""Uploading documents: every file is checked (type by extension *and* content, size,
encoding for text) before a byte is stored, and every upload is audited."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import NotAuthenticated, ValidationError, field_error
from caidan.common.permissions import require
from caidan.common.perms import Perm

from .models import Document
from .targets import attach_check


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    magic: tuple[bytes, ...] = ()  # the file must start with one of these
    text: bool = False  # UTF-8 text without NUL bytes instead of a signature


_PDF = FileKind("PDF", "application/pdf", (b"%PDF-",))
_DOCX = FileKind(
    "Word（.docx）",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (b"PK\x03\x04",),
)
_XLSX = FileKind(
    "Excel（.xlsx）",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (b"PK\x03\x04",),
)
_JPEG = FileKind("JPEG 图片", "image/jpeg", (b"\xff\xd8\xff",))
_PNG = FileKind("PNG 图片", "image/png", (b"\x89PNG",))
_TXT = FileKind("文本", "text/plain", text=True)
_CSV = FileKind("CSV 表格", "text/csv", text=True)

ALLOWED_KINDS: dict[str, FileKind] = {
    "pdf": _PDF,
    "docx": _DOCX,
    "xlsx": _XLSX,
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "png": _PNG,
    "txt": _TXT,
    "csv": _CSV,
}
ALLOWED_TYPES_TEXT = _(
    "PDF、Word（.docx）、Excel（.xlsx）、图片（.jpg、.jpeg、.png）、UTF-8 文本（.txt、.csv）"
)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_KINDS)

MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 500
_TARGET_TYPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def human_size(size: int) -> str:
    """``1536`` → ``1.5 KB``; for messages (binary units, as file managers show)."""
    if size < 1024:
        return _("%(size)s 字节") % {"size": size}
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}".replace(".0 ", " ")
    raise AssertionError("unreachable")


def clean_file_name(name: str | None) -> str:
    """The name to show and offer on download: no directories, no control characters,
    at most 255 characters (the extension is kept when shortening)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) < 16:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def file_extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def _file_error(message: str, code: str) -> ValidationError:
    return field_error("file", message, code=code)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    kind: FileKind
    size: int
    sha256: str


def document_check_file(file: Any) -> CheckedFile:
    """Refuse a file that is empty, too large, of a type not allowed, or whose content
    does not match its extension. Reads the file once (hash computed on the way)."""
    if file is None:
        raise _file_error(_("请选择要上传的文件。"), "required")
    name = clean_file_name(getattr(file, "name", ""))
    ext = file_extension(name)
    if not ext:
        raise _file_error(
            _("无法识别文件类型：文件名“%(value)s”没有扩展名。仅允许：%(ALLOWED_TYPES_TEXT)s。")
            % {"value": name or _("（空）"), "ALLOWED_TYPES_TEXT": ALLOWED_TYPES_TEXT},
            "file_type_not_allowed",
        )
    kind = ALLOWED_KINDS.get(ext)
    if kind is None:
        raise _file_error(
            _("文件类型 .%(ext)s 不允许，仅允许：%(ALLOWED_TYPES_TEXT)s。")
            % {"ext": ext, "ALLOWED_TYPES_TEXT": ALLOWED_TYPES_TEXT},
            "file_type_not_allowed",
        )
    limit = settings.DOCUMENT_MAX_BYTES
    declared = getattr(file, "size", None)
    if declared == 0:
        raise _file_error(_("文件是空的（0 字节），请选择有内容的文件。"), "file_empty")
    if declared is not None and declared > limit:
        raise _file_error(
            _("文件大小 %(human_size)s 超过上限 %(human_size_2)s。")
            % {"human_size": human_size(declared), "human_size_2": human_size(limit)},
            "file_too_large",
        )

    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if kind.text else None
    head = b""
    size = 0
    for chunk in file.chunks():
        size += len(chunk)
        if size > limit:
            raise _file_error(
                _("文件大小超过上限 %(human_size)s。") % {"human_size": human_size(limit)},
                "file_too_large",
            )
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
        if decoder is not None:
            if b"\x00" in chunk:
                raise _file_error(
                    _("文本文件（.%(ext)s）不能包含空字符（NUL），它看起来是二进制文件。")
                    % {"ext": ext},
                    "file_content_mismatch",
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise _file_error(
                    _("文本文件（.%(ext)s）必须使用 UTF-8 编码，请另存为 UTF-8 后重新上传。")
                    % {"ext": ext},
                    "file_not_utf8",
                ) from None
    if size == 0:
        raise _file_error(_("文件是空的（0 字节），请选择有内容的文件。"), "file_empty")
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _file_error(
                _("文本文件（.%(ext)s）必须使用 UTF-8 编码，请另存为 UTF-8 后重新上传。")
                % {"ext": ext},
                "file_not_utf8",
            ) from None
    if kind.magic and not head.startswith(kind.magic):
        raise _file_error(
            _(
                "文件内容与扩展名 .%(ext)s 不符：它不是有效的 %(kind)s 文件。"
                "请勿修改文件扩展名，仅允许：%(types)s。"
            )
            % {"ext": ext, "kind": kind.label, "types": ALLOWED_TYPES_TEXT},
            "file_content_mismatch",
        )
    file.seek(0)
    return CheckedFile(name=name, extension=ext, kind=kind, size=size, sha256=digest.hexdigest())


def _check_fields(*, description: str, target_type: str, target_id: str) -> None:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise field_error(
            "description",
            _("说明不能超过 %(MAX_DESCRIPTION_LENGTH)s 个字符。")
            % {"MAX_DESCRIPTION_LENGTH": MAX_DESCRIPTION_LENGTH},
        )
    if bool(target_type) != bool(target_id):
        raise field_error(
            "target_type" if not target_type else "target_id",
            _("关联对象的类型和编号须同时填写（或都不填）。"),
        )
    if target_type and not _TARGET_TYPE.match(target_type):
        raise field_error(
            "target_type", _("关联对象类型应为“应用.模型”的形式，例如 projects.proposal。")
        )
    if len(target_id) > 64:
        raise field_error("target_id", _("关联对象编号不能超过 64 个字符。"))


def document_upload(
    *,
    file: Any,
    actor: Actor,
    description: str = "",
    is_public: bool = False,
    target_type: str = "",
    target_id: str = "",
    generic: bool = False,
) -> Document:
    """Check and store one uploaded file for ``actor``; record it in the audit log.

    ``file`` is a Django ``UploadedFile`` (or any ``File`` with a name). Refused files
    raise ``ValidationError`` naming the field ``file`` and leave nothing behind.

    A document attached to a record (``target_type``/``target_id``) passes
    ``targets.attach_check`` whichever route it came through: the record type must be
    registered, the actor must hold the permission that changing the record needs, and
    only the record owner's roles may mark it public. ``generic`` (the generic upload
    routes) also refuses record types that have their own attachment route.
    """
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录后再上传文件。"))
    require(actor, Perm.DOCUMENTS_UPLOAD)
    description = (description or "").strip()
    target_type = (target_type or "").strip()
    target_id = str(target_id or "").strip()
    _check_fields(description=description, target_type=target_type, target_id=target_id)
    if target_type:
        attach_check(
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            is_public=bool(is_public),
            generic=generic,
        )
    checked = document_check_file(file)

    document = Document(
        original_name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor.user,
        is_public=bool(is_public),
        target_type=target_type,
        target_id=target_id,
        description=description,
    )
    # The bytes go to storage before the transaction opens (a slow upload to an object
    # store must not hold the database's write lock); they are removed if it fails.
    document.file.save(f"upload.{checked.extension}", file, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                kind=EventKind.DOCUMENT_UPLOADED,
                actor=actor,
                target=document,
                new={
                    "name": document.original_name,
                    "size": document.size,
                    "sha256": document.sha256,
                    "content_type": document.content_type,
                    "is_public": document.is_public,
                    "target_type": document.target_type,
                    "target_id": document.target_id,
                },
            )
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    return document
