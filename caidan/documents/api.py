"""API: upload a document, read its metadata, download it, list my uploads."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile

from caidan.common.i18n import source
from caidan.common.schemas import ERRORS, PageOut, page_response

from . import selectors, services
from .responses import document_file_response

router = Router(tags=["documents 文件"])


class DocumentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    description: str
    is_public: bool
    target_type: str
    target_id: str
    uploaded_at: dt.datetime
    uploaded_by: str
    download_url: str


class AttachmentOut(Schema):
    """A document as attached to another record (a tender's files, a report's
    statements): no uploader, no storage details; ``url`` is where this caller downloads it."""

    id: int
    name: str
    size: int
    content_type: str
    description: str
    uploaded_at: dt.datetime
    url: str


def attachment_out(d, *, url: str) -> dict:
    return {
        "id": d.pk,
        "name": d.original_name,
        "size": d.size,
        "content_type": d.content_type,
        "description": d.description,
        "uploaded_at": d.uploaded_at,
        "url": url,
    }


def out(d) -> dict:
    return {
        "id": d.pk,
        "name": d.original_name,
        "size": d.size,
        "sha256": d.sha256,
        "content_type": d.content_type,
        "description": d.description,
        "is_public": d.is_public,
        "target_type": d.target_type,
        "target_id": d.target_id,
        "uploaded_at": d.uploaded_at,
        "uploaded_by": d.uploaded_by.get_full_name(),
        "download_url": reverse("api:document_download", kwargs={"document_id": d.pk}),
    }


@router.post(
    "",
    response={201: DocumentOut, **ERRORS},
    summary="上传文件",
    description=(
        "multipart/form-data 上传。允许：" + source(services.ALLOWED_TYPES_TEXT) + "；"
        "类型同时按扩展名和文件内容（文件头）检查，大小上限见 DOCUMENT_MAX_BYTES。"
        "关联对象（target_type/target_id）须是已登记可添加附件的类型，且调用者须有修改该对象的"
        "权限；设为公开须是该对象所属方的角色。有专用上传接口的对象（采购文件、履约报告附件、"
        "门户公告附件）须使用其专用接口。"
    ),
)
def upload(
    request,
    file: File[UploadedFile],
    description: Form[str] = "",
    is_public: Form[bool] = False,
    target_type: Form[str] = "",
    target_id: Form[str] = "",
):
    document = services.document_upload(
        file=file,
        actor=request.auth,
        description=description,
        is_public=is_public,
        target_type=target_type,
        target_id=target_id,
        generic=True,
    )
    return Status(201, out(document))


@router.get("", response={200: PageOut[DocumentOut], **ERRORS}, summary="我上传的文件")
def list_mine(request, cursor: str | None = None, limit: int = 20):
    page = selectors.document_list_mine(actor=request.auth, cursor=cursor, limit=limit)
    return page_response(page, out)


@router.get("/{document_id}", response={200: DocumentOut, **ERRORS}, summary="文件信息")
def detail(request, document_id: int):
    return out(selectors.document_get_for(actor=request.auth, document_id=document_id))


def _download_actor(request):
    """Anonymous callers may fetch public documents (see ``caidan.accounts.api_auth.optional_actor``)."""
    from caidan.accounts.api_auth import optional_actor

    return optional_actor(request)


@router.get(
    "/{document_id}/download",
    response={**ERRORS},
    auth=None,
    url_name="document_download",
    summary="下载文件",
    description="公开文件无需登录；非公开文件仅上传人和平台管理员可下载。",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容（附件）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download(request, document_id: int):
    document = selectors.document_get_for(actor=_download_actor(request), document_id=document_id)
    return document_file_response(document)
