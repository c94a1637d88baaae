"""Hearings: the purchaser records one (public, no personal data) and how its opinions were
followed up, on the contract's evaluation page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt_error, domain_errors

from .. import forms, selectors, services
from ..inputs import FollowUpInput, HearingInput
from .commissioning import contract_page
from .helpers import contract_for


@require_POST
@login_required
@domain_errors
def hearing_record(request, pk: int):
    actor = request.actor
    c = contract_for(request, pk)
    require(actor, Perm.EVALUATIONS_COMMISSION, c)
    form = forms.HearingForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.hearing_record(
                contract=c, actor=actor, data=HearingInput.parse(form.cleaned_data)
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("听证会已记录并公开，承接主体将收到听证意见。"))
            return redirect("evaluations:contract", pk=c.pk)
    return contract_page(request, c, hearing_form=form)


@require_POST
@login_required
@domain_errors
def hearing_follow_up(request, pk: int, hearing_id: int):
    actor = request.actor
    c = contract_for(request, pk)
    require(actor, Perm.EVALUATIONS_COMMISSION, c)
    hearing = selectors.hearing_get(contract=c, pk=hearing_id)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.hearing_follow_up(
                hearing=hearing,
                actor=actor,
                data=FollowUpInput.parse(form.cleaned_data),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("意见处理和落实情况已保存。"))
            return redirect("evaluations:contract", pk=c.pk)
    return contract_page(request, c, follow_up_form=form, follow_up_hearing=hearing.pk)
