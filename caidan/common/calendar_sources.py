"""The official holiday schedule from a maintained library, and writing a year of it.

Source: ``chinesecalendar`` (module ``chinese_calendar``), which carries, for each year
whose State Council notice (国务院办公厅关于部分节假日安排的通知) has been published, every
holiday date and every make-up working day (调休), and refuses years not yet published.
(The ``holidays`` package's China calendar is used as a cross-check in the tests only: it
has no make-up-workday category, and it fills years without a notice by rule, so it cannot
say whether a year's schedule is official.)

``store_schedule`` takes the model classes as arguments so that the data migration can
call it with its historical models; the services wrap it with permissions and audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import metadata

LIBRARY = "chinesecalendar"

# chinese_calendar names holidays in English; the festival names of the notices.
FESTIVAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass
class Schedule:
    """One year's official schedule: holiday dates and make-up working days, with names."""

    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)

    def rows(self) -> list[tuple[dt.date, str, str]]:
        out = [(d, "holiday", n) for d, n in self.holidays.items()]
        out += [(d, "workday", n) for d, n in self.workdays.items()]
        return sorted(out)


def library_source() -> str:
    """E.g. ``chinesecalendar 1.11.0``: what a ``CalendarYear`` row records as its source."""
    return f"{LIBRARY} {metadata.version(LIBRARY)}"


def library_years() -> list[int]:
    """The years the installed library has an official schedule for."""
    import chinese_calendar

    return sorted({d.year for d in chinese_calendar.holidays})


def library_schedule(year: int) -> Schedule | None:
    """The library's schedule for ``year``, or ``None`` if its notice is not in it."""
    import chinese_calendar

    if year not in library_years():
        return None
    schedule = Schedule(year)
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            schedule.holidays[day] = FESTIVAL_NAMES.get(name, name)
    for day, name in chinese_calendar.workdays.items():
        if day.year == year:
            schedule.workdays[day] = f"{FESTIVAL_NAMES.get(name, name)}调休"
    return schedule


def schedule_changes(schedule: Schedule, *, day_model, replace: bool = True) -> dict[str, list]:
    """What storing ``schedule`` would change, without writing: ``added`` and ``removed``
    as ``(date, kind, name)``, ``changed`` as ``(date, old kind, old name, kind, name)``."""
    from django.db.models import Q

    wanted = {d: (k, n) for d, k, n in schedule.rows()}
    # A notice may reach into the December before its year (元旦 from 30 December):
    # those days are written too, but only days of the year itself are ever removed.
    existing = {
        row.date: (row.kind, row.name)
        for row in day_model.objects.filter(
            Q(date__year=schedule.year) | Q(date__in=list(wanted))
        ).order_by()
    }
    added = [(d, k, n) for d, (k, n) in sorted(wanted.items()) if d not in existing]
    changed = [
        (d, *existing[d], k, n)
        for d, (k, n) in sorted(wanted.items())
        if d in existing and existing[d] != (k, n)
    ]
    removed = []
    if replace:
        removed = [
            (d, *existing[d])
            for d in sorted(existing)
            if d not in wanted and d.year == schedule.year
        ]
    return {"added": added, "changed": changed, "removed": removed}


def store_schedule(
    schedule: Schedule,
    *,
    day_model,
    year_model,
    source: str,
    notice: str = "",
    loaded_by: str,
    now: dt.datetime,
    replace: bool = True,
) -> dict[str, list]:
    """Write ``schedule`` as the year's calendar days and mark the year loaded.

    With ``replace`` the year's other days are removed (the notice is the whole truth for
    its year); without it they stay. Returns what changed (see ``schedule_changes``).
    """
    change = schedule_changes(schedule, day_model=day_model, replace=replace)
    day_model.objects.bulk_create(
        [day_model(date=d, kind=k, name=n) for d, k, n in change["added"]]
    )
    for d, _ok, _on, kind, name in change["changed"]:
        day_model.objects.filter(date=d).update(kind=kind, name=name)
    if change["removed"]:
        day_model.objects.filter(date__in=[d for d, _k, _n in change["removed"]]).delete()
    year_model.objects.update_or_create(
        year=schedule.year,
        defaults={"source": source, "notice": notice, "loaded_at": now, "loaded_by": loaded_by},
    )
    return change
