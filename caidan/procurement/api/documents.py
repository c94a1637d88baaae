"""A tender's documents: the purchaser attaches public files (after publication, as an
amendment)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Status, UploadedFile

from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS
from caidan.documents.api import AttachmentOut

from .. import services
from .routing import router, tender_for
from .schemas import document_out


@router.post(
    "/tenders/{tender_id}/documents",
    response={201: AttachmentOut, **ERRORS},
    summary="附加采购文件（公告后即为澄清修改）",
    description=(
        "multipart/form-data：file（文件）、description（说明）。文件公开，任何人可下载；"
        "公告发布后附加的文件同时发布澄清修改公告，距截止不足 15 日的依法顺延截止时间。"
    ),
)
def add_document(
    request,
    tender_id: int,
    file: File[UploadedFile] = None,
    description: Form[str] = "",
):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    if file is None:
        raise field_error("file", _("请选择要上传的文件。"))
    document = services.tender_document_add(
        tender=tender, file=file, description=description, actor=actor
    )
    return Status(201, document_out(document))
