"""The hub's pages (issue 21): its member groups and their proposals, the bundles it leads,
and the bundle editor (one row per member's part, then a confirmation)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from caidan.web.ui import attempt, domain_errors

from . import forms, selectors
from .services.bundles import bundle_rows_check, proposal_bundle


@login_required
@domain_errors
def hub_home(request):
    hub = selectors.hub_of(request.actor)
    from caidan.orgs.standing import standings_of

    members = selectors.hub_members(hub)
    standings = standings_of(members)
    proposals = list(selectors.hub_member_proposals(hub)[:200])
    return render(
        request,
        "projects/hub.html",
        {
            "hub": hub,
            "members": [(m, standings[m.pk]) for m in members],
            "proposals": proposals,
            "bundles": selectors.hub_bundles(hub),
        },
    )


@login_required
@domain_errors
def hub_bundle_new(request):
    """The bundle editor: title and rows → a confirmation listing each member's part and
    the total → the bundle (submitted to the library when asked). "返回修改" on the
    confirmation shows the editor again with everything as typed."""
    hub = selectors.hub_of(request.actor)
    proposals = list(selectors.hub_member_proposals(hub)[:200])
    initial = {}
    picked = request.GET.getlist("part")
    if picked:
        ids = sorted({int(p) for p in picked if p.isdigit()})  # in the order drafted
        initial["parts"] = [{"part": str(p), "amount": ""} for p in ids]
    form = forms.BundleForm(request.POST or None, initial=initial, proposals=proposals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("back"):
            return render(request, "projects/hub_bundle_form.html", {"form": form, "hub": hub})
        if request.POST.get("confirm") == "1":
            bundle, error = attempt(
                lambda: proposal_bundle(
                    hub=hub,
                    title=data["title"],
                    rows=data["parts"],
                    submit=data["submit_now"],
                    actor=request.actor,
                ),
                form=form,
            )
            if error is None:
                messages.success(
                    request,
                    _("已打包并申报到项目库。")
                    if data["submit_now"]
                    else _("已打包。检查无误后请点击“申报”。"),
                )
                return redirect("projects:proposal", proposal_id=bundle.pk)
        else:
            checked, error = attempt(
                lambda: bundle_rows_check(hub=hub, rows=data["parts"]), form=form
            )
            if error is None:
                total = sum((a for _p, a in checked), Decimal("0.00"))
                return render(
                    request,
                    "projects/hub_bundle_confirm.html",
                    {"form": form, "hub": hub, "rows": checked, "total": total},
                )
    return render(request, "projects/hub_bundle_form.html", {"form": form, "hub": hub})
