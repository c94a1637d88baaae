"""Reports: the provider submits them (with the fund-usage statement, the financial
statements attached), the purchaser reviews them; contents and files are for the two
parties, the platform admin and auditors."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Schema, Status, UploadedFile

from caidan.accounts.permissions import require
from caidan.common.errors import NotFound, field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS
from caidan.documents.api import AttachmentOut

from .. import selectors, services
from ..inputs import ReportInput
from ..models import Report
from .routing import router
from .schemas import ReportDetailOut, attachment_out, report_detail_seen


def _report_for_insider(actor, report_id: int) -> Report:
    """A report of a contract the actor may see; 403 unless a party, admin or auditor."""
    report = selectors.report_find(pk=report_id, actor=actor)
    if not selectors.sees_full_contract(actor, report.contract):
        require(actor, Perm.CONTRACTS_OVERSEE, report.contract)  # raises the usual 401 / 403
    return report


def _detail(actor, report_id: int):
    return report_detail_seen(selectors.report_find(pk=report_id, actor=actor))


@router.get(
    "/reports/{report_id}",
    response={200: ReportDetailOut, **ERRORS},
    summary="报告全文与附件（甲乙双方、平台管理员、审计）",
)
def get_report(request, report_id: int):
    return report_detail_seen(_report_for_insider(request.auth, report_id))


class FundLineIn(Schema):
    line: str = ""
    budget: Any = ""  # a decimal string ("400000.00") or an integer; floats are refused
    spent: Any = ""


class PartOutputIn(Schema):
    part: int  # a ContractPart id (GET /contracts/{id}/parts)
    output: str = ""


class ReportSubmitIn(Schema):
    summary: str = ""
    fund_lines: list[FundLineIn] | None = None
    # a hub bundle's contract: what each member delivered, every part once (issue 21)
    part_outputs: list[PartOutputIn] | None = None


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportDetailOut, **ERRORS},
    summary="提交报告（中期报告须附资金使用情况，结项报告须先上传财务报表）",
)
def submit_report(request, report_id: int, payload: ReportSubmitIn):
    actor = request.auth
    services.report_submit(
        report=selectors.report_find(pk=report_id, actor=actor),
        actor=actor,
        data=ReportInput.parse(payload.dict()),
    )
    return _detail(actor, report_id)


class ReviewIn(Schema):
    accept: bool
    comment: str = ""


@router.post(
    "/reports/{report_id}/review",
    response={200: ReportDetailOut, **ERRORS},
    summary="审核报告（通过，或写明意见退回修改）",
)
def review_report(request, report_id: int, payload: ReviewIn):
    actor = request.auth
    services.report_review(
        report=selectors.report_find(pk=report_id, actor=actor),
        accept=payload.accept,
        comment=payload.comment,
        actor=actor,
    )
    return _detail(actor, report_id)


@router.post(
    "/reports/{report_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="为报告上传附件（财务报表、活动记录等）",
    description="multipart/form-data：file（文件）、description（说明）。附件不公开。",
)
def attach_to_report(
    request,
    report_id: int,
    file: File[UploadedFile] = None,
    description: Form[str] = "",
):
    actor = request.auth
    report = selectors.report_find(pk=report_id, actor=actor)
    require(actor, Perm.CONTRACTS_PERFORM, report.contract)
    if file is None:
        raise field_error("file", _("请选择要上传的文件。"))
    document = services.report_attach(
        report=report, file=file, description=description, actor=actor
    )
    return Status(201, attachment_out(document))


@router.get(
    "/reports/{report_id}/attachments/{document_id}",
    response={**ERRORS},
    url_name="contract_report_attachment",
    summary="下载报告附件（甲乙双方、平台管理员、审计）",
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
def download_attachment(request, report_id: int, document_id: int):
    from caidan.documents.responses import document_file_response

    report = _report_for_insider(request.auth, report_id)
    document = selectors.report_document_find(report=report, document_id=document_id)
    if document is None:
        raise NotFound(_("附件不存在。"))
    return document_file_response(document)
