"""Working-day calendar (工作日): weekends plus configurable holidays and make-up days (调休).

Dates are calendar dates in the jurisdiction's time zone (Asia/Shanghai by default);
aware datetimes are converted to it first. Later rules use this for legal deadlines,
e.g. "award notice within 2 working days", "answer within 7 working days".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from .errors import field_error

MAX_SPAN_DAYS = 3660  # refuse to search more than ten years for working days


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date of ``value`` in the current (jurisdiction) time zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise field_error("datetime", "时间必须带时区。")
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
        raise field_error("days", "工作日数过大，超出日历可计算范围。")

    def next_working_day(self, start: dt.date | dt.datetime, *, include: bool = False) -> dt.date:
        day = local_date(start)
        if include and self.is_working_day(day):
            return day
        for _ in range(MAX_SPAN_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise field_error("date", "找不到下一个工作日，请检查日历设置。")

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


def is_working_day(day: dt.date | dt.datetime) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: dt.date | dt.datetime, days: int) -> dt.date:
    return WorkingCalendar().add_working_days(start, days)


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    return WorkingCalendar().working_days_between(start, end)


def deadline_after_working_days(start: dt.date | dt.datetime, days: int) -> dt.datetime:
    """End of the ``days``-th working day after ``start``: the usual legal deadline."""
    return end_of_day(add_working_days(start, days))
