"""The statistics page agrees with itself (issue 20): the providers' table and the social
organizations' share count the same contracts of the same year; the bid averages are those
of the figures shown beside them; the page opens on the current year, also in December;
every figure says what it counts and over which years."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from caidan.stats import statistics as s

pytestmark = pytest.mark.django_db

NEXT = dt.date.today().year + 1  # the year of the factories' projects (so of their contracts)


def _local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    ("now", "year"),
    [
        (_local(2026, 12, 31, 0, 0), 2026),
        (_local(2026, 12, 31, 23, 59, 59), 2026),
        (_local(2027, 1, 1, 0, 0), 2027),
        (_local(2027, 1, 1, 12, 0), 2027),
        # 31 December 16:30 UTC is already 1 January in Shanghai
        (dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), 2027),
    ],
)
def test_default_year_is_the_current_local_year(now, year):
    assert s.default_year(now=now) == year


def test_in_december_the_page_opens_on_this_year_not_next_years_plan(client, world):
    """Next year's projects are approved in December; the page still opens on this year."""
    import time_machine

    from tests.procurement.factories import approved_proposal

    approved_proposal(world, budget="300000.00")  # a project of next year
    assert s.latest_year() == NEXT
    for moment, expected in (
        (_local(NEXT - 1, 12, 31, 23, 0), NEXT - 1),
        (_local(NEXT, 1, 1, 0, 30), NEXT),
    ):
        with time_machine.travel(moment, tick=False):
            resp = client.get(reverse("stats:index"))
        assert resp.context["year"] == expected
        assert f"（{expected}）" in resp.content.decode()


def test_providers_and_share_count_the_same_contracts_of_the_year(client, world):
    from caidan.stats.snapshots import stats_refresh
    from tests.contracts.factories import draft_contract, signed_contract

    signed_contract(world)
    signed_contract(world)
    draft_contract(world)  # not signed: in neither
    stats_refresh()
    for year, contracts in ((NEXT, 2), (NEXT + 1, 0), (NEXT - 1, 0)):
        resp = client.get(reverse("stats:index"), {"year": str(year)})
        html = resp.content.decode()
        providers, share = resp.context["by_provider"], resp.context["share"]
        assert sum(r["count"] for r in providers) == share["contracts"] == contracts
        assert sum(r["total"] for r in providers) == share["total"]
        shown = re.search(r'data-testid="share-contracts">(\d+)<', html).group(1)
        assert int(shown) == contracts
        assert ("该年度没有已签订的合同" in html) == (contracts == 0)
        assert f"社会组织承接比例（{year}）" in html
    # without a year: every year's signed contracts
    assert s.social_share()["contracts"] == 2


def test_bid_averages_are_those_of_the_figures_shown(client, world):
    from caidan.stats.snapshots import stats_refresh
    from tests.procurement.factories import opened_tender

    opened_tender(world)  # three bids, all valid
    opened_tender(world)
    opened_tender(world, prices=("800000.00",))  # one bid
    stats = s.bid_statistics()
    rows = stats["distribution"]
    assert rows == [{"valid": 1, "tenders": 1}, {"valid": 3, "tenders": 2}]
    assert stats["tenders"] == sum(r["tenders"] for r in rows) == 3
    assert stats["valid"] == sum(r["valid"] * r["tenders"] for r in rows) == 7
    assert stats["bids"] == 7
    assert stats["valid_average"] == Decimal("2.33")  # 7 / 3, not the 3 of the top row
    assert stats["average"] == Decimal("2.33")

    stats_refresh()
    html = client.get(reverse("stats:index")).content.decode()

    def cell(testid):
        return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)

    assert (cell("bids-tenders"), cell("bids-bids"), cell("bids-valid")) == ("3", "7", "7")
    assert cell("bids-valid-average") == "2.33"
    for label in ("开标项目数", "收到投标数（含无效）", "平均每个项目有效投标数"):
        assert label in html
    assert "每个项目的有效投标数" in html  # the distribution's column says per tender
    assert "投标情况（全部年度）" in html and "绩效评价等级分布（全部年度）" in html


def test_no_opened_tender_no_average(world):
    stats = s.bid_statistics()
    assert (stats["tenders"], stats["valid"], stats["average"], stats["valid_average"]) == (
        0,
        0,
        None,
        None,
    )
