"""The download response, shared by the web view and the API."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import NotFound
from caidan.documents.codes import Code

from .models import Document


def document_file_response(document: Document) -> FileResponse:
    """Stream the stored file as an attachment under its original name (RFC 6266 /
    RFC 5987: ``filename*=utf-8''…`` for non-ASCII names such as Chinese ones)."""
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise NotFound(_("文件内容已丢失，请联系平台管理员。"), code=Code.FILE_MISSING) from None
    content_type = document.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=content_type,
    )
    # Never rendered by the browser as a page of ours, even if opened inline.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    if not document.is_public:
        response["Cache-Control"] = "private, no-store"
    return response
