"""A contract's evaluation page: everything about its evaluation for the public (the
evaluator, the published results, the hearings) and, for those who work on it, the rest; the
purchaser appoints the evaluator, schedules the stages and gives its own score here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, domain_errors

from .. import forms, selectors, selectors_audit, services
from ..affordances import evaluation_affordances, evaluation_work_affordances, finding_affordances
from ..inputs import PurchaserScoreInput
from .helpers import contract_for, evaluation_for


def contract_page(request, c, **bound):
    """The contract's evaluation page. ``bound`` holds a re-rendered bound form (and, for a
    per-row form, the row it belongs to)."""
    actor = request.actor
    evaluations = selectors.evaluations_of(c)
    a = evaluation_work_affordances(actor, c, evaluations=evaluations)
    if not a.see_work:
        evaluations = [e for e in evaluations if e.is_public]
    framework = selectors.framework_of(c) if a.see_work else None
    hearings = selectors.hearings_of(c)
    findings = selectors_audit.findings_of_contract(c) if a.see_work else []
    context = {
        "c": c,
        "a": a,
        "appointment": a.appointment,
        "framework": framework,
        "adjust_framework": a.adjust_framework(framework),
        "evaluations": evaluations,
        "hearings": hearings,
        "surveys": selectors.surveys_of(c) if a.see_work else [],
        "findings": findings,
        "finding_rows": [(f, finding_affordances(actor, f)) for f in findings],
        "today": timezone.localdate(),
    }
    may = {e.pk: evaluation_affordances(actor, e) for e in evaluations}
    if a.commission_work:
        appoint_form = bound.get("appoint_form")
        if appoint_form is None and a.appoint:
            appoint_form = forms.AppointForm(
                organizations=selectors.evaluator_organizations(),
                initial={"organization": a.appointment.organization_id if a.appointment else None},
            )
        schedule_form = bound.get("schedule_form")
        if schedule_form is None and a.schedule:
            schedule_form = forms.ScheduleForm(scheduled=a.scheduled)
        context.update(
            {
                "appoint_form": appoint_form,
                "schedule_form": schedule_form,
                "score_forms": {
                    e.pk: (
                        bound["score_form"]
                        if bound.get("score_evaluation") == e.pk
                        else forms.PurchaserScoreForm(initial={"score": e.purchaser_score or ""})
                    )
                    for e in evaluations
                    if may[e.pk].purchaser_score
                },
                "hearing_form": bound.get("hearing_form") or forms.HearingForm(),
                "follow_up_forms": {
                    h.pk: bound["follow_up_form"]
                    if bound.get("follow_up_hearing") == h.pk
                    else forms.FollowUpForm(initial={"follow_up": h.follow_up})
                    for h in hearings
                },
                "tokens_form": forms.TokensAddForm(),
            }
        )
    context["evaluation_rows"] = [
        (e, context.get("score_forms", {}).get(e.pk), may[e.pk]) for e in evaluations
    ]
    context["hearing_rows"] = [(h, context.get("follow_up_forms", {}).get(h.pk)) for h in hearings]
    return render(request, "evaluations/contract.html", context)


@domain_errors
def contract_evaluations(request, pk: int):
    return contract_page(request, contract_for(request, pk))


@require_POST
@login_required
@domain_errors
def evaluator_appoint(request, pk: int):
    actor = request.actor
    c = contract_for(request, pk)
    require(actor, Perm.EVALUATIONS_COMMISSION, c)
    form = forms.AppointForm(request.POST, organizations=selectors.evaluator_organizations())
    if form.is_valid():
        appointment, error = attempt(
            lambda: services.evaluator_appoint(
                contract=c, organization=form.cleaned_data["organization"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已委托“%(org)s”开展绩效评价，该机构将收到通知。")
                % {"org": appointment.organization.name},
            )
            return redirect("evaluations:contract", pk=c.pk)
    return contract_page(request, c, appoint_form=form)


@require_POST
@login_required
@domain_errors
def evaluation_schedule(request, pk: int):
    actor = request.actor
    c = contract_for(request, pk)
    require(actor, Perm.EVALUATIONS_COMMISSION, c)
    form = forms.ScheduleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        e, error = attempt(
            lambda: services.evaluation_schedule(
                contract=c, stage=d["stage"], due_on=d["due_on"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已安排%(stage)s，应于 %(due)s 前完成；指标体系自此冻结。")
                % {"stage": e.get_stage_display(), "due": e.due_on.isoformat()},
            )
            return redirect("evaluations:contract", pk=c.pk)
    return contract_page(request, c, schedule_form=form)


@require_POST
@login_required
@domain_errors
def purchaser_score(request, pk: int):
    actor = request.actor
    e = evaluation_for(request, pk)
    c = e.contract
    require(actor, Perm.EVALUATIONS_COMMISSION, c)
    form = forms.PurchaserScoreForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.evaluation_purchaser_score(
                evaluation=e,
                actor=actor,
                data=PurchaserScoreInput.parse(form.cleaned_data),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("购买方评分已保存。"))
            return redirect("evaluations:contract", pk=c.pk)
    return contract_page(request, c, score_form=form, score_evaluation=e.pk)
