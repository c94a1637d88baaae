"""Evaluations: the public results, one evaluation with its indicators and the report PDF;
the evaluator's tasks, scoring and publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role
from caidan.accounts.permissions import can, require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_refusal, domain_errors

from .. import forms, selectors, services
from ..affordances import evaluation_affordances
from ..inputs import ScoresInput, SubjectWaiverInput
from ..models import Grade
from ..services import waivers
from ..services.evaluations import contract_facts
from .helpers import evaluation_for, query_without_cursor


@domain_errors
def evaluation_list(request):
    form = forms.ResultFilter(request.GET or None)
    stage = grade = search = ""
    if form.is_valid():
        d = form.cleaned_data
        stage, grade, search = d["stage"], d["grade"], d["q"]
    page = selectors.published_evaluations(
        stage=stage, grade=grade, search=search, cursor=request.GET.get("cursor") or None
    )
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "page": page,
            "form": form,
            "query": query_without_cursor(request),
            "evaluator": request.actor.has_role(Role.EVALUATOR),
        },
    )


@domain_errors
def evaluation_detail(request, pk: int):
    actor = request.actor
    e = evaluation_for(request, pk)
    c = e.contract
    published = e.is_public
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "e": e,
            "c": c,
            "published": published,
            "rows": selectors.indicator_rows(e),
            "subjects": selectors.subject_rows(e) if published else [],
            "appointment": selectors.appointment_of(c),
            "hearings": selectors.hearings_of(c),
            "evaluating": evaluation_affordances(actor, e).score,
            "commissioning": can(actor, Perm.EVALUATIONS_COMMISSION, c),
            "waivers": waivers.waiver_rows(e),
            "has_parts": c.parts.exists(),
            "part_results": selectors.part_results_of(e)
            if published or can(actor, Perm.EVALUATIONS_EVALUATE, c)
            else [],
        },
    )


@domain_errors
def evaluation_report(request, pk: int):
    """The published evaluation report as a PDF (public)."""
    from ..pdf import evaluation_pdf

    e = evaluation_for(request, pk)
    if not e.is_public:
        raise Http404
    response = HttpResponse(evaluation_pdf(e), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{e.contract.reference}-{e.stage}-report.pdf"'
    )
    return response


# --- the evaluator ------------------------------------------------------------------------------


@login_required
@domain_errors
def my_evaluations(request):
    actor = request.actor
    require(actor, Perm.EVALUATIONS_EVALUATE)
    return render(
        request,
        "evaluations/mine.html",
        {
            "tasks": selectors.evaluator_tasks(actor),
            "unscheduled": selectors.evaluator_contracts_unscheduled(actor),
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def evaluation_score(request, pk: int):
    actor = request.actor
    e = evaluation_for(request, pk)
    require(actor, Perm.EVALUATIONS_EVALUATE, e.contract)
    if not evaluation_affordances(actor, e).score:
        messages.info(request, _("评价结果已公布，不能再修改。"))
        return redirect("evaluations:detail", pk=e.pk)
    rows = selectors.indicator_rows(e)
    form = forms.ScoreForm(request.POST or None, rows=rows, initial={"summary": e.summary})
    if request.method == "POST" and form.is_valid():
        scored, refusal = attempt_refusal(
            lambda: services.evaluation_score(
                evaluation=e,
                actor=actor,
                data=ScoresInput.parse(scores=form.scores(), summary=form.cleaned_data["summary"]),
            )
        )
        if refusal is None:
            messages.success(request, _("评分已保存。全部指标评分并填写评价结论后即可公布。"))
            return redirect("evaluations:score", pk=e.pk)
        forms.add_domain_error(form, refusal, aliases=form.error_aliases())
    return render(
        request,
        "evaluations/score.html",
        {
            "e": e,
            "c": e.contract,
            "form": form,
            "rows": rows,
            "missing": [r for r in rows if r["missing"]],
        },
    )


@login_required
@domain_errors
def evaluation_publish(request, pk: int):
    """A confirmation showing the total and grade that will be published (or what is
    missing); publishing is irreversible and takes effect at once."""
    actor = request.actor
    e = evaluation_for(request, pk)
    may = evaluation_affordances(actor, e)
    if not (may.publish or may.purchaser_score):
        # the evaluator publishes; the purchaser sees what is missing and may waive
        if may.open:
            require(actor, Perm.EVALUATIONS_EVALUATE, e.contract)
        messages.info(request, _("评价结果已公布。"))
        return redirect("evaluations:detail", pk=e.pk)
    error = None
    if request.method == "POST":
        require(actor, Perm.EVALUATIONS_EVALUATE, e.contract)
        published, error = attempt(lambda: services.evaluation_publish(evaluation=e, actor=actor))
        if error is None:
            messages.success(
                request,
                _("%(stage)s结果已公布：综合得分 %(total)s，等级“%(grade)s”。")
                % {
                    "stage": published.get_stage_display(),
                    "total": published.total,
                    "grade": published.get_grade_display(),
                },
            )
            return redirect("evaluations:detail", pk=published.pk)
    outcome = selectors.publication_preview(e)
    preview = outcome["preview"]
    missing_subjects = waivers.missing_subjects(e, contract_facts(e.contract))
    facts = [
        (_("项目"), e.contract.title),
        (_("承接主体"), e.contract.organization.name),
        (_("评价阶段"), e.get_stage_display()),
    ]
    if preview:
        facts += [
            (_("第三方指标得分"), preview["evaluator_score"]),
            (_("综合得分"), preview["total"]),
            (_("等级"), Grade(preview["grade"]).label),
        ]
    return render(
        request,
        "evaluations/publish.html",
        {
            "e": e,
            "c": e.contract,
            "facts": facts,
            "preview": preview,
            "subjects": outcome["subjects"],
            "reasons": outcome["reasons"],
            "missing": outcome["missing"],
            "error": error,
            "missing_subjects": missing_subjects,
            "waivers": waivers.waiver_rows(e),
            "can_publish": may.publish,
            "can_waive": may.purchaser_score,
            "can_submit": may.publish
            and preview is not None
            and not outcome["reasons"]
            and not missing_subjects,
        },
    )


@require_POST
@login_required
@domain_errors
def evaluation_waive(request, pk: int):
    """The purchaser records the waiver of one subject (confirmed on the page) and its
    reason; back on the publication page, which lists what is still missing."""
    actor = request.actor
    e = evaluation_for(request, pk)
    require(actor, Perm.EVALUATIONS_COMMISSION, e.contract)
    subject = request.POST.get("subject", "")
    _result, error = attempt(
        lambda: services.evaluation_subject_waive(
            evaluation=e,
            data=SubjectWaiverInput.parse(subject=subject, reason=request.POST.get("reason", "")),
            actor=actor,
        )
    )
    if error is None:
        messages.success(
            request,
            _("已记录免评：%(subject)s。") % {"subject": waivers.SUBJECT_LABELS.get(subject, "")},
        )
    else:
        messages.error(request, error)
    return redirect("evaluations:publish", pk=e.pk)
