"""Writes for jurisdiction settings and the holiday calendar (platform admin only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.calendar_sources import (
    Schedule,
    library_schedule,
    library_source,
    library_years,
    schedule_changes,
    store_schedule,
)
from caidan.common.errors import NotFound, field_error
from caidan.common.i18n import source as source_text
from caidan.common.models import CalendarDay, CalendarYear
from caidan.common.permissions import require
from caidan.common.perms import Perm

from .models import JurisdictionSetting
from .selectors import setting_spec


def setting_update(*, key: str, value: Any, actor: Actor) -> Any:
    require(actor, Perm.JURISDICTION_EDIT)
    spec = setting_spec(key)
    parsed = spec.parse(value)
    with transaction.atomic():
        row = JurisdictionSetting.objects.filter(key=key).first()
        old = row.value if row else spec.default  # as stored, even if out of bounds
        JurisdictionSetting.objects.update_or_create(
            key=key, defaults={"value": parsed, "updated_by": actor.user}
        )
        audit_record(
            kind=EventKind.SETTING_CHANGED,
            actor=actor,
            target=("jurisdiction.setting", key, source_text(spec.label)),
            old={"value": old},
            new={"value": parsed},
        )
    return parsed


def calendar_day_set(*, date: dt.date, kind: str, name: str = "", actor: Actor) -> CalendarDay:
    require(actor, Perm.JURISDICTION_EDIT)
    if kind not in CalendarDay.Kind.values:
        raise field_error("kind", gettext_lazy("类型只能是“法定节假日”或“调休工作日”。"))
    if kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        raise field_error(
            "date", gettext_lazy("%(date)s 本来就是工作日，无需设为调休工作日。") % {"date": date}
        )
    if kind == CalendarDay.Kind.HOLIDAY and date.weekday() >= 5 and not name:
        raise field_error("name", gettext_lazy("周末设为节假日时请填写节日名称。"))
    with transaction.atomic():
        existing = CalendarDay.objects.filter(date=date).first()
        old = {"kind": existing.kind, "name": existing.name} if existing else None
        day, _ = CalendarDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name.strip()}
        )
        audit_record(
            kind=EventKind.CALENDAR_DAY_SET,
            actor=actor,
            target=day,
            old=old,
            new={"date": date.isoformat(), "kind": kind, "name": day.name},
        )
    return day


def calendar_day_remove(*, date: dt.date, actor: Actor) -> None:
    require(actor, Perm.JURISDICTION_EDIT)
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(gettext_lazy("%(date)s 没有设置节假日或调休。") % {"date": date})
        audit_record(
            kind=EventKind.CALENDAR_DAY_REMOVED,
            actor=actor,
            target=day,
            old={"date": date.isoformat(), "kind": day.kind, "name": day.name},
        )
        day.delete()


MAX_HOLIDAY_BLOCK_DAYS = 15


def calendar_schedule_build(
    *,
    year: int,
    holidays: list[tuple[dt.date | None, dt.date | None, str]],
    workdays: list[tuple[dt.date | None, str]],
) -> Schedule:
    """Check a notice's rows (holiday date ranges with the festival name; make-up working
    days) and turn them into a ``Schedule``. Blank rows are skipped. Writes nothing."""
    if not 2000 <= year <= 2200:
        raise field_error("year", gettext_lazy("年份应在 2000 到 2200 之间。"))
    earliest = dt.date(year - 1, 12, 1)  # 元旦 may begin in the December before

    def in_range(day: dt.date, field: str) -> None:
        if not earliest <= day <= dt.date(year, 12, 31):
            raise field_error(
                field,
                gettext_lazy("%(day)s 不在 %(year)s 年的安排内（可含上一年 12 月）。")
                % {"day": day, "year": year},
            )

    schedule = Schedule(year)
    for i, (start, end, name) in enumerate(holidays, 1):
        name = (name or "").strip()
        if start is None and end is None and not name:
            continue
        field = f"holidays[{i}]"
        if start is None:
            raise field_error(field, gettext_lazy("第 %(i)s 行放假安排缺少起始日期。") % {"i": i})
        end = end or start
        if not name:
            raise field_error(
                field, gettext_lazy("第 %(i)s 行放假安排请填写节日名称（如“春节”）。") % {"i": i}
            )
        if end < start:
            raise field_error(
                field, gettext_lazy("第 %(i)s 行放假安排的结束日期早于起始日期。") % {"i": i}
            )
        if (end - start).days + 1 > MAX_HOLIDAY_BLOCK_DAYS:
            raise field_error(
                field,
                gettext_lazy("第 %(i)s 行放假安排超过 %(MAX_HOLIDAY_BLOCK_DAYS)s 天，请核对日期。")
                % {"i": i, "MAX_HOLIDAY_BLOCK_DAYS": MAX_HOLIDAY_BLOCK_DAYS},
            )
        in_range(start, field)
        in_range(end, field)
        day = start
        while day <= end:
            if day in schedule.holidays:
                raise field_error(
                    field, gettext_lazy("%(day)s 在多行放假安排中重复出现。") % {"day": day}
                )
            schedule.holidays[day] = name
            day += dt.timedelta(days=1)
    for i, (day, name) in enumerate(workdays, 1):
        name = (name or "").strip()
        if day is None and not name:
            continue
        field = f"workdays[{i}]"
        if day is None:
            raise field_error(field, gettext_lazy("第 %(i)s 行调休上班缺少日期。") % {"i": i})
        in_range(day, field)
        if day.weekday() < 5:
            raise field_error(
                field,
                gettext_lazy("%(day)s 是周%(value)s，本来就上班，不是调休上班日。")
                % {"day": day, "value": "一二三四五"[day.weekday()]},
            )
        if day in schedule.holidays:
            raise field_error(
                field, gettext_lazy("%(day)s 已列为放假日，不能同时是调休上班日。") % {"day": day}
            )
        if day in schedule.workdays:
            raise field_error(field, gettext_lazy("%(day)s 在调休上班中重复出现。") % {"day": day})
        schedule.workdays[day] = name or "调休上班"
    if not schedule.holidays:
        raise field_error("holidays", gettext_lazy("请至少填写一行放假安排。"))
    return schedule


def calendar_year_load(
    *,
    year: int,
    notice: str,
    holidays: list[tuple[dt.date | None, dt.date | None, str]],
    workdays: list[tuple[dt.date | None, str]],
    actor: Actor,
    now: dt.datetime | None = None,
) -> dict[str, list]:
    """Enter a State Council notice (国务院办公厅关于部分节假日安排的通知) for ``year``:
    its holidays and make-up working days replace the year's calendar, and the year
    counts as loaded, so its deadlines are no longer provisional."""
    require(actor, Perm.JURISDICTION_EDIT)
    notice = (notice or "").strip()
    if not notice:
        raise field_error(
            "notice", gettext_lazy("请填写通知的标题或文号（如“国办发明电〔2026〕x号”）。")
        )
    schedule = calendar_schedule_build(year=year, holidays=holidays, workdays=workdays)
    return _store(schedule, source=notice[:200], notice=notice[:200], actor=actor, now=now)


def calendar_year_sync(
    *, years: list[int], actor: Actor, force: bool = False, now: dt.datetime | None = None
) -> dict[int, str]:
    """Load ``years`` from the chinesecalendar library (rerun after upgrading it).

    A year entered from a notice by the administrator is kept unless ``force``. Returns,
    per year, what happened: ``loaded``, ``unchanged``, ``kept`` or ``not in library``."""
    require(actor, Perm.JURISDICTION_EDIT)
    source = library_source()
    available = set(library_years())
    outcome: dict[int, str] = {}
    for year in years:
        if year not in available:
            outcome[year] = "not in library"
            continue
        current = CalendarYear.objects.filter(year=year).first()
        if current and not force and not current.source.startswith("chinesecalendar"):
            outcome[year] = "kept"
            continue
        schedule = library_schedule(year)
        pending = schedule_changes(schedule, day_model=CalendarDay)
        if current and current.source == source and not any(pending.values()):
            outcome[year] = "unchanged"  # nothing to write, nothing to audit
            continue
        _store(schedule, source=source, notice="", actor=actor, now=now)
        outcome[year] = "loaded"
    return outcome


def _store(schedule: Schedule, *, source: str, notice: str, actor: Actor, now) -> dict:
    now = now or timezone.now()
    label = getattr(actor.user, "display_name", "") or str(actor.user or "系统")
    with transaction.atomic():
        old = CalendarYear.objects.filter(year=schedule.year).first()
        change = store_schedule(
            schedule,
            day_model=CalendarDay,
            year_model=CalendarYear,
            source=source,
            notice=notice,
            loaded_by=label[:200],
            now=now,
        )
        row = CalendarYear.objects.get(year=schedule.year)
        audit_record(
            kind=EventKind.CALENDAR_YEAR_LOADED,
            actor=actor,
            target=row,
            old={"source": old.source, "loaded_at": old.loaded_at} if old else None,
            new={
                "year": schedule.year,
                "source": source,
                "holidays": [d.isoformat() for d in sorted(schedule.holidays)],
                "workdays": [d.isoformat() for d in sorted(schedule.workdays)],
                "added": len(change["added"]),
                "changed": len(change["changed"]),
                "removed": [d.isoformat() for d, _k, _n in change["removed"]],
            },
        )
    return change
