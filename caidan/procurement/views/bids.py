"""Sealed bids: the bid form, its confirmation (with the server's deadline) and submission;
the organization's bids, a receipt, withdrawal before the deadline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.errors import NotFound
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, domain_errors

from .. import forms, selectors, services
from ..affordances import bid_withdrawable, tender_affordances
from ..inputs import BidContentInput


@login_required
@domain_errors
def bid_new(request, tender_id: int):
    """Bid form → confirmation (with the server's deadline) → sealed submission."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    form = forms.BidForm(request.POST or None, tender=tender)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            bid, error = attempt(
                lambda: services.bid_submit(
                    tender=tender,
                    organization=actor.organization,
                    data=BidContentInput.parse(form.content()),
                    actor=actor,
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("投标文件已密封递交。请保存回执。"))
                return redirect("procurement:bid", bid_id=bid.pk)
        else:
            return render(
                request,
                "procurement/bid_confirm.html",
                {"t": tender, "form": form, "now": timezone.now(), "data": form.cleaned_data},
            )
    return render(
        request,
        "procurement/bid_form.html",
        {
            "t": tender,
            "form": form,
            "now": timezone.now(),
            "aff": tender_affordances(actor, tender),
        },
    )


def _own_bid(actor, bid_id: int):
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    bid = next(
        (
            b
            for b in selectors.bids_of(actor=actor, organization=actor.organization)
            if b.pk == bid_id
        ),
        None,
    )
    if bid is None:
        raise NotFound(_("投标不存在。"))
    return bid


@login_required
@domain_errors
def my_bids(request):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    bids = selectors.bids_of(actor=actor, organization=actor.organization)
    now = timezone.now()
    rows = [{"bid": b, "can_withdraw": bid_withdrawable(b, now=now)} for b in bids]
    return render(request, "procurement/my_bids.html", {"rows": rows})


@login_required
@domain_errors
def bid_receipt(request, bid_id: int):
    bid = _own_bid(request.actor, bid_id)
    return render(request, "procurement/bid_receipt.html", {"bid": bid, "t": bid.tender})


@require_POST
@login_required
@domain_errors
def bid_withdraw(request, bid_id: int):
    bid = _own_bid(request.actor, bid_id)
    error = attempt_error(lambda: services.bid_withdraw(bid=bid, actor=request.actor))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, _("投标已撤回。截止前可重新递交。"))
    return redirect("procurement:my_bids")
