"""Renewal: the purchaser drafts next year's contract of a stable service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, domain_errors

from .. import selectors, services
from .helpers import confirm


@login_required
@domain_errors
def contract_renew(request, pk: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    error = None
    if request.method == "POST":
        new, error = attempt(lambda: services.contract_renew(contract=c, actor=actor))
        if error is None:
            messages.success(request, _("已起草下一年度的续签合同，请核对后双方签订。"))
            return redirect("contracts:detail", pk=new.pk)
    return confirm(
        request,
        contract=c,
        title=_("续签合同"),
        warning=_(
            "将按本合同的条款起草下一年度的合同草稿（服务期顺延一年），双方签订后生效。需求稳定的服务含本合同在内最长 3 年。"
        ),
        action_label=_("起草续签合同"),
        facts=[
            (_("合同编号"), c.reference),
            (_("第几年合同"), c.year_index),
            (_("意向续签总年限"), c.renewal_years),
        ],
        error=error,
    )
