"""The audit log page (platform admin and auditors; URL name ``web:audit``): each event as
a sentence (``describe``), filtered with pickers, and the filtered view as an Excel file
(``?format=xlsx``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from caidan.common.calendar import start_of_day
from caidan.common.permissions import require
from caidan.common.perms import Perm
from caidan.common.xlsx import XLSX_MIME, write_workbook
from caidan.web.ui import attempt, domain_errors

from . import forms
from .describe import describe
from .selectors import (
    audit_actor_choices,
    audit_event_batches,
    audit_event_list,
    audit_events_filtered,
)

EXPORT_LIMIT = 20000  # rows in one Excel export (narrow the filters for more)


def _filters(form) -> dict:
    if not form.is_valid():
        return {}
    data = form.cleaned_data
    return {
        "kind": data["kind"] or None,
        "actor": data["actor"] or None,
        "actor_query": data["who"] or None,
        "target_type": data["target_type"] or None,
        "target_id": data["target_id"] or None,
        "since": start_of_day(data["since"]) if data["since"] else None,
        "until": start_of_day(data["until"] + dt.timedelta(days=1)) if data["until"] else None,
    }


def _export(filters: dict) -> HttpResponse:
    headers = [
        _("序号"),
        _("时间"),
        _("操作人"),
        _("角色"),
        _("事件"),
        _("对象类型"),
        _("对象"),
        _("变化"),
        _("说明"),
        _("记录"),
        _("本事件哈希"),
    ]

    def rows():
        qs = audit_events_filtered(**filters)
        for batch in audit_event_batches(qs, limit=EXPORT_LIMIT):
            for v in describe(batch):
                e = v.event
                yield [
                    e.seq,
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                    v.actor,
                    v.role,
                    v.action,
                    v.object_type,
                    v.object_label,
                    "\n".join(str(c) for c in v.changes),
                    e.note,
                    v.sentence,
                    e.hash,
                ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(write_workbook(_("审计日志"), headers, rows()), content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"审计日志-{stamp}.xlsx"
    )
    return response


@login_required
@domain_errors
def audit_events(request):
    require(request.actor, Perm.AUDIT_VIEW)
    query = request.GET.copy()
    wants_xlsx = query.pop("format", [""])[0] == "xlsx"
    query.pop("cursor", None)
    form = forms.AuditFilterForm(query or None)
    filters = _filters(form)
    if wants_xlsx:
        return _export(filters)
    page, error = attempt(
        lambda: audit_event_list(**filters, cursor=request.GET.get("cursor") or None, limit=50)
    )
    if error is not None:
        messages.error(request, error)
        page = audit_event_list(**filters, limit=50)
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "page": page,
            "events": describe(page.items, actor=request.actor),
            "actors": audit_actor_choices(),
            "query": query.urlencode(),
        },
    )
