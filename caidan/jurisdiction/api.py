"""API: the jurisdiction's configurable rules and working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from caidan.common.calendar import WorkingCalendar, next_year_missing
from caidan.common.errors import field_error
from caidan.common.models import CalendarDay, CalendarYear
from caidan.common.schemas import ERRORS

from . import services
from .selectors import setting_list

router = Router(tags=["jurisdiction 辖区设置"])


class SettingOut(Schema):
    key: str
    label: str
    value: Any
    default: Any
    is_default: bool
    source: str
    floor: Any = None  # the legal (or local) bounds, each with its source
    floor_source: str = ""
    ceiling: Any = None
    ceiling_source: str = ""
    bounds: str = ""  # in words; for choices and weights, their rule and its source
    effective: Any = None  # what the rules use: differs from value only if value is illegal
    problem: str = ""


@router.get("/settings", response={200: list[SettingOut]}, auth=None, summary="辖区规则设置")
def list_settings(request):
    return [
        {
            "key": s.spec.key,
            "label": str(s.spec.label),
            "value": s.value,
            "default": s.spec.default,
            "is_default": s.is_default,
            "source": str(s.spec.source),
            "floor": s.spec.floor,
            "floor_source": str(s.spec.floor_source),
            "ceiling": s.spec.ceiling,
            "ceiling_source": str(s.spec.ceiling_source),
            "bounds": s.spec.bounds,
            "effective": s.effective,
            "problem": s.problem,
        }
        for s in setting_list()
    ]


class SettingIn(Schema):
    value: Any


@router.put("/settings/{key}", response={200: dict, **ERRORS}, summary="修改辖区规则设置")
def update_setting(request, key: str, payload: SettingIn):
    value = services.setting_update(key=key, value=payload.value, actor=request.auth)
    return {"key": key, "value": value}


class DayOut(Schema):
    date: dt.date
    kind: str
    name: str


@router.get("/calendar", response={200: list[DayOut], **ERRORS}, auth=None, summary="节假日与调休")
def list_calendar(request, year: int):
    if not 1900 <= year <= 2200:
        raise field_error("year", _("年份应在 1900 到 2200 之间。"))
    return list(CalendarDay.objects.filter(date__year=year).values("date", "kind", "name"))


class YearOut(Schema):
    year: int
    source: str
    notice: str
    loaded_at: dt.datetime
    loaded_by: str


class YearsOut(Schema):
    loaded: list[YearOut]
    next_year: int
    next_year_loaded: bool
    next_year_missing: bool  # due (from 1 November) and not loaded: deadlines are provisional
    warning: str


@router.get(
    "/calendar/years",
    response={200: YearsOut},
    auth=None,
    summary="已载入官方节假日安排的年度",
)
def list_calendar_years(request):
    today = timezone.localdate()
    rows = list(CalendarYear.objects.all())
    loaded = {r.year for r in rows}
    missing = next_year_missing(today)
    return {
        "loaded": rows,
        "next_year": today.year + 1,
        "next_year_loaded": today.year + 1 in loaded,
        "next_year_missing": missing is not None,
        "warning": (
            f"{missing} 年的节假日安排尚未载入，跨入该年的法定期限按周末规则暂算，可能有误。"
            if missing
            else ""
        ),
    }


class HolidayRowIn(Schema):
    start: dt.date
    end: dt.date | None = None
    name: str


class WorkdayRowIn(Schema):
    date: dt.date
    name: str = ""


class NoticeIn(Schema):
    notice: str
    holidays: list[HolidayRowIn]
    workdays: list[WorkdayRowIn] = []


class DayChangeOut(Schema):
    date: dt.date
    kind: str
    name: str


class NoticeOut(Schema):
    year: int
    source: str
    holidays: int
    workdays: int
    added: list[DayChangeOut]
    removed: list[DayChangeOut]
    changed: list[DayChangeOut]


@router.put(
    "/calendar/years/{year}",
    response={200: NoticeOut, **ERRORS},
    summary="按国务院办公厅通知录入一年的节假日与调休",
)
def load_calendar_year(request, year: int, payload: NoticeIn):
    holidays = [(r.start, r.end, r.name) for r in payload.holidays]
    workdays = [(r.date, r.name) for r in payload.workdays]
    change = services.calendar_year_load(
        year=year, notice=payload.notice, holidays=holidays, workdays=workdays, actor=request.auth
    )
    counts = CalendarDay.objects.filter(date__year=year)
    return {
        "year": year,
        "source": CalendarYear.objects.get(year=year).source,
        "holidays": counts.filter(kind="holiday").count(),
        "workdays": counts.filter(kind="workday").count(),
        "added": [{"date": d, "kind": k, "name": n} for d, k, n in change["added"]],
        "removed": [{"date": d, "kind": k, "name": n} for d, k, n in change["removed"]],
        "changed": [{"date": c[0], "kind": c[3], "name": c[4]} for c in change["changed"]],
    }


class DayIn(Schema):
    kind: str
    name: str = ""


@router.put("/calendar/{day}", response={200: DayOut, **ERRORS}, summary="设置节假日或调休")
def set_day(request, day: dt.date, payload: DayIn):
    row = services.calendar_day_set(
        date=day, kind=payload.kind, name=payload.name, actor=request.auth
    )
    return {"date": row.date, "kind": row.kind, "name": row.name}


@router.delete("/calendar/{day}", response={204: None, **ERRORS}, summary="删除节假日或调休")
def remove_day(request, day: dt.date):
    services.calendar_day_remove(date=day, actor=request.auth)
    return Status(204, None)


class WorkingDayOut(Schema):
    start: dt.date
    days: int
    result: dt.date
    provisional: bool = False
    unloaded_years: list[int] = []


@router.get(
    "/working-days",
    response={200: WorkingDayOut, **ERRORS},
    auth=None,
    summary="计算 N 个工作日后的日期",
)
def add_days(request, start: dt.date, days: int):
    if not -3660 <= days <= 3660:
        raise field_error("days", _("工作日数应在 -3660 到 3660 之间。"))
    if not 1900 <= start.year <= 2200:
        raise field_error("start", _("日期应在 1900 到 2200 年之间。"))
    cal = WorkingCalendar()
    result = cal.add_working_days(start, days)
    unloaded = cal.unloaded_years
    return {
        "start": start,
        "days": days,
        "result": result,
        "provisional": bool(unloaded),
        "unloaded_years": unloaded,
    }
