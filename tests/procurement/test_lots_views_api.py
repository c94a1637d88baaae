"""Tenders in lots (issue 21) through the pages and the API: adding lots and the cap on the
tender's page, the lots listed on the tender and its lot, the cap's rule and whom it passed
over on the award page and in the notice; the same through ``/api/v1/procurement``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.procurement.models import Tender
from caidan.procurement.services import award_confirm

from .api_helpers import bearer, error, get, post
from .factories import draft_tender, make_bidders, next_working_deadline
from .lots_helpers import bid_and_open, lots_of, lotted_draft, publish
from .view_helpers import _as, _html

pytestmark = pytest.mark.django_db


def _purchaser(world, client):
    return _as(client, world.actor("purchaser").user)


def test_the_purchaser_divides_a_draft_into_lots_on_its_page(world, client):
    tender = draft_tender(world, evaluation_method="lowest_price", committee_size=5)
    c = _purchaser(world, client)
    page = _html(c.get(f"/procurement/tenders/{tender.pk}/"))
    assert 'data-testid="lot-add"' in page and "划分分包" in page
    form = _html(c.get(f"/procurement/tenders/{tender.pk}/lots/new/"))
    assert "分包预算" in form and "（第 1 包）" in form
    # a budget over the tender's is refused under the field, with everything typed kept
    resp = c.post(
        f"/procurement/tenders/{tender.pk}/lots/new/",
        {
            "title": "第一包 助餐",
            "budget": "1000000.01",
            "bid_security": "0",
            "description": "助餐服务",
        },
    )
    assert resp.status_code == 200
    html = _html(resp)
    assert "超过" in html and "第一包 助餐" in html and "助餐服务" in html
    assert not tender.lots.exists()
    resp = c.post(
        f"/procurement/tenders/{tender.pk}/lots/new/",
        {"title": "第一包 助餐", "budget": "500000.00", "bid_security": "0", "description": "助餐"},
    )
    assert resp.status_code == 302
    lot = tender.lots.get()
    assert lot.lot_number == 1 and lot.title == "第一包 助餐"
    resp = c.post(
        f"/procurement/tenders/{tender.pk}/lots/settings/", {"max_lots_per_provider": "1"}
    )
    assert resp.status_code == 302
    tender.refresh_from_db()
    assert tender.max_lots_per_provider == 1
    page = _html(c.get(f"/procurement/tenders/{tender.pk}/"))
    assert 'data-testid="lots"' in page and "第一包 助餐" in page
    assert "每个供应商最多中标 1 个分包" in page
    lot_page = _html(c.get(f"/procurement/tenders/{lot.pk}/"))
    assert 'data-testid="lot-of"' in lot_page and "每个供应商最多中标 1 个分包" in lot_page
    assert 'data-testid="lot-add"' not in lot_page  # no lots of a lot


def test_other_roles_may_not_add_lots(world, client):
    tender = lotted_draft(world)
    _as(client, world.actor("provider").user)
    resp = client.get(f"/procurement/tenders/{tender.pk}/lots/new/")
    assert resp.status_code in (403, 404)
    resp = client.post(
        f"/procurement/tenders/{tender.pk}/lots/new/",
        {"title": "x", "budget": "1.00", "bid_security": "0"},
    )
    assert resp.status_code in (403, 404)
    assert tender.lots.count() == 2


def test_award_page_and_notice_show_the_cap_and_whom_it_passed_over(world, client):
    parent = publish(world, lotted_draft(world, cap=1))
    one, two = lots_of(parent)
    bidders = make_bidders(world, 3)
    prices = ("300000.00", "350000.00", "390000.00")
    one = bid_and_open(world, one, prices, bidders)
    two = bid_and_open(world, two, prices, bidders)
    c = _purchaser(world, client)
    # lot 2 first: the page says lot 1 waits, and the service refuses
    page = _html(c.get(f"/procurement/tenders/{two.pk}/award/"))
    assert 'data-testid="lot-order"' in page and "第 1 包尚未确定中标结果" in page
    award_confirm(tender=one, actor=world.actor("purchaser"))
    page = _html(c.get(f"/procurement/tenders/{two.pk}/award/"))
    assert 'data-testid="lot-order"' not in page
    assert 'data-testid="cap-skipped"' in page and bidders[0].org.name in page
    resp = c.post(
        f"/procurement/tenders/{two.pk}/award/",
        {"bid": str(two.bids.get(organization=bidders[1].org).pk), "note": ""},
    )
    assert resp.status_code == 302, _html(resp)[:2000]
    notice = _html(client.get(f"/procurement/tenders/{two.pk}/notice/"))
    assert 'data-testid="notice-cap-skipped"' in notice
    assert f"排名第 1 的{bidders[0].org.name}已中标第 1 包" in notice
    client.logout()
    public = _html(client.get(f"/procurement/tenders/{parent.pk}/"))
    assert public.count('data-testid="lot-row"') == 2
    assert bidders[0].org.name in public and bidders[1].org.name in public


# --- API -----------------------------------------------------------------------------------------


def test_api_lots_and_cap(world, client):
    tender = draft_tender(world, evaluation_method="lowest_price", committee_size=5)
    headers = bearer(world.actor("purchaser").user)
    resp = post(
        client,
        f"/tenders/{tender.pk}/lots",
        {"title": "第1包", "budget": "400000.00", "bid_security": "0"},
        headers,
    )
    assert resp.status_code == 201, resp.content[:500]
    lot = resp.json()
    assert lot["parent_id"] == tender.pk and lot["lot_number"] == 1
    error(
        post(
            client,
            f"/tenders/{tender.pk}/lots",
            {"title": "第2包", "budget": "600000.01", "bid_security": "0"},
            headers,
        ),
        400,
        field="budget",
    )
    error(
        post(
            client,
            f"/tenders/{tender.pk}/lots",
            {"title": "第2包", "budget": "1.00", "method": "consultation"},
            headers,
        ),
        400,
        field="method",
    )
    error(
        post(client, f"/tenders/{lot['id']}/lots", {"title": "x", "budget": "1.00"}, headers),
        409,
        code="lots_not_allowed",
    )
    resp = client.put(
        f"/api/v1/procurement/tenders/{tender.pk}/lot-settings",
        data={"max_lots_per_provider": 0},
        content_type="application/json",
        **headers,
    )
    error(resp, 400, field="max_lots_per_provider")
    resp = client.put(
        f"/api/v1/procurement/tenders/{tender.pk}/lot-settings",
        data={"max_lots_per_provider": 2},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["has_lots"] and body["max_lots_per_provider"] == 2
    assert "每个供应商最多中标 2 个分包" in body["lot_rule"]
    assert [row["lot_number"] for row in body["lots"]] == [1]
    # publishing with one lot is refused, nothing published
    deadline = next_working_deadline(timezone.now() + dt.timedelta(days=30))
    resp = client.patch(
        f"/api/v1/procurement/tenders/{tender.pk}",
        data={"deadline": deadline.isoformat()},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200, resp.content[:300]
    error(post(client, f"/tenders/{tender.pk}/publish", None, headers), 409, code="lots_too_few")
    assert Tender.objects.filter(pk__in=[tender.pk, lot["id"]], status="draft").count() == 2


def test_api_tender_in_lots_reads_in_constant_queries(world, client):
    """The tender's JSON with 2 lots and with 5 lots costs the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for budgets in (("100000.00",) * 2, ("100000.00",) * 5):
        parent = publish(world, lotted_draft(world, budgets=budgets))
        get(client, f"/tenders/{parent.pk}")  # warm caches (settings, calendar)
        with CaptureQueriesContext(connection) as queries:
            resp = get(client, f"/tenders/{parent.pk}")
        counts.append(len(queries))
        body = resp.json()
        assert [row["lot_number"] for row in body["lots"]] == list(range(1, len(budgets) + 1))
        assert all(row["status"] == "published" for row in body["lots"])
    assert counts[0] == counts[1], counts
    # a lot names its tender
    lot = get(client, f"/tenders/{body['lots'][0]['id']}").json()
    assert lot["parent_id"] == parent.pk and lot["lot_number"] == 1


