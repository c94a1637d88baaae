"""A project's indicator framework: adjustable by the purchaser until the first evaluation is
scheduled (then frozen); shown to everyone working on the evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import can, require
from caidan.common.perms import Perm
from caidan.web.ui import attempt_refusal, domain_errors

from .. import forms, selectors, services
from ..formulas import FORMULAS
from ..inputs import FrameworkInput
from .helpers import contract_for


def _adjust(contract, data: FrameworkInput, *, actor):
    """The project's framework (copied from the template first if need be), adjusted."""
    framework = services.framework_for_contract(contract=contract, actor=actor)
    return services.framework_update(framework=framework, data=data, actor=actor)


@login_required
@domain_errors
def framework_edit(request, pk: int):
    actor = request.actor
    c = contract_for(request, pk)
    if not selectors.sees_evaluation_work(actor, c):
        require(actor, Perm.EVALUATIONS_COMMISSION, c)  # 403 with the reason
    shown = selectors.framework_or_template(c)
    framework = shown if shown.pk else None
    form = forms.FrameworkForm(request.POST or None, indicators=shown.indicators)
    if request.method == "POST":
        require(actor, Perm.EVALUATIONS_COMMISSION, c)
        if form.is_valid():
            saved, refusal = attempt_refusal(
                lambda: _adjust(
                    c, FrameworkInput.parse(indicators=form.cleaned_indicators()), actor=actor
                )
            )
            if refusal is None:
                messages.success(request, _("指标体系已保存。"))
                return redirect("evaluations:contract", pk=c.pk)
            framework = selectors.framework_of(c)  # as it stands after the refusal
            forms.add_domain_error(form, refusal, aliases=form.error_aliases())
    return render(
        request,
        "evaluations/framework.html",
        {
            "c": c,
            "framework": framework,
            "form": form,
            "editable": can(actor, Perm.EVALUATIONS_COMMISSION, c)
            and not (framework and framework.frozen_at),
            "formulas": FORMULAS,
        },
    )
