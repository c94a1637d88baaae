"""Loaded years: a deadline counted through a year whose official schedule (国务院办公厅
节假日安排通知) is not loaded is provisional and says so; the library seeding matches the
published notices."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from caidan.common import calendar as cal
from caidan.common.calendar import WorkingCalendar
from caidan.common.calendar_sources import library_schedule, library_years
from caidan.common.models import CalendarDay, CalendarYear

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _shanghai():
    with timezone.override(SHANGHAI):
        yield


def load_2027_new_year(world):
    """The admin enters 元旦 2027 (Friday 1 January) from the notice."""
    from caidan.jurisdiction.services import calendar_year_load

    calendar_year_load(
        year=2027,
        notice="国务院办公厅关于2027年部分节假日安排的通知（测试）",
        holidays=[(D(2027, 1, 1), D(2027, 1, 3), "元旦")],
        workdays=[],
        actor=world.actor("admin"),
    )


def test_seeded_years_are_official_and_2027_is_not(world):
    assert {2024, 2025, 2026} <= cal.loaded_years()
    assert cal.calendar_year_loaded(2026)
    assert not cal.calendar_year_loaded(2027)
    assert cal.unloaded_years(2025, 2028) == [2027, 2028]
    assert CalendarYear.objects.get(year=2025).source.startswith("chinesecalendar ")


def test_30_december_plus_two_is_provisional_until_2027_is_loaded(world, caplog):
    # Wed 30 Dec 2026 + 2 working days: Thu 31 Dec, then Fri 1 Jan 2027 by the weekend rule.
    with caplog.at_level(logging.WARNING, logger="caidan.calendar"):
        got = cal.add_working_days_checked(D(2026, 12, 30), 2)
    assert got.date == D(2027, 1, 1) and got.date.weekday() == 4
    assert got.provisional and got.unloaded_years == (2027,)
    assert "Provisional" in caplog.text and "2027" in caplog.text
    assert cal.deadline_unloaded_years(got.deadline, since=D(2026, 12, 30)) == [2027]

    load_2027_new_year(world)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="caidan.calendar"):
        got = cal.add_working_days_checked(D(2026, 12, 30), 2)
    # 1–3 January off (Fri–Sun): the second working day is Monday 4 January 2027.
    assert got.date == D(2027, 1, 4) and got.date.weekday() == 0
    assert not got.provisional and caplog.text == ""
    assert cal.deadline_after_working_days(D(2026, 12, 30), 2).date() == D(2027, 1, 4)
    assert cal.deadline_unloaded_years(got.deadline, since=D(2026, 12, 30)) == []


@pytest.mark.parametrize(
    ("start", "days", "expected", "unloaded"),
    [
        (D(2026, 12, 28), 2, D(2026, 12, 30), []),  # stays in 2026: official
        (D(2026, 12, 30), 1, D(2026, 12, 31), []),  # the last day of 2026: official
        (D(2026, 12, 31), 1, D(2027, 1, 1), [2027]),  # first step into 2027: provisional
        (D(2027, 1, 4), -3, D(2026, 12, 30), [2027]),  # counting back from 2027 too
    ],
)
def test_year_boundary_table(world, start, days, expected, unloaded):
    calendar = WorkingCalendar()
    assert calendar.add_working_days(start, days) == expected
    assert calendar.unloaded_years == unloaded
    assert calendar.provisional is bool(unloaded)


def test_static_calendar_is_never_provisional():
    static = WorkingCalendar(overrides={})
    assert static.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    assert static.unloaded_years == [] and not static.provisional


def test_checking_loaded_years_is_one_more_query_only_when_asked(world, django_assert_num_queries):
    fresh = WorkingCalendar()
    with django_assert_num_queries(2):  # 2026 and 2027 calendar days
        fresh.add_working_days(D(2026, 12, 30), 5)
    with django_assert_num_queries(1):
        assert fresh.unloaded_years == [2027]


@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    [
        # 2025 Spring Festival: 28 Jan – 4 Feb off; Sun 26 Jan and Sat 8 Feb are worked.
        (D(2025, 1, 24), 1, D(2025, 1, 26), "Friday + 1 is the make-up Sunday 26 Jan"),
        (D(2025, 1, 26), 1, D(2025, 1, 27), "the Monday before the holiday block"),
        (D(2025, 1, 27), 1, D(2025, 2, 5), "the day before the block jumps past it"),
        (D(2025, 1, 28), 0, D(2025, 2, 5), "a day of the block: the next working day"),
        (D(2025, 2, 4), 1, D(2025, 2, 5), "the last day of the block + 1"),
        (D(2025, 2, 7), 1, D(2025, 2, 8), "Friday + 1 is the make-up Saturday 8 Feb"),
        # 2025 National Day and Mid-Autumn: 1–8 Oct off; Sun 28 Sep and Sat 11 Oct worked.
        (D(2025, 9, 30), 1, D(2025, 10, 9), "1–8 October off"),
        (D(2025, 10, 10), 1, D(2025, 10, 11), "the make-up Saturday 11 Oct"),
        # 2026 Spring Festival: 15–23 Feb off; Sat 14 Feb and Sat 28 Feb worked.
        (D(2026, 2, 13), 1, D(2026, 2, 14), "the make-up Saturday 14 Feb"),
        (D(2026, 2, 14), 1, D(2026, 2, 24), "9 days off, back Tuesday 24 Feb"),
        (D(2026, 2, 27), 1, D(2026, 2, 28), "the make-up Saturday 28 Feb"),
        # 2026 New Year: 1–3 Jan off, Sun 4 Jan worked.
        (D(2025, 12, 31), 1, D(2026, 1, 4), "the make-up Sunday 4 Jan"),
    ],
)
def test_seeded_official_dates(world, start, days, expected, why):
    calendar = WorkingCalendar()
    assert calendar.add_working_days(start, days) == expected, why
    assert not calendar.provisional


def test_library_schedule_matches_known_notices():
    s2025 = library_schedule(2025)
    assert s2025.workdays[D(2025, 1, 26)] == "春节调休"
    assert set(s2025.workdays) == {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27)} | {
        D(2025, 9, 28),
        D(2025, 10, 11),
    }
    assert all(D(2025, 10, d) in s2025.holidays for d in range(1, 9))
    assert s2025.holidays[D(2025, 10, 1)] == "国庆节"
    s2026 = library_schedule(2026)
    assert set(s2026.workdays) == {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }
    assert [d for d in s2026.holidays if d.month == 2] == [
        D(2026, 2, 15) + dt.timedelta(i) for i in range(9)
    ]
    assert library_schedule(1990) is None
    assert 2026 in library_years()


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_library_agrees_with_the_holidays_package(year):
    """Cross-check with the ``holidays`` package: every weekday it gives off is off in our
    source, and every make-up day it names (“substituted from …”) is a workday here."""
    holidays = pytest.importorskip("holidays")
    other = holidays.China(years=year)
    ours = library_schedule(year)
    for day, label in other.items():
        if day.weekday() < 5:
            assert day in ours.holidays, (day, label)
    substituted = {
        dt.datetime.strptime(label.rsplit("from ", 1)[1].rstrip(")"), "%m/%d/%Y").date()
        for label in other.values()
        if "substituted from" in label
    }
    assert substituted == set(ours.workdays)
    weekday_holidays = {d for d in ours.holidays if d.weekday() < 5}
    assert weekday_holidays == {d for d in other if d.weekday() < 5}


def test_stored_days_match_the_library(world):
    for year in (2025, 2026):
        stored = {
            (d, k)
            for d, k in CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
        }
        assert stored == {(d, k) for d, k, _n in library_schedule(year).rows()}


def render(value) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):  # the Chinese page, whatever a test left active
        return Template("{% load calendar_tags %}[{% deadline_warning value %}]").render(
            Context({"value": value})
        )


@pytest.mark.parametrize(
    ("value", "warns"),
    [
        (None, False),
        (D(2026, 12, 31), False),
        (D(2027, 1, 4), True),
        (dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), True),  # 1 January in Shanghai
        (dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), False),  # 23:59 on 31 December
    ],
)
def test_deadline_warning_tag(world, time_machine, value, warns):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI))
    html = render(value)
    assert ("暂算" in html) is warns, html
    if warns:
        assert "2027" in html and 'role="note"' in html


def test_deadline_warning_disappears_once_loaded(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI))
    assert "暂算" in render(D(2027, 1, 4))
    load_2027_new_year(world)
    assert render(D(2027, 1, 4)) == "[]"
    # A past deadline looks at its own year only: 2023 was never loaded, 2025 was.
    assert "2023 年" in render(D(2023, 6, 1))
    assert render(D(2025, 6, 1)) == "[]"


@pytest.mark.parametrize(
    ("today", "missing"),
    [(D(2026, 10, 31), None), (D(2026, 11, 1), 2027), (D(2026, 12, 4), 2027)],
)
def test_next_year_missing_from_1_november(world, today, missing):
    assert cal.next_year_missing(today) == missing
