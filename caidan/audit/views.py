"""The audit log page (platform admin and auditors; URL name ``web:audit``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from caidan.common.calendar import start_of_day
from caidan.common.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, domain_errors

from . import forms
from .selectors import audit_event_list


@login_required
@domain_errors
def audit_events(request):
    require(request.actor, Perm.AUDIT_VIEW)
    form = forms.AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "kind": data["kind"] or None,
            "actor": data["actor"] or None,
            "target_type": data["target_type"] or None,
            "target_id": data["target_id"] or None,
            "since": start_of_day(data["since"]) if data["since"] else None,
            "until": start_of_day(data["until"] + dt.timedelta(days=1)) if data["until"] else None,
        }
    page, error = attempt(
        lambda: audit_event_list(**filters, cursor=request.GET.get("cursor") or None, limit=50)
    )
    if error is not None:
        messages.error(request, error)
        page = audit_event_list(**filters, limit=50)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "web/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
