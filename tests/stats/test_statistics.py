"""Public statistics: the Changning series on the demo data, each other figure on data made
through the services, the page for anonymous visitors and the Excel export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from caidan.evaluations.inputs import ScoresInput
from caidan.stats import statistics as s
from tests.evaluations.factories import waive_missing

pytestmark = pytest.mark.django_db

CHANGNING = [
    (2012, 31, Decimal("384.6")),
    (2013, 59, Decimal("1900.0")),
    (2014, 65, Decimal("2380.9")),
    (2015, 83, Decimal("3603.0")),
]


def test_annual_series_is_the_changning_series(world):
    rows = [(r["year"], r["count"], r["total_wan"]) for r in s.annual_series()]
    assert [r for r in rows if 2012 <= r[0] <= 2015] == CHANGNING


def _by_key(rows):
    return {r["key"]: (r["count"], r["total"]) for r in rows}


def _added(before, after):
    return {
        k: (v[0] - before.get(k, (0, 0))[0], v[1] - before.get(k, (0, 0))[1])
        for k, v in after.items()
        if v != before.get(k)
    }


def test_funds_by_method_and_mode_for_a_year(world):
    import datetime as dt

    from tests.procurement.factories import approved_proposal

    year = dt.date.today().year + 1  # the year approved_proposal uses
    method0 = _by_key(s.funds_by_method(year))
    mode0 = _by_key(s.funds_by_mode(year))
    p = approved_proposal(world, budget="1000000.00", method="open_tender")
    approved_proposal(world, budget="500000.00", method="consultation")
    approved_proposal(world, budget="200000.00", method="post_purchase")
    assert p.year == year and s.latest_year() == year
    assert _added(method0, _by_key(s.funds_by_method(year))) == {
        "consultation": (1, Decimal("500000.00")),
        "open_tender": (1, Decimal("1000000.00")),
        "post_purchase": (1, Decimal("200000.00")),
    }
    assert _added(mode0, _by_key(s.funds_by_mode(year))) == {
        "outsourcing": (2, Decimal("1500000.00")),
        "post": (1, Decimal("200000.00")),
    }
    rows = s.funds_by_mode(year)
    assert sum(r["total"] for r in rows) == sum(r["total"] for r in s.funds_by_method(year))
    assert s.funds_by_method(1999) == []


def test_funds_by_method_on_the_demo_year_2013(world):
    rows = s.funds_by_method(2013)
    assert sum(r["count"] for r in rows) == 59
    assert sum(r["total_wan"] for r in rows) == Decimal("1900.0")


def test_bids_per_opened_tender(world):
    from tests.procurement.factories import opened_tender, published_tender

    assert s.bid_statistics()["tenders"] == 0
    opened_tender(world)  # three bids
    opened_tender(world, prices=("800000.00",))
    published_tender(world)  # not opened: not counted
    stats = s.bid_statistics()
    assert stats["tenders"] == 2
    assert stats["bids"] == 4
    assert stats["average"] == Decimal("2.00")
    assert stats["distribution"] == [{"valid": 1, "tenders": 1}, {"valid": 3, "tenders": 1}]


def test_published_grade_distribution(world):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    evaluator = world.actor("evaluator")
    grades = []
    for fraction in ("0.95", "0.75"):
        e = scheduled(world)
        evaluation_score(
            evaluation=e,
            actor=evaluator,
            data=ScoresInput.parse(scores=full_scores(e, fraction), summary="结论"),
        )
        waive_missing(world, e)
        grades.append(evaluation_publish(evaluation=e, actor=evaluator).grade)
    scheduled(world)  # open: not counted
    rows = {r["grade"]: r["count"] for r in s.grade_distribution()}
    expected = {g: grades.count(g) for g in ("excellent", "good", "fair", "poor")}
    assert rows == expected
    assert sum(rows.values()) == 2
    shares = [r["share"] for r in s.grade_distribution() if r["count"]]
    assert sum(shares) == Decimal(100)


def test_organizations_per_10000_residents(world):
    from caidan.accounts.models import Unit
    from caidan.orgs.models import Organization
    from tests.procurement.factories import make_bidders

    active = Organization.objects.filter(status="active").count()
    population = Unit.objects.get(parent__isnull=True).population
    make_bidders(world, 2)
    out = s.orgs_per_10k()
    assert out["active"] == active + 2
    assert out["population"] == population
    expected = (Decimal(active + 2) * 10000 / population).quantize(Decimal("0.01"))
    assert out["ratio"] == expected
    Unit.objects.filter(parent__isnull=True).update(population=120000)
    # 12 active organizations in a population of 120,000: 1.00 per 10,000
    Organization.objects.filter(
        pk__in=Organization.objects.filter(status="active").order_by("id")[12:].values("pk")
    ).update(status="deregistered")
    assert s.orgs_per_10k()["ratio"] == Decimal("1.00")


def _enterprise_contract(world):
    """A contract won by an enterprise at 600,000 and signed by both sides."""
    from caidan.contracts.services import contract_create, contract_sign
    from caidan.orgs.models import Organization
    from tests.contracts.factories import award_for
    from tests.procurement.factories import make_bidders

    bidders = make_bidders(world, 3)
    Organization.objects.filter(pk=bidders[0].org.pk).update(legal_form="enterprise")
    award = award_for(world, price="600000.00", bidders=bidders)
    contract = contract_create(award=award, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=bidders[0].actor)
    contract.refresh_from_db()
    assert contract.status == "active"
    return contract


def test_social_organizations_share_of_signed_contracts(world):
    from tests.contracts.factories import draft_contract, signed_contract

    assert s.social_share()["share"] is None
    signed_contract(world)  # 800,000 to the demo provider, a social service institution
    _enterprise_contract(world)  # 600,000 to an enterprise
    draft_contract(world)  # not signed: not counted
    out = s.social_share()
    assert out["contracts"] == 2
    assert out["total"] == Decimal("1400000.00")
    assert out["social"] == Decimal("800000.00")
    assert out["share"] == Decimal("57.1")  # 800,000 / 1,400,000
    assert out["expected"] == Decimal(30)
    assert out["meets"] is True


def test_page_renders_for_anonymous(client, world, django_assert_max_num_queries):
    from caidan.stats.snapshots import stats_refresh

    stats_refresh()  # as the hourly tick does (tests/stats/test_snapshots.py)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("stats:index")).status_code == 200  # the current year
    with django_assert_max_num_queries(8):
        resp = client.get(reverse("stats:index"), {"year": "2013"})  # the demo's plan year
    assert resp.status_code == 200
    html = resp.content.decode()
    for testid in (
        "stats-series",
        "chart-series",
        "stats-method",
        "chart-method",
        "stats-mode",
        "stats-purchaser",
        "chart-purchaser",
        "stats-field",
        "chart-field",
        "stats-source",
        "chart-source",
        "stats-provider",
        "stats-bids",
        "stats-grades",
        "stats-density",
        "stats-share",
    ):
        assert f'data-testid="{testid}"' in html, testid
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert "384.60" in html and "3,603.00" in html  # 万元, as the wan filter prints them
    assert reverse("stats:export") in html


def test_year_parameter(client, world):
    resp = client.get(reverse("stats:index"), {"year": "2013"})
    assert resp.status_code == 200
    assert resp.context["year"] == 2013
    assert sum(r["count"] for r in resp.context["by_method"]) == 59
    assert client.get(reverse("stats:index"), {"year": "x"}).context["year"] == s.default_year()


def test_excel_export(client, world):
    from openpyxl import load_workbook

    resp = client.get(reverse("stats:export"))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(resp.content), read_only=True)
    assert len(workbook.sheetnames) == 12  # the last: 代办参与 (assisted participation)
    assert workbook.sheetnames[0] == "年度立项"
    rows = list(workbook["年度立项"].iter_rows(values_only=True))
    assert rows[0] == ("年度", "立项数", "资金（元）", "资金（万元）")
    series = [(r[0], r[1], Decimal(str(r[3]))) for r in rows[1:] if 2012 <= r[0] <= 2015]
    assert series == CHANGNING
