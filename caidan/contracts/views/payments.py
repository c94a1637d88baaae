"""Payments: the purchaser records the payment of an instalment whose gate is open (the
mid-term and final gates are opened by published evaluations)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.web.ui import attempt_error, domain_errors

from .. import forms, selectors, services
from ..inputs import PaymentInput


@login_required
@domain_errors
def payment_new(request, pk: int, instalment_id: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    inst = selectors.instalment_of(c, instalment_id=instalment_id)
    form = forms.PaymentForm(request.POST or None, initial={"amount": inst.amount})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: services.payment_record(
                instalment=inst,
                actor=actor,
                data=PaymentInput.parse(
                    paid_on=d["paid_on"], voucher=d["voucher"], amount=inst.amount
                ),
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("第 %(n)s 期付款 %(a)s 已记录。")
                % {"n": inst.sequence, "a": format_yuan(inst.amount)},
            )
            return redirect("contracts:detail", pk=c.pk)
    return render(request, "contracts/payment_form.html", {"c": c, "inst": inst, "form": form})
