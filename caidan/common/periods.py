"""Periods counted in years: where "at most one year" ends (民法典 §201–§202).

A service period is written with its first and last day, both included ("2026-01-01 至
2026-12-31"). A period of ``n`` years that starts on day ``S`` therefore ends on the day
before the *anniversary* of ``S`` — the first day of the next such period:

* the anniversary is the same month and day ``n`` years later (民法典 §202: "到期月的对应日");
* a start on 29 February whose anniversary year has no 29 February has no corresponding
  day; §202 then makes the last day of that month (28 February) the period's last day, so
  the period ends on 28 February and the next one starts on 1 March.

Examples: 2026-01-01 + 1 year → last day 2026-12-31 (2027-01-01 is too late);
2023-03-01 → 2024-02-29 (leap year, the full year); 2024-03-01 → 2025-02-28;
2024-02-29 → 2025-02-28, next period from 2025-03-01; 2024-02-29 + 4 years → 2028-02-28.

Proposals (DOMAIN.md §4.3: ≤ 1 year, ≤ 3 with a stable-need justification), contracts
(≤ 1 year) and their renewals all use these functions, so they agree to the day.
"""

from __future__ import annotations

import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def anniversary(start: dt.date, years: int) -> dt.date:
    """The first day after a period of ``years`` years from ``start`` (both ends included):
    the same month and day ``years`` later; for a 29 February start in a year without it,
    1 March (the period itself ends on 28 February, 民法典 §202)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February → no corresponding day
        return dt.date(start.year + years, 3, 1)


def max_period_end(start: dt.date, years: int = 1) -> dt.date:
    """The last day a period of at most ``years`` years starting on ``start`` may end on."""
    return anniversary(start, years) - ONE_DAY


def within_years(start: dt.date, end: dt.date, years: int = 1) -> bool:
    """Whether the period ``start``–``end`` (both included) lasts at most ``years`` years."""
    return end <= max_period_end(start, years)


def next_period(start: dt.date, end: dt.date, years: int = 1) -> tuple[dt.date, dt.date]:
    """The same period ``years`` later (a renewal): it starts on the anniversary of
    ``start`` and ends on the day before the anniversary of the day after ``end``, so a
    one-year period is followed by a one-year period with no gap and no overlap, also
    from 29 February (2024-02-29–2025-02-28 → 2025-03-01–2026-02-28)."""
    return anniversary(start, years), anniversary(end + ONE_DAY, years) - ONE_DAY
