"""Financial audit: the auditor's yearly plans per unit, findings on planned contracts; the
provider reports the rectification, the auditor closes the finding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, domain_errors

from .. import forms, selectors_audit, services
from ..affordances import finding_affordances
from ..inputs import AuditPlanInput, FindingCloseInput, FindingInput, FindingResponseInput


@login_required
@domain_errors
def audit_index(request):
    require(request.actor, Perm.EVALUATIONS_AUDIT)
    plans = selectors_audit.audit_plans()
    return render(
        request,
        "evaluations/audit_index.html",
        {
            "plan_rows": [(p, services.audit_coverage(p)) for p in plans[:50]],
            "findings": selectors_audit.findings_open(),
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def audit_plan_edit(request):
    """Pick a unit and year (GET), then tick the contracts to audit (POST)."""
    actor = request.actor
    require(actor, Perm.EVALUATIONS_AUDIT)
    source = request.POST if request.method == "POST" else request.GET
    pick = forms.AuditPlanPickForm(
        source if {"unit", "year"} & set(source) else None,
        units=selectors_audit.units_for_audit(),
        initial={"year": timezone.localdate().year},
    )
    form = plan = None
    if pick.is_bound and pick.is_valid():
        unit, year = pick.cleaned_data["unit"], pick.cleaned_data["year"]
        plan = selectors_audit.audit_plan_for(unit, year)
        initial = {
            "contracts": [str(pk) for pk in selectors_audit.audit_plan_contract_ids(plan)]
            if plan
            else [],
            "note": plan.note if plan else "",
        }
        form = forms.AuditPlanForm(
            request.POST if request.method == "POST" else None,
            contracts=selectors_audit.unit_year_contract_list(unit, year),
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            saved, error = attempt(
                lambda: services.audit_plan_set(
                    unit=unit,
                    actor=actor,
                    data=AuditPlanInput.parse(
                        year=year,
                        contracts=[int(pk) for pk in form.cleaned_data["contracts"]],
                        note=form.cleaned_data["note"],
                    ),
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("审计计划已保存，相关合同双方将收到通知。"))
                return redirect("evaluations:audit_plan", plan_id=saved.pk)
    return render(
        request, "evaluations/audit_plan_form.html", {"pick": pick, "form": form, "plan": plan}
    )


def _plan_page(request, plan, *, contracts=None, finding_form=None):
    contracts = contracts if contracts is not None else selectors_audit.audit_plan_contracts(plan)
    return render(
        request,
        "evaluations/audit_plan.html",
        {
            "plan": plan,
            "coverage": services.audit_coverage(plan),
            "contracts": contracts,
            "findings": selectors_audit.findings_of_plan(plan),
            "finding_form": finding_form or forms.FindingForm(contracts=contracts),
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def audit_plan(request, plan_id: int):
    require(request.actor, Perm.EVALUATIONS_AUDIT)
    return _plan_page(request, selectors_audit.audit_plan_get(pk=plan_id))


@require_POST
@login_required
@domain_errors
def audit_finding_record(request, plan_id: int):
    actor = request.actor
    require(actor, Perm.EVALUATIONS_AUDIT)
    plan = selectors_audit.audit_plan_get(pk=plan_id)
    contracts = selectors_audit.audit_plan_contracts(plan)
    form = forms.FindingForm(request.POST, contracts=contracts)
    if form.is_valid():
        d = form.cleaned_data
        contract = next(c for c in contracts if str(c.pk) == d["contract"])
        finding, error = attempt(
            lambda: services.audit_finding_record(
                plan=plan,
                contract=contract,
                actor=actor,
                data=FindingInput.parse(description=d["description"], rectify_by=d["rectify_by"]),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("审计发现已记录，合同双方将收到整改通知。"))
            return redirect("evaluations:finding", finding_id=finding.pk)
    return _plan_page(request, plan, contracts=contracts, finding_form=form)


def _finding_page(request, finding, *, response_form=None, close_form=None):
    may = finding_affordances(request.actor, finding)
    return render(
        request,
        "evaluations/finding.html",
        {
            "f": finding,
            "c": finding.contract,
            "auditor": request.actor.has_role(Role.AUDITOR),
            "response_form": (
                response_form or forms.FindingResponseForm(initial={"response": finding.response})
            )
            if may.respond
            else None,
            "close_form": (close_form or forms.FindingCloseForm()) if may.close else None,
            "today": timezone.localdate(),
        },
    )


@login_required
@domain_errors
def audit_finding(request, finding_id: int):
    return _finding_page(
        request, selectors_audit.finding_get_for(pk=finding_id, actor=request.actor)
    )


@require_POST
@login_required
@domain_errors
def audit_finding_respond(request, finding_id: int):
    actor = request.actor
    finding = selectors_audit.finding_get_for(pk=finding_id, actor=actor)
    require(actor, Perm.EVALUATIONS_RESPOND, finding.contract)
    form = forms.FindingResponseForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.audit_finding_respond(
                finding=finding,
                actor=actor,
                data=FindingResponseInput.parse(form.cleaned_data),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("整改情况已报送，等待审计销号。"))
            return redirect("evaluations:finding", finding_id=finding.pk)
    return _finding_page(request, finding, response_form=form)


@require_POST
@login_required
@domain_errors
def audit_finding_close(request, finding_id: int):
    actor = request.actor
    finding = selectors_audit.finding_get_for(pk=finding_id, actor=actor)
    require(actor, Perm.EVALUATIONS_AUDIT, finding)
    form = forms.FindingCloseForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.audit_finding_close(
                finding=finding,
                actor=actor,
                data=FindingCloseInput.parse(form.cleaned_data),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("审计发现已整改销号。"))
            return redirect("evaluations:finding", finding_id=finding.pk)
    return _finding_page(request, finding, close_form=form)
