"""The workbench's pages: my calendar (a month of my deadlines and events), the secret feed
URL made and revoked there, and the feed itself (no login: the secret is the key)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from caidan.web.ui import attempt_error, domain_errors

from . import calendar_feed
from .workbench import calendar_for, month_bounds

# Column heads of the month grid, Monday first (周一 … 周日).
WEEKDAYS = [
    pgettext_lazy("星期（简称）", "一"),
    pgettext_lazy("星期（简称）", "二"),
    pgettext_lazy("星期（简称）", "三"),
    pgettext_lazy("星期（简称）", "四"),
    pgettext_lazy("星期（简称）", "五"),
    pgettext_lazy("星期（简称）", "六"),
    pgettext_lazy("星期（简称）", "日"),
]


def _month(request) -> tuple[int, int]:
    """``?month=YYYY-MM`` (this month when absent or malformed: a bad value is not an
    error worth a page of its own)."""
    today = timezone.localdate()
    raw = (request.GET.get("month") or "").strip()
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@login_required
@domain_errors
def my_calendar(request):
    actor = request.actor
    today = timezone.localdate()
    year, month = _month(request)
    start, end = month_bounds(year, month)
    entries = calendar_for(actor, start, end, today) if actor.membership else []
    by_day: dict[dt.date, list] = {}
    for e in entries:
        by_day.setdefault(e.day, []).append(e)
    weeks = [
        [(d, d.month == month, by_day.get(d, [])) for d in week]
        for week in pycalendar.Calendar().monthdatescalendar(year, month)
    ]
    prev = start - dt.timedelta(days=1)
    nxt = end + dt.timedelta(days=1)
    secret = request.session.pop("calendar_feed_secret", None)
    feed_url = request.build_absolute_uri(f"/calendar/feed/{secret}.ics") if secret else None
    return render(
        request,
        "accounts/calendar.html",
        {
            "month_start": start,
            "weeks": weeks,
            "weekdays": WEEKDAYS,
            "days": sorted(by_day.items()),
            "today": today,
            "prev": f"{prev.year}-{prev.month:02d}",
            "next": f"{nxt.year}-{nxt.month:02d}",
            "feed": calendar_feed.calendar_feed_of(actor=actor),
            "feed_url": feed_url,
            "membership": actor.membership,
        },
    )


@require_POST
@login_required
@domain_errors
def feed_create(request):
    _feed, raw = calendar_feed.calendar_feed_create(actor=request.actor)
    # Shown once on the next page (the session, not the URL, so it stays out of logs).
    request.session["calendar_feed_secret"] = raw
    messages.success(request, _("已生成新的订阅地址；旧地址（如有）已失效。"))
    return redirect("web:my_calendar")


@require_POST
@login_required
@domain_errors
def feed_revoke(request):
    try:
        feed_id = int(request.POST.get("feed", ""))
    except ValueError:
        feed_id = 0
    error = attempt_error(
        lambda: calendar_feed.calendar_feed_revoke(actor=request.actor, feed_id=feed_id)
    )
    if error is None:
        messages.success(request, _("订阅地址已撤销，订阅它的日历将不再更新。"))
    else:
        messages.error(request, error)
    return redirect("web:my_calendar")


@require_GET
def feed(request, secret: str):
    actor = calendar_feed.calendar_feed_actor(secret)
    if actor is None:
        raise Http404("找不到该日历订阅地址。")
    body = calendar_feed.calendar_ical(actor, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="caidan.ics"'
    return response
