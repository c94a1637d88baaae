"""Pages: the supplier files from its challenge and follows its complaints (phone-friendly);
the finance bureau's desk (inbox with due dates, overdue first; detail with the accept /
reject, suspend and decide forms); the public list of published decisions. Thin: forms →
services."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role
from caidan.accounts.permissions import can, require
from caidan.common.errors import NotAuthenticated, NotFound
from caidan.common.perms import Perm
from caidan.procurement.models import Challenge
from caidan.web.ui import attempt, domain_errors

from . import forms, selectors, services
from .inputs import (
    ComplaintDecisionInput,
    ComplaintInput,
    ComplaintRejectInput,
    ComplaintSuspendInput,
)
from .lifecycles import complaint_lifecycle
from .models import ComplaintStatus

ACTIONS = ("accept", "reject", "suspend", "lift", "decide", "withdraw")


def _login(actor):
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))


@domain_errors
def complaint_new(request, challenge_id: int):
    actor = request.actor
    _login(actor)
    ch = (
        Challenge.objects.select_related("tender__unit", "organization", "award")
        .filter(pk=challenge_id)
        .first()
    )
    if ch is None:
        raise NotFound(_("找不到该质疑。"))
    require(actor, Perm.COMPLAINTS_FILE, ch.organization)
    window = services.file_window(ch)
    form = forms.ComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            c, error = attempt(
                lambda: services.complaint_file(
                    actor=actor, data=ComplaintInput.parse(form.cleaned_data, challenges=[ch])
                ),
                form=form,
            )
            if c is not None:
                messages.success(
                    request,
                    _("投诉已提交。财政部门应在 %(localtime)s 前决定是否受理。")
                    % {"localtime": format(timezone.localtime(c.accept_due), "%Y-%m-%d")},
                )
                return redirect("complaints:detail", complaint_id=c.pk)
            status = 409
        else:
            status = 400
    return render(
        request,
        "complaints/complaint_form.html",
        {"form": form, "challenge": ch, "t": ch.tender, "window": window},
        status=status,
    )


@domain_errors
def mine(request):
    actor = request.actor
    _login(actor)
    require(actor, Perm.COMPLAINTS_FILE, actor.organization)
    rows = selectors.complaint_list_mine(actor=actor)
    return render(request, "complaints/mine.html", {"rows": rows})


@domain_errors
def inbox(request):
    actor = request.actor
    _login(actor)
    if not actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR, Role.PURCHASER):
        require(actor, Perm.COMPLAINTS_HANDLE)  # a readable "no permission" for the others
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    now = timezone.now()
    rows = selectors.inbox(actor=actor, status=status, overdue=overdue, now=now)
    return render(
        request,
        "complaints/inbox.html",
        {
            "rows": [(c, c.is_overdue(now)) for c in rows],
            "status": status,
            "overdue": overdue,
            "statuses": ComplaintStatus.choices,
        },
    )


def public_list(request):
    page = selectors.complaint_list_public(cursor=request.GET.get("cursor") or None)
    return render(request, "complaints/public_list.html", {"page": page})


@domain_errors
def detail(request, complaint_id: int):
    actor = request.actor
    c = selectors.complaint_get_for(actor=actor, complaint_id=complaint_id)
    now = timezone.now()
    handles = can(actor, Perm.COMPLAINTS_HANDLE, c)
    mine = can(actor, Perm.COMPLAINTS_FILE, c.organization) and actor.organization is not None
    return render(
        request,
        "complaints/detail.html",
        {
            "c": c,
            "challenges": list(c.challenges.all()),
            "handles": handles,
            "can_withdraw": mine and complaint_lifecycle.allowed(c.status, "withdraw"),
            "can_accept": handles and complaint_lifecycle.allowed(c.status, "accept"),
            "can_suspend": handles
            and complaint_lifecycle.allowed(c.status, "suspend")
            and c.suspension_start is None,
            "can_lift": handles and c.is_pending and c.suspended_at(now),
            "can_decide": handles and complaint_lifecycle.allowed(c.status, "decide"),
            "suspended": c.is_pending and c.suspended_at(now),
            "overdue": c.is_overdue(now),
            "reject_form": forms.ReasonForm(prefix="reject"),
            "suspend_form": forms.SuspendForm(prefix="suspend"),
            "decide_form": forms.DecideForm(prefix="decide"),
        },
    )


@require_POST
@domain_errors
def act(request, complaint_id: int, action: str):
    actor = request.actor
    _login(actor)
    if action not in ACTIONS:
        raise NotFound(_("找不到该操作。"))
    c = selectors.complaint_get_for(actor=actor, complaint_id=complaint_id)
    p = request.POST
    run = None
    if action == "accept":
        run = lambda: services.complaint_accept(complaint=c, actor=actor)  # noqa: E731
    elif action == "reject":
        run = lambda: services.complaint_reject(  # noqa: E731
            complaint=c,
            actor=actor,
            data=ComplaintRejectInput.parse(reason=p.get("reject-reason", "")),
        )
    elif action == "suspend":
        form = forms.SuspendForm(p, prefix="suspend")
        if not form.is_valid():
            messages.error(request, _("请填写暂停截止日期和理由。"))
            return redirect("complaints:detail", complaint_id=c.pk)
        run = lambda: services.complaint_suspend(  # noqa: E731
            complaint=c, actor=actor, data=ComplaintSuspendInput.parse(form.cleaned_data)
        )
    elif action == "lift":
        run = lambda: services.complaint_lift_suspension(complaint=c, actor=actor)  # noqa: E731
    elif action == "decide":
        run = lambda: services.complaint_decide(  # noqa: E731
            complaint=c,
            actor=actor,
            data=ComplaintDecisionInput.parse(
                outcome=p.get("decide-outcome", ""), reasoning=p.get("decide-reasoning", "")
            ),
        )
    elif action == "withdraw":
        run = lambda: services.complaint_withdraw(complaint=c, actor=actor)  # noqa: E731
    done, error = attempt(run)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已办理。"))
    return redirect("complaints:detail", complaint_id=c.pk)
