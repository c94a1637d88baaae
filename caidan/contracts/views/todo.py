"""The parties' to-do list: drafts to sign, awards awaiting a contract, late reports and
instalments to pay (both parties' dashboards link here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import domain_errors

from .. import selectors
from ..affordances import signed_by_own_side
from ..models import ContractStatus


@login_required
@domain_errors
def todo(request):
    actor = request.actor
    require(actor, Perm.CONTRACTS_SIGN)  # a purchaser, provider or hub organization
    drafts = selectors.contract_list_for(actor=actor, status=ContractStatus.DRAFT, limit=50).items
    purchaser = actor.has_role(Role.PURCHASER)
    return render(
        request,
        "contracts/todo.html",
        {
            "late": selectors.overdue_for(actor),
            "to_sign": [c for c in drafts if not signed_by_own_side(actor, c)],
            "awards": list(selectors.awards_without_contract(actor)[:50]) if purchaser else [],
            "pending_reports": selectors.reports_pending_for(actor),
            "purchaser": purchaser,
        },
    )
