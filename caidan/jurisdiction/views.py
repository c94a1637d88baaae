"""The platform admin's pages (URL names ``web:settings``, ``web:calendar``,
``web:calendar_notice``): the jurisdiction's settings, the working-day calendar day by day,
and a year's State Council holiday notice (row editor, preview with confirmation, then one
audited write through ``calendar_year_load``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.common.calendar_sources import library_schedule, schedule_changes
from caidan.common.errors import ValidationError
from caidan.common.models import CalendarDay, CalendarYear
from caidan.common.permissions import require
from caidan.common.perms import Perm
from caidan.common.widgets import DateInput
from caidan.web.ui import attempt, attempt_error, domain_errors

from . import services
from .forms import CalendarDayForm
from .selectors import setting_list

HOLIDAY_ROWS = 10
WORKDAY_ROWS = 8


class NoticeForm(forms.Form):
    notice = forms.CharField(label=_("通知标题或文号"), max_length=200)


class HolidayRowForm(forms.Form):
    start = forms.DateField(label=_("放假起"), required=False, widget=DateInput)
    end = forms.DateField(label=_("放假止"), required=False, widget=DateInput)
    name = forms.CharField(label=_("节日"), required=False, max_length=100)


class WorkdayRowForm(forms.Form):
    date = forms.DateField(label=_("调休上班日"), required=False, widget=DateInput)
    name = forms.CharField(label=_("说明"), required=False, max_length=100)


HolidayRows = forms.formset_factory(HolidayRowForm, extra=0, max_num=40)
WorkdayRows = forms.formset_factory(WorkdayRowForm, extra=0, max_num=40)


def _initial_rows(year: int) -> tuple[list[dict], list[dict]]:
    """The year's current days as editor rows: consecutive holidays of one name are one row.
    A year not loaded yet starts from the library's schedule if it has one, else blank."""
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    if not days and (schedule := library_schedule(year)):
        days = [CalendarDay(date=d, kind=k, name=n) for d, k, n in schedule.rows()]
    holidays: list[dict] = []
    workdays: list[dict] = []
    for day in days:
        if day.kind == CalendarDay.Kind.WORKDAY:
            workdays.append({"date": day.date, "name": day.name})
        elif (
            holidays
            and holidays[-1]["name"] == day.name
            and holidays[-1]["end"] + dt.timedelta(days=1) == day.date
        ):
            holidays[-1]["end"] = day.date
        else:
            holidays.append({"start": day.date, "end": day.date, "name": day.name})
    holidays += [{}] * max(HOLIDAY_ROWS - len(holidays), 2)
    workdays += [{}] * max(WORKDAY_ROWS - len(workdays), 2)
    return holidays, workdays


def _digest(year: int, notice: str, schedule) -> str:
    text = json.dumps(
        [year, notice.strip(), [(d.isoformat(), k, n) for d, k, n in schedule.rows()]]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@login_required
@domain_errors
def calendar_notice(request):
    require(request.actor, Perm.JURISDICTION_EDIT)
    year_text = request.GET.get("year") or ""
    this_year = timezone.localdate().year
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2200 else None
    year = year or this_year + 1
    preview = error = None
    if request.method == "POST":
        form = NoticeForm(request.POST)
        holiday_rows = HolidayRows(request.POST, prefix="h")
        workday_rows = WorkdayRows(request.POST, prefix="w")
        if form.is_valid() and holiday_rows.is_valid() and workday_rows.is_valid():
            holidays = [
                (f.get("start"), f.get("end"), f.get("name", "")) for f in holiday_rows.cleaned_data
            ]
            workdays = [(f.get("date"), f.get("name", "")) for f in workday_rows.cleaned_data]
            notice = form.cleaned_data["notice"]
            schedule, error = attempt(
                lambda: services.calendar_schedule_build(
                    year=year, holidays=holidays, workdays=workdays
                )
            )
            digest = _digest(year, notice, schedule) if error is None else None
            if digest is not None and request.POST.get("confirm") == digest:
                # the admin confirmed this very preview: load it
                change, error = attempt(
                    lambda: services.calendar_year_load(
                        year=year,
                        notice=notice,
                        holidays=holidays,
                        workdays=workdays,
                        actor=request.actor,
                    )
                )
                if error is None:
                    messages.success(
                        request,
                        _(
                            "%(year)s 年节假日安排已载入（新增 %(len)s 天、修改 %(len_2)s 天、删除 %(len_3)s 天），已记入审计日志。"
                        )
                        % {
                            "year": year,
                            "len": len(change["added"]),
                            "len_2": len(change["changed"]),
                            "len_3": len(change["removed"]),
                        },
                    )
                    return redirect(f"{reverse('web:calendar')}?year={year}")
            elif digest is not None:
                preview = {
                    "schedule": schedule,
                    "rows": schedule.rows(),
                    "changes": schedule_changes(schedule, day_model=CalendarDay),
                    "digest": digest,
                    "stale": bool(request.POST.get("confirm")),
                }
    else:
        holidays, workdays = _initial_rows(year)
        current = CalendarYear.objects.filter(year=year).first()
        form = NoticeForm(initial={"notice": current.notice if current else ""})
        holiday_rows = HolidayRows(initial=holidays, prefix="h")
        workday_rows = WorkdayRows(initial=workdays, prefix="w")
    return render(
        request,
        "jurisdiction/calendar_notice.html",
        {
            "year": year,
            "years": [this_year, this_year + 1, this_year + 2],
            "loaded": CalendarYear.objects.filter(year=year).first(),
            "form": form,
            "holiday_rows": holiday_rows,
            "workday_rows": workday_rows,
            "preview": preview,
            "error": error,
        },
    )


def _setting_value(raw: str):
    """A setting as typed: an object when it looks like JSON, else the text itself."""
    if not raw.strip().startswith("{"):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        raise ValidationError(_("取值格式无效。")) from None


def _posted_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("日期无效。")) from None


@login_required
@domain_errors
def jurisdiction_settings(request):
    require(request.actor, Perm.JURISDICTION_EDIT)
    if request.method == "POST":
        key = request.POST.get("key", "")
        raw = request.POST.get("value", "")
        error = attempt_error(
            lambda: services.setting_update(key=key, value=_setting_value(raw), actor=request.actor)
        )
        if error is None:
            messages.success(request, _("设置已保存，修改已记入审计日志。"))
        else:
            messages.error(request, error)
        return redirect("web:settings")
    return render(request, "web/settings.html", {"settings_list": setting_list()})


@login_required
@domain_errors
def calendar(request):
    require(request.actor, Perm.JURISDICTION_EDIT)
    year_text = request.GET.get("year") or ""
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2200 else None
    year = year or timezone.localdate().year
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if "remove" in request.POST:
            error = attempt_error(
                lambda: services.calendar_day_remove(
                    date=_posted_date(request.POST["remove"]), actor=request.actor
                )
            )
            if error is None:
                messages.success(request, _("已删除。"))
            else:
                messages.error(request, error)
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            error = attempt_error(
                lambda: services.calendar_day_set(
                    date=form.cleaned_data["date"],
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    actor=request.actor,
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("已保存。"))
                return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    return render(
        request,
        "web/calendar.html",
        {"form": form, "days": days, "year": year, "years": [year - 1, year, year + 1]},
    )
