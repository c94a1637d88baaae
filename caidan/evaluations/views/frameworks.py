"""A project's indicator framework: adjustable by the purchaser until the first evaluation is
scheduled (then frozen); shown to everyone working on the evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import can, require
from caidan.common.errors import DomainError
from caidan.web.ui import domain_errors

from .. import forms, selectors, services
from ..formulas import FORMULAS
from .helpers import contract_for, reraise


@login_required
@domain_errors
def framework_edit(request, pk: int):
    actor = request.actor
    c = contract_for(request, pk)
    if not selectors.sees_evaluation_work(actor, c):
        require(actor, "evaluations.commission", c)  # 403 with the reason
    shown = selectors.framework_or_template(c)
    framework = shown if shown.pk else None
    form = forms.FrameworkForm(request.POST or None, indicators=shown.indicators)
    if request.method == "POST":
        require(actor, "evaluations.commission", c)
        if form.is_valid():
            try:
                framework = services.framework_for_contract(contract=c, actor=actor)
                services.framework_update(
                    framework=framework, indicators=form.cleaned_indicators(), actor=actor
                )
            except DomainError as exc:
                reraise(exc)
                forms.add_domain_error(form, exc, aliases=form.error_aliases())
            else:
                messages.success(request, _("指标体系已保存。"))
                return redirect("evaluations:contract", pk=c.pk)
    return render(
        request,
        "evaluations/framework.html",
        {
            "c": c,
            "framework": framework,
            "form": form,
            "editable": can(actor, "evaluations.commission", c)
            and not (framework and framework.frozen_at),
            "formulas": FORMULAS,
        },
    )
