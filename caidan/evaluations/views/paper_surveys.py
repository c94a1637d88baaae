"""Paper survey slips (纸质答卷, issue 21): download the survey's Excel template, upload the
typed-in slips; every bad row is listed and nothing is written until all rows pass."""

from __future__ import annotations

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.errors import form_add_error
from caidan.common.perms import Perm
from caidan.common.xlsx import XLSX_MIME
from caidan.web.ui import attempt_refusal, domain_errors

from .. import selectors
from ..services.paper_surveys import paper_columns, survey_paper_import, survey_paper_template


class PaperImportForm(djforms.Form):
    file = djforms.FileField(
        label=_("纸质答卷 Excel 文件（.xlsx）"),
        widget=djforms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _survey(request, survey_id: int):
    survey = selectors.survey_get(pk=survey_id)
    require(request.actor, Perm.EVALUATIONS_IMPORT_PAPER_SURVEYS, survey.contract)
    return survey


@login_required
@domain_errors
def survey_paper(request, survey_id: int):
    survey = _survey(request, survey_id)
    form = PaperImportForm(request.POST or None, request.FILES or None)
    errors: list[dict] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        result, refusal = attempt_refusal(
            lambda: survey_paper_import(
                survey=survey, file=form.cleaned_data["file"], actor=request.actor
            )
        )
        if refusal is not None:
            errors = refusal.detail.get("errors", [])
            if not errors:
                form_add_error(form, refusal)
            messages.error(request, refusal.message)
            status = refusal.status_code
        else:
            messages.success(
                request,
                _("已导入 %(count)s 份纸质答卷，已计入调查结果。") % {"count": result.imported},
            )
            return redirect("evaluations:survey_paper", survey_id=survey.pk)
    return render(
        request,
        "evaluations/survey_paper.html",
        {
            "survey": survey,
            "form": form,
            "errors": errors,
            "columns": [h for h, _q in paper_columns(survey)],
            "counts": selectors.survey_paper_counts(survey),
        },
        status=status,
    )


@login_required
@domain_errors
def survey_paper_template_download(request, survey_id: int):
    survey = _survey(request, survey_id)
    response = HttpResponse(
        survey_paper_template(survey=survey, actor=request.actor), content_type=XLSX_MIME
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"纸质答卷模板-{survey.title}.xlsx"
    )
    return response


@login_required
@domain_errors
def paper_survey_list(request):
    """The open surveys a purchaser or community worker may type paper slips into: contracts
    of their unit and below, newest first (at most 100)."""
    require(request.actor, Perm.EVALUATIONS_IMPORT_PAPER_SURVEYS)
    return render(
        request,
        "evaluations/survey_paper_list.html",
        {"surveys": selectors.surveys_open_for_paper(actor=request.actor)},
    )
