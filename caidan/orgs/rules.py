"""The registry's rules as plain functions of dates and rows (DOMAIN.md §4.2, §4.6).

Kept free of writes so the eligibility service, the directory and the tests share them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext

GRADE_VALID_YEARS = 5
MAJOR_FINE = Decimal("50000.00")  # 5 万元: at or above → serious-violation list
CLEAN_RECORD_YEARS = 3  # 政府采购法 §22: no major violation in the prior 3 years
ABNORMAL_AUTO_REMOVAL_MONTHS = 6
ABNORMAL_ESCALATION_YEARS = 2
SERIOUS_REMOVAL_YEARS = 2
REPEATED_PENALTY_COUNT = 2
REPEATED_PENALTY_YEARS = 3
DIRECTORY_MIN_GRADE = 3
DIRECTORY_PENALTY_FREE_YEARS = 3


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def grade_valid_until(assessed_on: dt.date) -> dt.date:
    """A grade is valid five years: through the day before the fifth anniversary."""
    return add_years(assessed_on, GRADE_VALID_YEARS) - dt.timedelta(days=1)


def grade_label(level: int | None) -> str:
    """An organization's assessment grade as shown: 4A, or 无等级 (in the page's language)."""
    return f"{level}A" if level else gettext("无等级")


def penalty_is_minor(kind: str, amount: Decimal | None) -> bool:
    """A warning, or a fine under 5 万元 (abnormal-activity list)."""
    if kind == "warning":
        return True
    return kind == "fine" and amount is not None and amount < MAJOR_FINE


def penalty_is_major(kind: str, amount: Decimal | None) -> bool:
    """A major violation (重大违法记录): a fine of 5 万元 or more, confiscation, suspension
    of activities, or revocation of registration."""
    if kind == "fine":
        return amount is not None and amount >= MAJOR_FINE
    return kind in {"confiscation", "suspension", "revocation"}
