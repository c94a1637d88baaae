"""Paper survey slips (纸质答卷, issue 21): the Excel template and the all-or-nothing import
(400 with ``detail.errors`` naming each bad row and column)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Schema, Status
from ninja.files import UploadedFile

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS
from caidan.common.xlsx import XLSX_MIME

from .. import selectors
from ..services.paper_surveys import survey_paper_import, survey_paper_template
from .routing import router


def _survey(actor, survey_id: int):
    survey = selectors.survey_get(pk=survey_id)
    require(actor, Perm.EVALUATIONS_IMPORT_PAPER_SURVEYS, survey.contract)
    return survey


@router.get(
    "/surveys/{survey_id}/paper/template.xlsx",
    summary="纸质答卷的 Excel 模板（购买方、社区工作者）",
)
def paper_template(request, survey_id: int):
    survey = _survey(request.auth, survey_id)
    response = HttpResponse(
        survey_paper_template(survey=survey, actor=request.auth), content_type=XLSX_MIME
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"纸质答卷模板-{survey.pk}.xlsx"
    )
    return response


class PaperImportOut(Schema):
    survey_id: int
    imported: int
    paper: int
    total: int


@router.post(
    "/surveys/{survey_id}/paper",
    response={201: PaperImportOut, **ERRORS},
    summary="导入纸质答卷（全部通过才写入；400 时 detail.errors 列出每一行的问题）",
)
def paper_import(request, survey_id: int, file: File[UploadedFile]):
    survey = _survey(request.auth, survey_id)
    result = survey_paper_import(survey=survey, file=file, actor=request.auth)
    counts = selectors.survey_paper_counts(survey)
    return Status(201, {"survey_id": survey.pk, "imported": result.imported, **counts})
