"""The amendment's confirmation reads as people read a contract (issue 20): money as
¥1,234.00, dates as dates in the page's language, the payment split as percentages and the
budget lines with their amounts — not ``Decimal('780000.00')``, ``2027-01-01`` or
``[50, 35, 15]``; and the same words on the contract page once it is signed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from caidan.contracts.views.helpers import change_rows, display

from .factories import signed_contract
from .test_views_drafting import _terms_post
from .view_helpers import _html

pytestmark = pytest.mark.django_db


def _changes_table(html: str) -> str:
    return html.split('data-testid="amendment-changes"', 1)[1].split("</table>", 1)[0]


def test_the_confirmation_shows_money_dates_and_shares_as_people_read_them(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    end = c.period_end - dt.timedelta(days=31)
    data = _terms_post(
        c,
        amount="780000.00",
        performance_security="1000.50",
        period_end=end.isoformat(),
        payment_split_1="30",
        payment_split_2="20",
        rationale="服务人次调减。",
    )
    html = _html(client.post(f"/contracts/{c.pk}/amend/", data))
    table = _changes_table(html)
    assert "¥800,000.00" in table and "¥780,000.00" in table
    assert "¥1,000.50" in table
    assert f"{end.year}年{end.month}月{end.day}日" in table
    assert "50% / 30% / 20%" in table
    for raw in ("780000.00", "Decimal", end.isoformat(), "[50"):
        assert raw not in table, raw


def test_the_confirmation_in_english(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(
        client.post(
            f"/contracts/{c.pk}/amend/",
            _terms_post(c, amount="780000.00", rationale="服务人次调减。"),
        )
    )
    assert "¥780,000.00" in _changes_table(html)


def test_stored_amendments_and_versions_read_the_same_way():
    """What an amendment stores (text) shows like what the contract holds (Decimal, date)."""
    assert display(Decimal("1234567.5"), "amount") == display("1234567.50", "amount")
    assert display("1234567.50", "amount") == "¥1,234,567.50"
    assert display(dt.date(2027, 3, 1), "period_end") == display("2027-03-01", "period_end")
    assert display([50, 35, 15], "payment_split") == "50% / 35% / 15%"
    lines = [{"line": "人员经费", "amount": "560000.00"}, {"line": "活动经费", "amount": "240000"}]
    assert display(lines, "budget_lines") == "人员经费 ¥560,000.00\n活动经费 ¥240,000.00"
    assert display(None, "amount") == "—" and display(True, "renewal_intent") == "是"
    rows = change_rows({"amount": ("800000.00", "780000.00")})
    assert (rows[0]["old"], rows[0]["new"]) == ("¥800,000.00", "¥780,000.00")
