"""Working days: weekends, public holidays and make-up working days (调休)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from caidan.common import calendar as cal
from caidan.common.calendar import WorkingCalendar, local_date
from caidan.common.errors import ValidationError
from caidan.common.models import CalendarDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date

# 2026 National Day: Oct 1–7 off, Sun Sep 20 and Sat Oct 10 are make-up working days;
# Mid-Autumn Sep 25–27 off.
NATIONAL_DAY_2026 = {
    **{D(2026, 10, 1) + dt.timedelta(days=i): "holiday" for i in range(7)},
    **{D(2026, 9, 25) + dt.timedelta(days=i): "holiday" for i in range(3)},
    D(2026, 9, 20): "workday",
    D(2026, 10, 10): "workday",
}


@pytest.fixture(autouse=True)
def _shanghai():
    with timezone.override(SHANGHAI):
        yield


@pytest.fixture
def static():
    return WorkingCalendar(overrides=NATIONAL_DAY_2026)


@pytest.fixture
def db_calendar(db):
    """The same exceptions, stored as ``CalendarDay`` rows (replacing any seeded 2026 rows)."""
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=kind, name="测试") for day, kind in NATIONAL_DAY_2026.items()
    )
    return WorkingCalendar()


# The same behaviour is expected from the static and the database-backed calendar.
@pytest.fixture(params=["static", "db_calendar"])
def calendar(request):
    return request.getfixturevalue(request.param)


def test_plain_weekends_without_exceptions():
    plain = WorkingCalendar(overrides={})
    assert plain.is_working_day(D(2027, 3, 5))  # Friday
    assert not plain.is_working_day(D(2027, 3, 6))  # Saturday
    assert not plain.is_working_day(D(2027, 3, 7))  # Sunday
    assert plain.is_working_day(D(2027, 3, 8))  # Monday
    assert plain.add_working_days(D(2027, 3, 5), 1) == D(2027, 3, 8)  # Fri + 1 -> Mon
    assert plain.add_working_days(D(2027, 3, 6), 1) == D(2027, 3, 8)  # Sat + 1 -> Mon
    assert plain.add_working_days(D(2027, 3, 1), 10) == D(2027, 3, 15)
    assert plain.add_working_days(D(2027, 3, 8), -1) == D(2027, 3, 5)  # Mon - 1 -> Fri


def test_static_calendar_does_not_touch_the_database(static):
    # no ``db`` fixture: pytest-django would fail the test on any query
    assert static.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_is_working_day(calendar):
    assert not calendar.is_working_day(D(2026, 10, 1))  # Thursday, holiday
    assert not calendar.is_working_day(D(2026, 10, 5))  # Monday, holiday
    assert calendar.is_working_day(D(2026, 10, 8))  # Thursday after the holiday
    assert calendar.is_working_day(D(2026, 10, 10))  # Saturday, make-up day
    assert not calendar.is_working_day(D(2026, 10, 11))  # ordinary Sunday
    assert calendar.is_working_day(D(2026, 9, 20))  # Sunday, make-up day
    assert not calendar.is_working_day(D(2026, 9, 19))  # ordinary Saturday


def test_add_working_days_across_national_day(calendar):
    start = D(2026, 9, 30)  # Wednesday, last working day before the holiday
    assert calendar.add_working_days(start, 1) == D(2026, 10, 8)
    assert calendar.add_working_days(start, 2) == D(2026, 10, 9)
    assert calendar.add_working_days(start, 3) == D(2026, 10, 10)  # Saturday make-up day
    assert calendar.add_working_days(start, 4) == D(2026, 10, 12)  # skips Sunday 11th


def test_add_working_days_onto_a_make_up_sunday(calendar):
    # Fri Sep 18 + 1: Sat 19 is a weekend, Sun 20 is a make-up working day
    assert calendar.add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)
    assert calendar.add_working_days(D(2026, 9, 18), 2) == D(2026, 9, 21)
    # Thu Sep 24 + 1: Fri 25 – Sun 27 Mid-Autumn, so Mon 28
    assert calendar.add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)


def test_zero_days(calendar):
    assert calendar.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)  # holiday -> next
    assert calendar.add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 10, 9), 0) == D(2026, 10, 9)  # working day itself
    assert calendar.add_working_days(D(2026, 10, 10), 0) == D(2026, 10, 10)  # make-up day
    assert calendar.add_working_days(D(2026, 10, 11), 0) == D(2026, 10, 12)  # Sunday -> Monday


def test_negative_days(calendar):
    assert calendar.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert calendar.add_working_days(D(2026, 10, 12), -1) == D(2026, 10, 10)  # make-up Sat
    assert calendar.add_working_days(D(2026, 10, 12), -2) == D(2026, 10, 9)
    assert calendar.add_working_days(D(2026, 10, 5), -1) == D(2026, 9, 30)  # from a holiday
    assert calendar.add_working_days(D(2026, 9, 21), -1) == D(2026, 9, 20)  # make-up Sun


def test_forward_and_backward_are_inverse_on_working_days(calendar):
    day = D(2026, 9, 14)
    while day < D(2026, 10, 20):
        if calendar.is_working_day(day):
            for n in (1, 2, 5, 9):
                assert calendar.add_working_days(calendar.add_working_days(day, n), -n) == day
        day += dt.timedelta(days=1)


def test_working_days_between(calendar):
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert calendar.working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    # half-open (start, end]: the start itself is not counted
    assert calendar.working_days_between(D(2026, 9, 29), D(2026, 9, 30)) == 1
    for n in range(0, 15):
        end = calendar.add_working_days(D(2026, 9, 30), n) if n else D(2026, 9, 30)
        assert calendar.working_days_between(D(2026, 9, 30), end) == n


def test_working_days_iterates_inclusive(calendar):
    days = list(calendar.working_days(D(2026, 9, 30), D(2026, 10, 12)))
    assert days == [
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]


def test_aware_datetime_counts_in_shanghai(calendar):
    # 17:00 UTC on Sep 30 is 01:00 on Oct 1 in Shanghai: already the holiday
    late = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert not calendar.is_working_day(late)
    assert calendar.add_working_days(late, 0) == D(2026, 10, 8)
    assert calendar.add_working_days(late, -1) == D(2026, 9, 30)
    early = dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC)  # 23:59 Sep 30 in Shanghai
    assert calendar.is_working_day(early)
    assert calendar.add_working_days(early, 0) == D(2026, 9, 30)
    assert calendar.add_working_days(early, -1) == D(2026, 9, 29)


def test_local_date():
    assert local_date(dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)) == D(2026, 10, 1)
    assert local_date(dt.datetime(2026, 9, 30, 15, 59, 59, tzinfo=dt.UTC)) == D(2026, 9, 30)
    assert local_date(D(2026, 9, 30)) == D(2026, 9, 30)
    assert local_date(dt.datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI)) == D(2026, 10, 1)


def test_naive_datetime_refused(static):
    naive = dt.datetime(2026, 9, 30, 12, 0)
    with pytest.raises(ValidationError) as info:
        local_date(naive)
    assert info.value.detail["field"] == "datetime"
    with pytest.raises(ValidationError):
        static.add_working_days(naive, 1)
    with pytest.raises(ValidationError):
        static.is_working_day(naive)


def test_runaway_search_is_refused():
    everything_off = WorkingCalendar(overrides={})
    everything_off.is_working_day = lambda day: False  # a calendar with no working day
    with pytest.raises(ValidationError) as info:
        everything_off.add_working_days(D(2026, 1, 1), 1)
    assert info.value.detail["field"] == "days"
    with pytest.raises(ValidationError) as info:
        everything_off.next_working_day(D(2026, 1, 1))
    assert info.value.detail["field"] == "date"


# --- database-backed path ---------------------------------------------------------------


def test_module_functions_read_calendar_days(db_calendar):
    assert not cal.is_working_day(D(2026, 10, 2))
    assert cal.is_working_day(D(2026, 10, 10))
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_database_rows_change_the_answer(db_calendar):
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    CalendarDay.objects.filter(date=D(2026, 10, 10)).delete()  # no make-up day after all
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 12)
    CalendarDay.objects.create(date=D(2026, 10, 12), kind=CalendarDay.Kind.HOLIDAY, name="x")
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 13)


def test_one_query_per_year(db_calendar, django_assert_num_queries):
    fresh = WorkingCalendar()
    with django_assert_num_queries(1):
        assert fresh.add_working_days(D(2026, 9, 30), 10) == D(2026, 10, 20)
        assert fresh.working_days_between(D(2026, 1, 1), D(2026, 12, 31)) > 200
    with django_assert_num_queries(1):  # crossing into 2027 loads that year once
        fresh.add_working_days(D(2026, 12, 30), 5)
        fresh.add_working_days(D(2027, 1, 4), 5)


def test_seeded_calendar_has_national_day(world):
    """The demo seed stores 2026 National Day the same way."""
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_deadline_after_working_days_is_end_of_day_in_shanghai(db_calendar):
    deadline = cal.deadline_after_working_days(D(2026, 9, 30), 1)
    assert timezone.is_aware(deadline)
    local = deadline.astimezone(SHANGHAI)
    assert (local.date(), local.time()) == (D(2026, 10, 8), dt.time(23, 59, 59, 999999))
    assert local.utcoffset() == dt.timedelta(hours=8)
    assert deadline.astimezone(dt.UTC) == dt.datetime(
        2026, 10, 8, 15, 59, 59, 999999, tzinfo=dt.UTC
    )
    # from an aware instant that is already Oct 1 in Shanghai
    late = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert cal.deadline_after_working_days(late, 0).astimezone(SHANGHAI).date() == D(2026, 10, 8)
    early = dt.datetime(2026, 9, 30, 15, 0, tzinfo=dt.UTC)
    assert cal.deadline_after_working_days(early, 0).astimezone(SHANGHAI).date() == D(2026, 9, 30)


def test_end_and_start_of_day():
    end = cal.end_of_day(D(2026, 10, 8))
    start = cal.start_of_day(D(2026, 10, 9))
    assert end < start
    assert start - end == dt.timedelta(microseconds=1)
    assert start.astimezone(SHANGHAI).time() == dt.time(0, 0)


def test_calendar_day_str(db):
    day = CalendarDay(date=D(2030, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert str(day) == "2030-01-01 法定节假日 元旦"