def test_the_tender_in_lots_does_not_say_it_takes_bids_after_its_deadline(world, client):
    import time_machine

    parent = publish(world, lotted_draft(world))
    page = _html(client.get(f"/procurement/tenders/{parent.pk}/"))
    assert "公告中（接受投标）" in page
    with time_machine.travel(parent.deadline + dt.timedelta(minutes=1), tick=False):
        page = _html(client.get(f"/procurement/tenders/{parent.pk}/"))
    assert "投标已截止，各分包分别开标、评审" in page
    assert "公告中（接受投标）" not in page.split('data-testid="lots"')[0]


def test_the_public_list_tags_each_lot_with_its_number(world, client):
    """A lot is a row of its own in 政府采购 (it takes its own bids): it says which lot it is;
    a tender that is not in lots has no tag."""
    parent = publish(world, lotted_draft(world))
    page = _html(client.get("/procurement/"))
    rows = [row.split("</tr>")[0] for row in page.split("<tr>")]

    def row_of(tender):
        return next(r for r in rows if f'href="/procurement/tenders/{tender.pk}/"' in r)

    for lot in lots_of(parent):
        tag = row_of(lot).split('data-testid="lot-tag">')[1].split("<")[0]
        assert tag == f"第 {lot.lot_number} 包"
    assert "lot-tag" not in row_of(parent)
