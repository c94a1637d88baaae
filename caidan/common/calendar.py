"""Working-day calendar (工作日): weekends plus configurable holidays and make-up days (调休).

Dates are calendar dates in the jurisdiction's time zone (Asia/Shanghai by default);
aware datetimes are converted to it first. Later rules use this for legal deadlines,
e.g. "award notice within 2 working days", "answer within 7 working days".

A year counts as *loaded* only when its official schedule is in (a ``CalendarYear`` row:
from the ``chinesecalendar`` library or from a State Council notice the platform admin
entered). In a year that is not loaded the calendar falls back to the weekend rule, so a
deadline computed in or across it is *provisional*: ``WorkingCalendar.unloaded_years``
says which years a computation touched without their schedule, the module helpers log a
warning, and ``deadline_unloaded_years`` answers the same question for a stored deadline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from .errors import field_error

MAX_SPAN_DAYS = 3660  # refuse to search more than ten years for working days
# From this day of the year on, next year's schedule should be in (the State Council
# usually publishes it in late October or November).
NEXT_YEAR_DUE = (11, 1)

logger = logging.getLogger("caidan.calendar")


def loaded_years() -> set[int]:
    """Years whose official schedule of holidays and make-up days is loaded."""
    from .models import CalendarYear

    return set(CalendarYear.objects.values_list("year", flat=True))


def calendar_year_loaded(year: int) -> bool:
    from .models import CalendarYear

    return CalendarYear.objects.filter(year=year).exists()


def unloaded_years(first: int, last: int) -> list[int]:
    """The years in ``first..last`` (inclusive) whose schedule is not loaded."""
    have = loaded_years()
    return [y for y in range(first, last + 1) if y not in have]


def deadline_unloaded_years(
    value: dt.date | dt.datetime | None,
    *,
    since: dt.date | dt.datetime | None = None,
    loaded: set[int] | None = None,
) -> list[int]:
    """Unloaded years a deadline is counted through: from ``since`` (default today) to the
    deadline; for a deadline before ``since``, only its own year. Empty means it stands on
    the official schedule; otherwise it is provisional. ``loaded`` saves the query in loops."""
    if value is None:
        return []
    end = local_date(value)
    start = local_date(since) if since is not None else timezone.localdate()
    first = end.year if end < start else start.year
    have = loaded_years() if loaded is None else loaded
    return [y for y in range(first, end.year + 1) if y not in have]


def next_year_missing(today: dt.date | None = None) -> int | None:
    """Next year, if its schedule is due (from 1 November) and not loaded; else ``None``."""
    today = today or timezone.localdate()
    if (today.month, today.day) < NEXT_YEAR_DUE:
        return None
    return None if calendar_year_loaded(today.year + 1) else today.year + 1


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date of ``value`` in the current (jurisdiction) time zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise field_error("datetime", gettext_lazy("时间必须带时区。"))
        return timezone.localtime(value).date()
    return value


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` in the jurisdiction's time zone, as an aware datetime."""
    naive = dt.datetime.combine(day, dt.time(23, 59, 59, 999999))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class WorkingCalendar:
    """Answers working-day questions with one query per calendar year touched."""

    def __init__(self, overrides: dict[dt.date, str] | None = None):
        self._overrides: dict[dt.date, str] = dict(overrides or {})
        self._loaded_years: set[int] = set() if overrides is None else {-1}
        self._static = overrides is not None
        # Years any computation of this calendar looked at; checked against the loaded
        # years only when asked (one more query), so answers stay one query a year.
        self.touched_years: set[int] = set()

    @property
    def unloaded_years(self) -> list[int]:
        """Touched years whose official schedule is not loaded (weekend rule only)."""
        if self._static or not self.touched_years:
            return []
        have = loaded_years()
        return sorted(y for y in self.touched_years if y not in have)

    @property
    def provisional(self) -> bool:
        """True when some computation ran through a year without its official schedule."""
        return bool(self.unloaded_years)

    def _load_year(self, year: int) -> None:
        if self._static or year in self._loaded_years:
            return
        from .models import CalendarDay

        rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
        self._overrides.update(dict(rows))
        self._loaded_years.add(year)

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        day = local_date(day)
        self._load_year(day.year)
        self.touched_years.add(day.year)
        kind = self._overrides.get(day)
        if kind == "holiday":
            return False
        if kind == "workday":
            return True
        return day.weekday() < 5

    def add_working_days(self, start: dt.date | dt.datetime, days: int) -> dt.date:
        """The date that is the ``days``-th working day after ``start`` (start not counted).

        ``days == 0`` gives ``start`` itself if it is a working day, else the next one.
        Negative ``days`` count backwards.
        """
        day = local_date(start)
        if days == 0:
            return self.next_working_day(day, include=True)
        step = dt.timedelta(days=1 if days > 0 else -1)
        remaining = abs(days)
        for _ in range(MAX_SPAN_DAYS):
            day += step
            if self.is_working_day(day):
                remaining -= 1
                if remaining == 0:
                    return day
        raise field_error("days", gettext_lazy("工作日数过大，超出日历可计算范围。"))

    def next_working_day(self, start: dt.date | dt.datetime, *, include: bool = False) -> dt.date:
        day = local_date(start)
        if include and self.is_working_day(day):
            return day
        for _ in range(MAX_SPAN_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise field_error("date", gettext_lazy("找不到下一个工作日，请检查日历设置。"))

    def working_days_between(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
        """Working days in the half-open interval (start, end]; negative if end < start."""
        a, b = local_date(start), local_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count

    def working_days(self, start: dt.date, end: dt.date) -> Iterable[dt.date]:
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingDayResult:
    """A computed date and the unloaded years it was counted through (empty: official)."""

    date: dt.date
    unloaded_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.unloaded_years)

    @property
    def deadline(self) -> dt.datetime:
        return end_of_day(self.date)


def add_working_days_checked(start: dt.date | dt.datetime, days: int) -> WorkingDayResult:
    """``add_working_days`` that also says whether the answer is provisional (and logs a
    warning when it is). The loaded years are read once."""
    cal = WorkingCalendar()
    result = cal.add_working_days(start, days)
    unloaded = tuple(cal.unloaded_years)
    if unloaded:
        logger.warning(
            "Provisional working-day computation: %s + %s working days = %s counted through "
            "%s without the official holiday schedule (load it on the calendar page).",
            start,
            days,
            result,
            ", ".join(map(str, unloaded)),
        )
    return WorkingDayResult(result, unloaded)


def is_working_day(day: dt.date | dt.datetime) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: dt.date | dt.datetime, days: int) -> dt.date:
    """The ``days``-th working day after ``start``; logs a warning when the count ran
    through a year whose official schedule is not loaded (see ``add_working_days_checked``)."""
    return add_working_days_checked(start, days).date


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    return WorkingCalendar().working_days_between(start, end)


def deadline_after_working_days(start: dt.date | dt.datetime, days: int) -> dt.datetime:
    """End of the ``days``-th working day after ``start``: the usual legal deadline."""
    return end_of_day(add_working_days(start, days))
