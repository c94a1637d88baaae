"""Standardisation assessments: an evaluator organization submits one; the registration
authority confirms it (registering the grade) or not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role
from caidan.accounts.permissions import can, require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, domain_errors

from .. import forms, selectors_audit, services
from ..affordances import assessment_decidable
from ..inputs import AssessmentInput


@login_required
@domain_errors
def assessment_list(request):
    actor = request.actor
    if not actor.has_role(
        Role.EVALUATOR, Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN, Role.PROVIDER, Role.HUB
    ):
        require(actor, Perm.EVALUATIONS_CONFIRM_ASSESSMENTS)  # 403 with the roles
    return render(
        request,
        "evaluations/assessment_list.html",
        {
            "assessments": selectors_audit.assessments_for(actor),
            "assessing": can(actor, Perm.EVALUATIONS_ASSESS_ORGS, actor.organization)
            if actor.organization
            else False,
            "confirming": can(actor, Perm.EVALUATIONS_CONFIRM_ASSESSMENTS),
        },
    )


@login_required
@domain_errors
def assessment_new(request):
    actor = request.actor
    if actor.organization is None:
        require(actor, Perm.EVALUATIONS_ASSESS_ORGS)
    require(actor, Perm.EVALUATIONS_ASSESS_ORGS, actor.organization)
    orgs = selectors_audit.assessable_organizations(exclude=actor.organization)
    form = forms.AssessmentForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        a, error = attempt(
            lambda: services.assessment_submit(
                organization=d["organization"],
                actor=actor,
                data=AssessmentInput.parse(
                    score=d["score"],
                    proposed_level=d["proposed_level"],
                    report=d["report"],
                    assessed_on=d["assessed_on"],
                ),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("评估结果已提交，等待登记管理机关确认。"))
            return redirect("evaluations:assessment", pk=a.pk)
    return render(request, "evaluations/assessment_form.html", {"form": form})


def _assessment_page(request, a, *, form=None):
    deciding = assessment_decidable(request.actor, a)
    return render(
        request,
        "evaluations/assessment_detail.html",
        {"a": a, "form": (form or forms.AssessmentDecisionForm()) if deciding else None},
    )


@login_required
@domain_errors
def assessment_detail(request, pk: int):
    return _assessment_page(request, selectors_audit.assessment_get_for(pk=pk, actor=request.actor))


@require_POST
@login_required
@domain_errors
def assessment_decide(request, pk: int):
    actor = request.actor
    a = selectors_audit.assessment_get_for(pk=pk, actor=actor)
    require(actor, Perm.EVALUATIONS_CONFIRM_ASSESSMENTS, a)
    form = forms.AssessmentDecisionForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"]
        error = attempt_error(
            lambda: services.assessment_decide(
                assessment=a, confirm=confirm, note=form.cleaned_data["note"], actor=actor
            ),
            form=form,
        )
        if error is None:
            if confirm:
                messages.success(
                    request,
                    _("已确认，%(org)s的等级登记为 %(level)sA。")
                    % {"org": a.organization.name, "level": a.proposed_level},
                )
            else:
                messages.success(request, _("已不予确认，评估机构将收到理由。"))
            return redirect("evaluations:assessment", pk=a.pk)
    return _assessment_page(request, a, form=form)
