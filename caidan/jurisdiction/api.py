"""API: the jurisdiction's configurable rules and working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status

from caidan.common.calendar import WorkingCalendar
from caidan.common.errors import field_error
from caidan.common.models import CalendarDay
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
            "label": s.spec.label,
            "value": s.value,
            "default": s.spec.default,
            "is_default": s.is_default,
            "source": s.spec.source,
            "floor": s.spec.floor,
            "floor_source": s.spec.floor_source,
            "ceiling": s.spec.ceiling,
            "ceiling_source": s.spec.ceiling_source,
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
        raise field_error("year", "年份应在 1900 到 2200 之间。")
    return list(CalendarDay.objects.filter(date__year=year).values("date", "kind", "name"))


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


@router.get(
    "/working-days",
    response={200: WorkingDayOut, **ERRORS},
    auth=None,
    summary="计算 N 个工作日后的日期",
)
def add_days(request, start: dt.date, days: int):
    if not -3660 <= days <= 3660:
        raise field_error("days", "工作日数应在 -3660 到 3660 之间。")
    if not 1900 <= start.year <= 2200:
        raise field_error("start", "日期应在 1900 到 2200 年之间。")
    return {"start": start, "days": days, "result": WorkingCalendar().add_working_days(start, days)}
