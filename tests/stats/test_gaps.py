"""The demand gap (issue 21): residents' needs and menu orders against approved projects,
contracted capacity and delivered output, per unit, service field and target group, year
over year; fed forward to the catalog draft and the budget ceilings; the unmet-need flag.

The demo jurisdiction is seeded in every test database, so each figure is checked as the
change the test's own data makes to its row (the row read before and after): the expected
change is worked out by hand in each test from the records it creates, all through the
services.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from caidan.needs import services as needs_services
from caidan.needs.inputs import NeedInput
from caidan.stats.gaps import (
    NONE,
    GapFilter,
    contract_capacity,
    evaluation_delivered,
    gap_table,
    gap_totals,
    unmet_by_unit,
)

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
GROUP = "ex_offender"  # 刑释人员


def _need(resident, unit, group=GROUP, text="希望社区提供就业指导和心理支持服务。"):
    return needs_services.need_submit(
        actor=resident(),
        data=NeedInput.parse(unit=unit, community="愚园路居委会", target_group=group, text=text),
    )


def _row(f: GapFilter, unit, field=NONE, group=NONE) -> dict:
    """The row of (unit, field, group), zeros when there is none."""
    for r in gap_table(f):
        if r.key == (unit.pk, field, group):
            return r.as_dict()
    return {
        "needs": 0,
        "orders": 0,
        "demand": 0,
        "met": 0,
        "unmet": 0,
        "projects": 0,
        "budget": Decimal(0),
        "capacity": Decimal(0),
        "evaluated_capacity": Decimal(0),
        "delivered": Decimal(0),
        "shortfall": Decimal(0),
        "prev_unmet": 0,
    }


def _changed(before: dict, after: dict) -> dict:
    return {
        k: after[k] - before[k]
        for k in ("needs", "orders", "demand", "met", "unmet", "projects", "budget")
        + ("capacity", "evaluated_capacity", "delivered", "shortfall", "prev_unmet")
    }


def _order_menu(make_menu, resident, jiangsu, *, visit: int, mind: int):
    """A 江苏路 menu (items 独居老人探访 010101, 心理疏导 010102: field 0101) ordering now,
    ``visit`` and ``mind`` residents ordering each item."""
    now = timezone.now()
    menu = make_menu(
        opens=now - dt.timedelta(hours=2), closes=now + dt.timedelta(hours=1), publish=True
    )
    items = {i.catalog_item.code: i for i in menu.items.select_related("catalog_item")}
    for code, n in (("010101", visit), ("010102", mind)):
        for _ in range(n):
            needs_services.menu_order_place(actor=resident(), menu_item=items[code])
    return menu, items


def _approve_with(world, *, needs=(), menu_items=(), budget="300000.00", groups=()):
    from tests.procurement.factories import approved_proposal

    return approved_proposal(
        world,
        budget=budget,
        needs=list(needs),
        menu_items=list(menu_items),
        target_groups=list(groups),
    )


# --- pure parts --------------------------------------------------------------------------------


def test_capacity_sums_numeric_output_targets_only():
    indicators = [
        {"name": "上门探访", "target": "1200", "unit": "人次", "kind": "output"},
        {"name": "个案", "target": "30.5", "unit": "户", "kind": "output"},
        {"name": "满意度", "target": "90", "unit": "%", "kind": "outcome"},
        {"name": "台账", "target": "完整", "kind": "output"},
        {"name": "负数", "target": "-5", "kind": "output"},
    ]
    assert contract_capacity(indicators) == Decimal("1230.5")
    assert contract_capacity([]) == 0 and contract_capacity(None) == 0


def test_delivered_reads_the_actual_outputs():
    scores = {
        "O1": {"actual": "1000", "planned": "1200", "score": "16", "evidence": "台账"},
        "O2": {"actual": "20", "planned": "30", "evidence": "台账"},
        "D1": {"score": "5", "evidence": "文件"},
    }
    assert evaluation_delivered(scores) == Decimal(1020)
    assert evaluation_delivered({"D1": {"score": "5"}}) is None


# --- demand, met, unmet --------------------------------------------------------------------------


def test_needs_and_orders_against_approved_projects(
    world, resident, catalog, make_menu, jiangsu, xinhua
):
    f = GapFilter(year=YEAR)
    needs_before = _row(f, jiangsu, NONE, GROUP)
    orders_before = _row(f, jiangsu, "0101", NONE)
    xinhua_before = _row(f, xinhua, NONE, GROUP)

    n1, _n2, _n3 = (_need(resident, jiangsu) for _ in range(3))
    _need(resident, xinhua)
    _need(resident, jiangsu, group="elderly")  # another group: not in the GROUP row
    _menu, items = _order_menu(make_menu, resident, jiangsu, visit=2, mind=1)
    # one project answers need n1 and the 探访 item (its two orders)
    _approve_with(world, needs=[n1], menu_items=[items["010101"]])

    needs_after = _row(f, jiangsu, NONE, GROUP)
    orders_after = _row(f, jiangsu, "0101", NONE)
    # 3 needs, 1 linked → 2 unmet
    d = _changed(needs_before, needs_after)
    assert (d["needs"], d["orders"], d["demand"], d["met"], d["unmet"]) == (3, 0, 3, 1, 2)
    # 2 + 1 orders, the 2 on the answered item met → 1 unmet
    d = _changed(orders_before, orders_after)
    assert (d["needs"], d["orders"], d["demand"], d["met"], d["unmet"]) == (0, 3, 3, 2, 1)
    d = _changed(xinhua_before, _row(f, xinhua, NONE, GROUP))
    assert (d["needs"], d["met"], d["unmet"]) == (1, 0, 1)
    assert orders_after["field_name"] == "0101 为老为残服务"
    assert needs_after["group_name"] == "刑释人员" and needs_after["field_name"] == "未指明"


def test_filters_narrow_the_rows_and_leave_out_what_a_record_does_not_state(
    world, resident, catalog, make_menu, jiangsu
):
    by_group = GapFilter(year=YEAR, unit=jiangsu.pk, group=GROUP)
    by_field = GapFilter(year=YEAR, unit=jiangsu.pk, field="0101")
    before_group = gap_totals(gap_table(by_group))
    before_field = gap_totals(gap_table(by_field))
    _need(resident, jiangsu)
    _need(resident, jiangsu, group="elderly")
    _order_menu(make_menu, resident, jiangsu, visit=1, mind=1)
    group_rows = gap_table(by_group)
    field_rows = gap_table(by_field)
    assert {r.unit for r in group_rows + field_rows} == {jiangsu.pk}
    assert {r.group for r in group_rows} == {GROUP}
    assert {r.field for r in field_rows} == {"0101"}
    # the group filter counts the one GROUP need and no order (orders state no group)
    g = gap_totals(group_rows)
    assert (g["needs"] - before_group["needs"], g["orders"] - before_group["orders"]) == (1, 0)
    # the field filter counts the two orders and no need (needs state no field)
    f = gap_totals(field_rows)
    assert (f["needs"] - before_field["needs"], f["orders"] - before_field["orders"]) == (0, 2)


def test_a_hidden_need_and_a_draft_menu_are_not_demand(
    world, resident, catalog, make_menu, jiangsu
):
    from caidan.needs.inputs import NeedModerationInput

    f = GapFilter(year=YEAR)
    before = _row(f, jiangsu, NONE, GROUP)
    orders_before = _row(f, jiangsu, "0101", NONE)
    need = _need(resident, jiangsu)
    needs_services.need_hide(
        need=need,
        actor=world.actor("admin"),
        data=NeedModerationInput.parse(reason="含有个人信息"),
    )
    make_menu()  # a draft: nobody can order, nothing counted
    assert _changed(before, _row(f, jiangsu, NONE, GROUP))["needs"] == 0
    assert _changed(orders_before, _row(f, jiangsu, "0101", NONE))["orders"] == 0


def test_year_over_year(world, resident, jiangsu):
    """Two needs stated last year (one answered since), one this year: this year's row
    shows 1 unmet, last year's 1 unmet, change 0; last year's table shows them as its own."""
    f = GapFilter(year=YEAR, unit=jiangsu.pk, group=GROUP)
    last = GapFilter(year=YEAR - 1, unit=jiangsu.pk, group=GROUP)
    before = _row(f, jiangsu, NONE, GROUP)
    before_last = _row(last, jiangsu, NONE, GROUP)
    with time_machine.travel(dt.datetime(YEAR - 1, 6, 1, 10, tzinfo=dt.UTC), tick=True):
        old = _need(resident, jiangsu)
        _need(resident, jiangsu)
    _need(resident, jiangsu)
    _approve_with(world, needs=[old])
    now_row = _row(f, jiangsu, NONE, GROUP)
    d = _changed(before, now_row)
    assert (d["needs"], d["unmet"], d["prev_unmet"]) == (1, 1, 1)
    assert now_row["change"] - (before["unmet"] - before["prev_unmet"]) == 0
    d = _changed(before_last, _row(last, jiangsu, NONE, GROUP))
    assert (d["needs"], d["met"], d["unmet"]) == (2, 1, 1)


# --- projects, capacity, delivery ----------------------------------------------------------------


def test_projects_capacity_and_delivered_output(world):
    """A signed contract (output 上门探访 1,200 人次, 800,000 of a 1,000,000 budget) whose final
    evaluation records 1,000 delivered: capacity 1,200, delivered 1,000, shortfall 200."""
    from caidan.catalog.models import CatalogItem
    from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput
    from caidan.evaluations.services import (
        evaluation_publish,
        evaluation_purchaser_score,
        evaluation_score,
    )
    from caidan.projects.models import Proposal
    from tests.evaluations.factories import (
        appointed_contract,
        full_scores,
        scheduled,
        waive_missing,
    )

    next_year = YEAR + 1
    jiangsu = world.unit("310105-001")
    f = GapFilter(year=next_year)
    # the field of the item approved_proposal picks (the newest published version's first)
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    field = item.code[:4]
    before = _row(f, jiangsu, field, NONE)
    known = set(Proposal.objects.public().values_list("pk", flat=True))
    contract = appointed_contract(world)
    assert Proposal.objects.get(pk=contract.proposal_id).catalog_item_id == item.pk
    # the award factory may run its procurement more than once (a challenge window still
    # open): every project it approved counts, each with the 1,000,000 budget
    made = Proposal.objects.public().exclude(pk__in=known).filter(year=next_year, unit=jiangsu)
    assert made.count() >= 1
    mid = _row(f, jiangsu, field, NONE)
    d = _changed(before, mid)
    assert (d["projects"], d["budget"]) == (made.count(), Decimal("1000000.00") * made.count())
    assert (d["capacity"], d["evaluated_capacity"], d["delivered"]) == (1200, 0, 0)

    def publish(stage: str, actual: str):
        e = scheduled(world, stage, contract)
        scores = full_scores(e)
        scores["O1"] = {"actual": actual, "planned": "1200", "evidence": "服务台账"}
        evaluation_score(
            evaluation=e,
            actor=world.actor("evaluator"),
            data=ScoresInput.parse(scores=scores, summary="按计划推进"),
        )
        evaluation_purchaser_score(
            evaluation=e,
            actor=world.actor("purchaser"),
            data=PurchaserScoreInput.parse(score="85"),
        )
        waive_missing(world, e)
        evaluation_publish(evaluation=e, actor=world.actor("evaluator"))

    publish("mid", "500")  # half-way: 500 delivered so far
    d = _changed(before, _row(f, jiangsu, field, NONE))
    assert (d["capacity"], d["evaluated_capacity"], d["delivered"], d["shortfall"]) == (
        1200,
        1200,
        500,
        700,
    )
    publish("final", "1000")  # the final evaluation replaces the mid-term figure
    d = _changed(before, _row(f, jiangsu, field, NONE))
    assert (d["capacity"], d["evaluated_capacity"], d["delivered"], d["shortfall"]) == (
        1200,
        1200,
        1000,
        200,
    )


def test_a_project_counts_in_each_of_its_groups(world, jiangsu):
    from caidan.catalog.models import CatalogItem

    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    field = item.code[:4]
    f = GapFilter(year=YEAR + 1)
    before = {g: _row(f, jiangsu, field, g) for g in ("elderly", "disabled", NONE)}
    # written as the proposal form writes them (the Chinese names); counted under the needs' keys
    _approve_with(world, budget="200000.00", groups=["老年人", "残疾人"])
    for g, projects in (("elderly", 1), ("disabled", 1), (NONE, 0)):
        d = _changed(before[g], _row(f, jiangsu, field, g))
        assert (d["projects"], d["budget"]) == (projects, Decimal("200000.00") * projects)


def test_the_table_takes_a_bounded_number_of_queries(
    world, resident, catalog, make_menu, jiangsu, xinhua, django_assert_max_num_queries
):
    for unit in (jiangsu, xinhua, jiangsu):
        _need(resident, unit)
    _order_menu(make_menu, resident, jiangsu, visit=2, mind=2)
    # five sources for each of two years, then the units' and the fields' names
    with django_assert_max_num_queries(12):
        rows = gap_table(GapFilter(year=YEAR))
    assert len(rows) >= 3


# --- the page and the sheet ----------------------------------------------------------------------


def test_page_and_sheet_show_the_rows(world, client, resident, catalog, make_menu, jiangsu):
    from openpyxl import load_workbook

    _need(resident, jiangsu)
    _order_menu(make_menu, resident, jiangsu, visit=1, mind=0)
    url = reverse("stats:gaps")
    resp = client.get(url, {"year": YEAR, "unit": jiangsu.pk, "group": GROUP})
    assert resp.status_code == 200
    html = resp.content.decode()
    rows = gap_table(GapFilter(year=YEAR, unit=jiangsu.pk, group=GROUP))
    assert html.count('data-testid="gap-row"') == len(rows) >= 1
    assert "刑释人员" in html and 'data-testid="gap-chart"' in html
    assert "<script" not in html.split('data-testid="gap-chart"')[1].split("</svg>")[0]
    # nonsense filters are ignored, never a 5xx
    for bad in (
        {"year": "abc"},
        {"year": "²⁰²⁶"},  # digits to str.isdigit, not to int()
        {"year": "99999"},
        {"unit": "x"},
        {"field": "'; drop"},
        {"group": "nobody"},
    ):
        assert client.get(url, bad).status_code == 200
    sheet = client.get(reverse("stats:gaps_export"), {"year": YEAR, "unit": jiangsu.pk})
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.content)).active
    values = list(ws.values)
    assert values[0][:3] == ("街道（镇）", "服务领域", "服务对象")
    table = gap_table(GapFilter(year=YEAR, unit=jiangsu.pk))
    assert len(values) - 1 == len(table)
    first = table[0]
    assert values[1][:8] == (
        first.unit_name,
        first.field_name,
        first.group_name,
        first.needs,
        first.orders,
        first.demand,
        first.met,
        first.unmet,
    )


# --- fed forward -----------------------------------------------------------------------------------


def test_ceilings_see_last_years_unmet_demand(world, resident, catalog, make_menu, jiangsu, login):
    key = (jiangsu.pk, YEAR + 1)  # a ceiling for next year answers this year's demand
    before = unmet_by_unit([key])[key]
    n1 = _need(resident, jiangsu)
    _need(resident, jiangsu)
    _menu, items = _order_menu(make_menu, resident, jiangsu, visit=1, mind=2)
    _approve_with(world, needs=[n1], menu_items=[items["010102"]])
    after = unmet_by_unit([key])[key]
    # 2 needs + 3 orders; n1 and the two 心理疏导 orders met
    assert {k: after[k] - before[k] for k in after} == {
        "needs": 2,
        "orders": 3,
        "demand": 5,
        "met": 3,
        "unmet": 2,
    }
    html = login("admin").get(reverse("projects:ceilings")).content.decode()
    assert 'data-testid="ceiling-demand"' in html and jiangsu.name in html
    section = html.split('data-testid="ceiling-demand"')[1]
    row = next(r for r in section.split('data-testid="demand-row"')[1:] if jiangsu.name in r)
    assert f"<strong>{after['unmet']}</strong>" in row


def test_catalog_draft_lists_the_largest_gaps_beside_the_field(
    world, resident, catalog, draft_catalog, make_menu, jiangsu, login
):
    _order_menu(make_menu, resident, jiangsu, visit=2, mind=1)
    version = draft_catalog["level2"].version
    assert version.is_draft
    html = login("admin").get(reverse("catalog:manage_version", args=[version.pk])).content.decode()
    cells = html.split('data-testid="item-gaps"')
    assert len(cells) > 1
    # the level-2 row 0101 carries the gap of field 0101 at 江苏路街道
    row_0101 = next(c for c in html.split("<tr>") if "<td>0101</td>" in c)
    assert jiangsu.name in row_0101 and "未回应" in row_0101


def test_page_in_english(world, client):
    from django.conf import settings
    from django.core.management import call_command

    from tests.web.test_i18n import _reset_translation_caches

    call_command("compile_translations", stdout=io.StringIO())  # .mo files are not kept
    _reset_translation_caches()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("stats:gaps"), {"year": YEAR}).content.decode()
    for text in ("Demand gap", "Answered by a project", "Unmet", "Delivery shortfall"):
        assert text in html
    for chinese in ("供需缺口", "已立项回应", "交付缺口", "未指明"):
        assert chinese not in html


# --- the API ---------------------------------------------------------------------------------------


def test_api_gives_the_same_rows_and_refuses_unknown_filters(
    world, client, resident, catalog, make_menu, jiangsu, django_assert_max_num_queries
):
    _need(resident, jiangsu)
    _order_menu(make_menu, resident, jiangsu, visit=1, mind=1)
    url = "/api/v1/stats/gaps"
    with django_assert_max_num_queries(14):
        resp = client.get(url, {"year": YEAR, "unit": jiangsu.pk})
    assert resp.status_code == 200
    body = resp.json()
    rows = gap_table(GapFilter(year=YEAR, unit=jiangsu.pk))
    assert [(r["unit"], r["field"], r["group"], r["unmet"]) for r in body["rows"]] == [
        (r.unit, r.field, r.group, r.unmet) for r in rows
    ]
    assert body["totals"]["unmet"] == sum(r.unmet for r in rows)
    for params, field in (
        ({"year": YEAR, "group": "nobody"}, "group"),
        ({"year": YEAR, "field": "01"}, "field"),
        ({"year": YEAR, "unit": world.unit("310105").pk}, "unit"),  # the district buys nothing
        ({"year": "abc"}, "year"),
    ):
        resp = client.get(url, params)
        assert resp.status_code in (400, 422), (params, resp.content)
        assert field in resp.content.decode()
