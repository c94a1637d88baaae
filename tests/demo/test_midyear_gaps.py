"""The mid-year demo shows the demand gap (issue 21): last year's unanswered need (flagged to
江苏路街道's purchaser) and this year's need and menu item answered by next year's project."""

from __future__ import annotations

from django.utils import timezone

from caidan.demo.midyear import seed_midyear
from caidan.demo.midyear.gaps import OLD_NEED, TITLE


def test_the_demo_answers_some_demand_and_flags_last_years(world):
    from caidan.needs.models import Need
    from caidan.notifications.models import Notification
    from caidan.projects.models import Proposal
    from caidan.stats.gaps import GapFilter, gap_table, gap_totals
    from caidan.stats.models import UnmetNeedFlag

    seed_midyear()
    jiangsu = world.unit("310105-001")
    year = timezone.localdate().year
    project = Proposal.objects.get(title=TITLE)
    assert project.status == "approved" and project.year == year + 1
    [answered] = project.needs.all()
    [item] = project.menu_items.all()
    orders = item.orders.count()

    this_year = {r.key: r for r in gap_table(GapFilter(year=year, unit=jiangsu.pk))}
    need_row = this_year[(jiangsu.pk, "", "elderly_alone")]
    assert need_row.met >= 1 and answered.created_at.year == year
    order_row = this_year[(jiangsu.pk, item.catalog_item.code[:4], "")]
    assert order_row.met == orders and order_row.unmet > 0  # the other items: still unmet
    assert gap_totals(list(this_year.values()))["unmet"] > 0

    old = Need.objects.get(text=OLD_NEED)
    last_year = gap_table(GapFilter(year=old.created_at.year, unit=jiangsu.pk))
    assert sum(r.unmet for r in last_year) >= 1
    assert UnmetNeedFlag.objects.filter(need=old).exists()
    assert Notification.objects.filter(
        recipient=world.user("purchaser"), kind="need.unmet"
    ).exists()


def test_the_demo_evaluations_record_the_output_the_gap_page_shows_delivered(world, client):
    """The completed contract promises 2,400 service visits (its one output indicator); its
    mid-term evaluation records 1,104 of the half-year's 1,200 and its final one 2,208 of the
    2,400 (92 %, so 实际完成率 earns the 18.40 of 20 a hand score of 92 % gives). The gap
    page's delivered output for 江苏路街道's elderly-care row is the final one: 2,208."""
    from decimal import Decimal

    from django.urls import reverse

    from caidan.contracts.models import Contract
    from caidan.demo.midyear import TITLES
    from caidan.stats.gaps import GapFilter, gap_table

    seed_midyear()
    jiangsu = world.unit("310105-001")
    contract = Contract.objects.get(proposal__title=TITLES["completed"])
    outputs = [(i["name"], i["target"]) for i in contract.indicators if i["kind"] == "output"]
    assert outputs == [("服务人次", "2400")]

    recorded = {}
    for e in contract.evaluations.filter(status="published"):
        (completion,) = [c for c, entry in e.scores.items() if "actual" in entry]
        entry = e.scores[completion]
        recorded[e.stage] = (entry["actual"], entry["planned"])
        assert e.computed[completion] == {"rate": "0.9200", "score": "18.40"}
    assert recorded == {"mid": ("1104", "1200"), "final": ("2208", "2400")}

    year = contract.proposal.year
    rows = gap_table(GapFilter(year=year, unit=jiangsu.pk))
    key = (jiangsu.pk, "0101", "elderly")  # 养老服务, 老年人
    assert contract.proposal.catalog_item.code[:4] == "0101"
    row = {r.key: r for r in rows}[key]
    assert row.evaluated_capacity == Decimal(2400)
    assert row.delivered == Decimal(2208)  # the final evaluation's, not the mid-term's
    assert row.shortfall == Decimal(192)
    assert row.capacity >= row.evaluated_capacity
    assert sum(r.delivered for r in rows) == Decimal(2208)  # no other evaluated contract

    page = client.get(reverse("stats:gaps"), {"year": year, "unit": jiangsu.pk})
    assert page.status_code == 200
    assert 'data-testid="total-delivered">2208<' in page.content.decode()
