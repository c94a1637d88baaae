"""The statistics' share of assisted participation (issue 21): needs and orders placed by a
community worker, survey answers on paper — counted, shown on /stats/ and in the export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from caidan.accounts.models import Role
from caidan.needs import services
from caidan.needs.inputs import CounterRegistrationInput, NeedInput
from caidan.stats.assisted import assisted_shares
from tests.evaluations.test_surveys import likert, make_survey
from tests.needs.conftest import *  # noqa: F403 - the needs fixtures (residents, menus)
from tests.needs.test_assisted import new_id_number

pytestmark = pytest.mark.django_db


def _by_label(rows):
    return {str(r["label"]): r for r in rows}


def test_shares_count_assisted_needs_orders_and_paper_answers(world, jiangsu, resident, open_menu):
    from caidan.evaluations.services import survey_respond
    from caidan.evaluations.services.paper_surveys import survey_paper_import
    from tests.evaluations.test_paper_surveys import slip_file

    before = _by_label(assisted_shares())
    worker = world.actor("worker", Role.COMMUNITY_WORKER)
    at_counter = services.resident_register_at_counter(
        data=CounterRegistrationInput.parse(id_number=new_id_number()), actor=worker
    )
    need = NeedInput.parse(
        unit=jiangsu,
        community="愚园路居委会",
        target_group="elderly",
        text="希望社区开设老年人助餐点。",
    )
    services.need_submit_assisted(ref=at_counter.ref, data=need, actor=worker)
    online = resident()
    services.need_submit(actor=online, data=need)
    items = list(open_menu.items.all())
    services.menu_order_place_assisted(ref=at_counter.ref, menu_item=items[0], actor=worker)
    services.menu_order_place(actor=online, menu_item=items[0])
    services.menu_order_place(actor=online, menu_item=items[1])
    survey, tokens = make_survey(world, tokens=2)
    survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 4))
    survey_paper_import(
        survey=survey, file=slip_file(survey, [(tokens[1], 5, "")]), actor=world.actor("purchaser")
    )
    after = _by_label(assisted_shares())
    delta = {
        k: (after[k]["total"] - before[k]["total"], after[k]["assisted"] - before[k]["assisted"])
        for k in after
    }
    assert delta == {"居民需求": (2, 1), "点菜": (3, 1), "满意度答卷": (2, 1)}
    if before["点菜"]["total"] == 0:
        assert after["点菜"]["share"] == Decimal("33.3")


def test_stats_page_and_export_show_the_section(world, client):
    page = client.get("/stats/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="stats-assisted"' in text and "纸质答卷" in text
    from django.urls import reverse

    export = client.get(reverse("stats:export"))
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    sheet = book["代办参与"]
    assert [c.value for c in sheet[1]][:2] == ["类别", "合计"]
    assert sheet.max_row == 4


def test_no_participation_shows_a_dash_not_a_division_by_zero():
    from caidan.stats.assisted import _share

    assert _share(0, 0) is None
    assert _share(1, 3) == Decimal("33.3") and _share(3, 3) == Decimal("100.0")


def test_shares_cost_three_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = assisted_shares()
    assert len(rows) == 3


def test_page_shows_the_hourly_snapshot_not_a_recount(world, client, jiangsu, open_menu):
    """The shares count tables of millions of rows (survey answers), so /stats/ reads them from
    the snapshot the hourly tick refreshes: a new assisted order shows after the refresh."""
    import re

    from caidan.stats.snapshots import stats_refresh

    def shown_orders():
        text = client.get("/stats/").content.decode()
        counts = re.findall(r'data-testid="assisted-count">(\d+)<', text)
        return int(counts[1])  # needs, orders, answers

    stats_refresh()
    before = shown_orders()
    assert before == _by_label(assisted_shares())["点菜"]["assisted"]
    worker = world.actor("worker", Role.COMMUNITY_WORKER)
    at_counter = services.resident_register_at_counter(
        data=CounterRegistrationInput.parse(id_number=new_id_number()), actor=worker
    )
    item = open_menu.items.first()
    services.menu_order_place_assisted(ref=at_counter.ref, menu_item=item, actor=worker)
    assert shown_orders() == before  # not recounted on the request
    stats_refresh()
    assert shown_orders() == before + 1
