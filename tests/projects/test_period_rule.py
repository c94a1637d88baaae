"""A proposal's service period uses the same rule as contracts (common/periods): one year
ends the day before the anniversary — a 29 February start ends on 28 February — and a
longer period (≤ 3 years, 财政部令第102号) needs the stable-need justification."""

from __future__ import annotations

import datetime as dt

import pytest

from caidan.common.errors import ValidationError
from caidan.projects.inputs import check_period as clean_period

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("start", "end", "justification", "field"),
    [
        ("2026-01-01", "2026-12-31", "", None),
        ("2026-01-01", "2027-01-01", "", "stability_justification"),
        ("2028-02-29", "2029-02-28", "", None),  # no 2029-02-29: month end (民法典 §202)
        ("2028-02-29", "2029-03-01", "", "stability_justification"),
        ("2027-03-01", "2028-02-29", "", None),
        ("2027-03-01", "2028-03-01", "", "stability_justification"),
        ("2026-01-01", "2028-12-31", "需求稳定", None),  # three years
        ("2026-01-01", "2029-01-01", "需求稳定", "period_end"),
        ("2028-02-29", "2031-02-28", "需求稳定", None),
        ("2028-02-29", "2031-03-01", "需求稳定", "period_end"),
        ("2026-01-01", "2026-01-01", "", "period_end"),
    ],
)
def test_clean_period_boundaries(start, end, justification, field):
    if field is None:
        clean_period(D(start), D(end), justification)
    else:
        with pytest.raises(ValidationError) as exc:
            clean_period(D(start), D(end), justification)
        assert exc.value.field == field


@pytest.mark.django_db
def test_a_leap_day_proposal_through_the_service(draft):
    assert draft(period_start=D("2028-02-29"), period_end=D("2029-02-28")).pk
    with pytest.raises(ValidationError) as exc:
        draft(period_start=D("2028-02-29"), period_end=D("2029-03-01"))
    assert exc.value.field == "stability_justification"
    assert "2029-02-28" in exc.value.message
