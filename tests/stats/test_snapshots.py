"""The statistics page reads small tables only: the plan totals (exact on write) and the
snapshots the hourly tick refreshes (``stats/snapshots.py``), shown with their time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caidan.common.tick import run_tick
from caidan.stats import statistics as s
from caidan.stats.models import StatsSnapshot
from caidan.stats.snapshots import (
    FIGURES,
    stats_refresh,
    stats_refresh_tick,
    stats_snapshots,
    totals_rebuild,
)

pytestmark = pytest.mark.django_db

BIG_TABLES = (
    "projects_proposal",
    "procurement_",
    "contracts_",
    "evaluations_",
    "orgs_organization",
)


def test_the_tick_refreshes_hourly(world):
    now = timezone.now()
    assert stats_refresh_tick(now) > len(FIGURES)  # the figures and a provider table per year
    assert stats_refresh_tick(now + dt.timedelta(minutes=59)) == 0
    assert stats_refresh_tick(now + dt.timedelta(minutes=61)) > 0
    assert {r.name for r in StatsSnapshot.objects.all()} >= set(FIGURES) | {"providers:2013"}
    assert "stats.refresh" in [r.name for r in run_tick(only=["stats.refresh"])]


def test_snapshots_give_back_what_was_computed(world):
    """Decimals survive the JSON round trip; the page's figures equal the live ones."""
    from caidan.stats.assisted import assisted_counts
    from tests.contracts.factories import signed_contract
    from tests.procurement.factories import opened_tender

    opened_tender(world)
    contract = signed_contract(world)
    year = contract.proposal.year
    stats_refresh()
    figures, as_of = stats_snapshots(year)
    assert figures == {
        "bids": s.bid_statistics(),
        "grades": s.grade_distribution(),
        "density": s.orgs_per_10k(),
        "assisted": assisted_counts(),
        "share": s.social_share(year),
        "providers": s.contracts_by_provider(year),
    }
    assert figures["providers"][0]["total"] == Decimal("800000.00")
    assert isinstance(figures["share"]["share"], Decimal)
    assert as_of <= timezone.now()


def test_the_page_shows_the_snapshot_and_its_time(client, world):
    from tests.procurement.factories import opened_tender

    opened_tender(world)
    stats_refresh(now=timezone.now() - dt.timedelta(minutes=30))
    opened_tender(world, prices=("800000.00",))  # after the refresh: not shown yet
    resp = client.get(reverse("stats:index"))
    assert resp.context["bids"]["tenders"] == 1
    shown = timezone.localtime(resp.context["as_of"]).strftime("%Y-%m-%d %H:%M")
    assert 'data-testid="stats-as-of"' in resp.content.decode()
    assert shown in resp.content.decode()
    run_tick(only=["stats.refresh"], now=timezone.now() + dt.timedelta(minutes=31))
    assert client.get(reverse("stats:index")).context["bids"]["tenders"] == 2


def test_before_the_first_refresh_the_page_computes_the_figures(client, world):
    from tests.procurement.factories import opened_tender

    opened_tender(world)
    assert not StatsSnapshot.objects.exists()
    resp = client.get(reverse("stats:index"))
    assert resp.context["bids"]["tenders"] == 1
    assert not StatsSnapshot.objects.exists()  # a read writes nothing


def test_the_page_reads_no_big_table_and_a_constant_number_of_queries(client, world):
    from tests.procurement.factories import approved_proposal

    stats_refresh()
    url = reverse("stats:index")
    with CaptureQueriesContext(connection) as first:
        client.get(url, {"year": "2013"})
    approved_proposal(world, budget="300000.00")
    approved_proposal(world, budget="200000.00", unit="310105-002", method="consultation")
    with CaptureQueriesContext(connection) as second:
        resp = client.get(url, {"year": str(timezone.localdate().year + 1)})
    assert len(first.captured_queries) == len(second.captured_queries) <= 8
    for query in second.captured_queries:
        assert not any(table in query["sql"] for table in BIG_TABLES), query["sql"]
    assert {r["key"] for r in resp.context["by_method"]} >= {"consultation", "open_tender"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
def test_the_page_plans_scan_no_proposals(client, world):
    stats_refresh()
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("stats:index"), {"year": "2013"})
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            if not query["sql"].startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(r[0] for r in cursor.fetchall())
            assert "projects_proposal" not in plan, plan


def test_totals_rebuild_recomputes_everything(world, capsys):
    from caidan.projects.models import PlanTotal

    PlanTotal.objects.all().delete()
    out = totals_rebuild()
    assert out["plan_totals"] > 0 and out["stats_snapshots"] > len(FIGURES)
    assert s.annual_series()[0]["year"] == 2012
    call_command("totals_rebuild")
    assert "plan_totals:" in capsys.readouterr().out
    call_command("totals_rebuild", "--check")
