"""Report pages: the provider submits a report (summary, fund-usage lines) and attaches files;
the purchaser reviews it. Both parties, the platform admin and auditors read them. What the
reader may do comes from ``report_affordances``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import can, require
from caidan.common.errors import NotFound
from caidan.common.perms import Perm
from caidan.documents.forms import DocumentUploadForm
from caidan.documents.responses import document_file_response
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from .. import forms, selectors, services
from ..affordances import contract_affordances, report_affordances
from ..inputs import ReportInput
from ..services.reports import fund_lines_start, fund_totals
from .helpers import require_full


def _upload_form(*args) -> DocumentUploadForm:
    form = DocumentUploadForm(*args)
    del form.fields["is_public"]  # report attachments are never public
    return form


@login_required
@domain_errors
def report_list(request, pk: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require_full(actor, c)
    return render(
        request,
        "contracts/report_list.html",
        {
            "c": c,
            "reports": selectors.reports_of(c),
            "performing": can(actor, Perm.CONTRACTS_PERFORM, c),
        },
    )


def _report_page(request, c, report, *, form=None, upload_form=None, review_form=None):
    actor = request.actor
    documents = list(selectors.report_documents_for(report, actor=actor))
    on_contract = contract_affordances(actor, c)
    may = report_affordances(on_contract, report, has_files=bool(documents))
    if may.submit and form is None:
        parts = selectors.parts_of(c)
        form = forms.ReportForm(
            initial={
                "summary": report.summary,
                "fund_lines": fund_lines_start(report),
                # a hub bundle: one row per member's part, as last reported (issue 21)
                "part_outputs": [
                    {"part": str(o["part"]), "output": o["output"]} for o in report.part_outputs
                ]
                or [{"part": str(p.pk), "output": ""} for p in parts],
            },
            parts=parts,
        )
    if may.attach and upload_form is None and not may.submit:
        upload_form = _upload_form()  # attaching to a submitted report: no report form
    if may.review and review_form is None:
        review_form = forms.ReviewForm()
    return render(
        request,
        "contracts/report_detail.html",
        {
            "c": c,
            "r": report,
            "form": form if may.submit else None,
            "upload_form": upload_form if on_contract.perform and not may.submit else None,
            "review_form": review_form if on_contract.manage else None,
            "documents": documents,
            "totals": fund_totals(report.fund_lines) if report.fund_lines else None,
            "performing": on_contract.perform,
            "needs_lines": may.needs_fund_lines,
            # The reminder only while it is still to be done: the provider has yet to attach
            # the financial statements of a final report it may still submit.
            "needs_files": may.needs_statements,
        },
    )


@login_required
@domain_errors
def report_detail(request, pk: int, report_id: int):
    """The report; the provider submits it here (POST), the purchaser reviews it."""
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require_full(actor, c)
    report = selectors.report_get(contract=c, pk=report_id)
    if request.method != "POST":
        return _report_page(request, c, report)
    require(actor, Perm.CONTRACTS_PERFORM, c)
    # One form: 上传附件 (action=attach) attaches the file and shows the page again with the
    # report as typed; 提交报告 attaches the file chosen, if any, and submits.
    attaching = request.POST.get("action") == "attach"
    parts = selectors.parts_of(c)
    form = forms.ReportForm(request.POST, request.FILES, attaching=attaching, parts=parts)
    if not form.is_valid():
        return _report_page(request, c, report, form=form)
    d = form.cleaned_data
    if d["file"] is not None:  # attached first: it stays even if the report is refused
        document, error = attempt(
            lambda: services.report_attach(
                report=report, file=d["file"], description=d["description"], actor=actor
            ),
            form=form,
        )
        if error is not None:
            return _report_page(request, c, report, form=form)
        messages.success(request, _("已上传附件“%(name)s”。") % {"name": document.original_name})
    # The form again as typed, the file field blank for the next file.
    typed = {
        "summary": d["summary"],
        "fund_lines": d["fund_lines"],
        "part_outputs": d.get("part_outputs") or [],
    }
    if attaching:
        messages.info(request, _("报告尚未提交：检查无误后请点击“提交报告”。"))
        return _report_page(request, c, report, form=forms.ReportForm(initial=typed, parts=parts))
    submitted, refusal = attempt_refusal(
        lambda: services.report_submit(
            report=report, actor=actor, data=ReportInput.parse(form.report_data())
        ),
        form=form,
    )
    if refusal is None:
        messages.success(request, _("报告已提交，等待购买主体审核。"))
        return redirect("contracts:report", pk=c.pk, report_id=report.pk)
    return _report_page(request, c, report, form=form)


@require_POST
@login_required
@domain_errors
def report_attach(request, pk: int, report_id: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_PERFORM, c)
    report = selectors.report_get(contract=c, pk=report_id)
    upload_form = _upload_form(request.POST, request.FILES)
    if upload_form.is_valid():
        document, error = attempt(
            lambda: services.report_attach(
                report=report,
                file=upload_form.cleaned_data["file"],
                description=upload_form.cleaned_data["description"],
                actor=actor,
            ),
            form=upload_form,
        )
        if error is None:
            messages.success(
                request, _("已上传附件“%(name)s”。") % {"name": document.original_name}
            )
            return redirect("contracts:report", pk=c.pk, report_id=report.pk)
    return _report_page(request, c, report, upload_form=upload_form)


@require_POST
@login_required
@domain_errors
def report_review(request, pk: int, report_id: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    report = selectors.report_get(contract=c, pk=report_id)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"]
        error = attempt_error(
            lambda: services.report_review(
                report=report, accept=accept, comment=form.cleaned_data["comment"], actor=actor
            ),
            form=form,
        )
        if error is None:
            if accept:
                messages.success(request, _("报告已审核通过。"))
            else:
                messages.success(request, _("报告已退回修改，承接主体将看到审核意见。"))
            return redirect("contracts:report", pk=c.pk, report_id=report.pk)
    return _report_page(request, c, report, review_form=form)


@login_required
@domain_errors
def report_file(request, pk: int, report_id: int, document_id: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require_full(actor, c)
    report = selectors.report_get(contract=c, pk=report_id)
    document = selectors.report_document_find(report=report, document_id=document_id)
    if document is None:
        raise NotFound(_("找不到该文件。"))
    return document_file_response(document)
