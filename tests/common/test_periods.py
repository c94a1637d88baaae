"""Periods in years (民法典 §201–§202): "at most one year" ends the day before the
anniversary; a 29 February start ends on 28 February when the year has no 29 February."""

from __future__ import annotations

import datetime as dt

import pytest

from caidan.common.periods import anniversary, max_period_end, next_period, within_years

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("start", "years", "last_day", "next_start"),
    [
        ("2026-01-01", 1, "2026-12-31", "2027-01-01"),
        ("2026-07-15", 1, "2027-07-14", "2027-07-15"),
        ("2023-03-01", 1, "2024-02-29", "2024-03-01"),  # a leap year in the period: full year
        ("2024-03-01", 1, "2025-02-28", "2025-03-01"),
        ("2024-02-28", 1, "2025-02-27", "2025-02-28"),
        ("2024-02-29", 1, "2025-02-28", "2025-03-01"),  # no 2025-02-29: month end (§202)
        ("2024-02-29", 3, "2027-02-28", "2027-03-01"),
        ("2024-02-29", 4, "2028-02-28", "2028-02-29"),  # 2028 has a 29 February
        ("2025-12-31", 3, "2028-12-30", "2028-12-31"),
        ("2026-01-01", 3, "2028-12-31", "2029-01-01"),
    ],
)
def test_max_period_end_is_the_day_before_the_anniversary(start, years, last_day, next_start):
    assert max_period_end(D(start), years) == D(last_day)
    assert anniversary(D(start), years) == D(next_start)
    assert within_years(D(start), D(last_day), years)
    assert not within_years(D(start), D(last_day) + dt.timedelta(days=1), years)


def test_one_year_boundaries():
    start = D("2026-01-01")
    assert within_years(start, D("2026-12-30"))
    assert within_years(start, D("2026-12-31"))
    assert not within_years(start, D("2027-01-01"))


def test_last_day_never_goes_backwards_around_29_february():
    day = D("2023-12-01")
    previous = max_period_end(day)
    while day < D("2029-01-01"):
        day += dt.timedelta(days=1)
        current = max_period_end(day)
        assert current >= previous and (current - day).days in (364, 365), day
        previous = current


@pytest.mark.parametrize(
    ("start", "end", "new_start", "new_end"),
    [
        ("2026-01-01", "2026-12-31", "2027-01-01", "2027-12-31"),
        ("2026-03-01", "2026-12-31", "2027-03-01", "2027-12-31"),  # a shorter first year
        ("2024-02-29", "2025-02-28", "2025-03-01", "2026-02-28"),  # leap-day start
        ("2023-03-01", "2024-02-29", "2024-03-01", "2025-02-28"),  # leap-day end
        ("2027-03-01", "2028-02-29", "2028-03-01", "2029-02-28"),
        ("2024-01-01", "2024-02-28", "2025-01-01", "2025-02-28"),
    ],
)
def test_next_period_follows_without_gap_or_overlap(start, end, new_start, new_end):
    s, e = next_period(D(start), D(end))
    assert (s, e) == (D(new_start), D(new_end))
    if D(end) == max_period_end(D(start)):  # a full year is followed by a full year
        assert s == D(end) + dt.timedelta(days=1) and e == max_period_end(s)
    assert within_years(s, e)
