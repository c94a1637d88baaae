"""The tender list (``GET /api/v1/procurement/tenders``) through the fast path
(``selectors.tender_rows`` + ``schemas.tender_rows_out``, docs/architecture.md "Fast lists")
answers, for every reader and page by page, the JSON the schema-validated model path
(``tender_list_for`` / ``tender_list_public`` through ``PageOut[TenderOut]``) gives, with a
constant number of queries."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from caidan.common.schemas import PageOut, page_response
from caidan.procurement.api.schemas import TenderOut
from caidan.procurement.selectors import tender_list_for, tender_list_public

from .factories import draft_tender, opened_tender, published_tender

READERS = [None, "purchaser", "admin", "auditor", "provider", "resident"]


def model_path(actor, **filters) -> dict:
    """What ``list_tenders`` answered before the fast path."""
    if actor is None:
        page = tender_list_public(**filters)
    else:
        page = tender_list_for(actor=actor, **filters)
    data = PageOut[TenderOut].model_validate(page_response(page)).model_dump()
    return json.loads(JSONRenderer().render(None, data, response_status=200))


@pytest.fixture
def tenders(world):
    """A draft (no announcement, no deadline yet), published tenders with Chinese titles
    and odd amounts, one under another method, and an opened one."""
    return {
        "draft": draft_tender(world, title="「乐龄」助餐服务（草稿）"),
        "published": published_tender(
            world, title="社区居家养老服务·第二期", budget="987654.32", bid_security="12345.60"
        ),
        "consultation": published_tender(
            world, title="青少年托管服务", method="consultation", bid_security="0.00"
        ),
        "opened": opened_tender(world, title="养老服务评估"),
    }


def pages(client, headers, actor, query: str, limit: int):
    filters = dict(p.split("=", 1) for p in query.split("&") if p)
    cursor, out = None, []
    while True:
        url = f"/api/v1/procurement/tenders?{query}&limit={limit}"
        resp = client.get(url + (f"&cursor={cursor}" if cursor else ""), **headers)
        assert resp.status_code == 200, resp.content
        assert resp["Content-Type"] == "application/json; charset=utf-8"
        out.append((resp.json(), model_path(actor, **filters, cursor=cursor, limit=limit)))
        cursor = out[-1][0]["next_cursor"]
        if cursor is None:
            return out


@pytest.mark.parametrize("user", READERS)
@pytest.mark.parametrize(
    ("query", "limit"),
    [("", 2), ("", 100), ("status=published", 1), ("method=consultation", 5), ("search=养老", 1)],
)
def test_fast_list_answers_what_the_schema_path_answers(
    client, world, token_for, tenders, user, query, limit
):
    headers = token_for(user) if user else {}
    actor = world.actor(user) if user else None
    for fast, model in pages(client, headers, actor, query, limit):
        assert fast == model
        assert all(list(item) == list(TenderOut.model_fields) for item in fast["items"])


def test_fast_list_edges(client, token_for, tenders):
    seen = {
        t["id"]: t
        for t in client.get(
            "/api/v1/procurement/tenders?limit=100", **token_for("purchaser")
        ).json()["items"]
    }
    draft = seen[tenders["draft"].pk]
    assert draft["status"] == "draft" and draft["status_label"] == "草稿"
    assert draft["published_at"] is None and draft["opened_at"] is None
    published = seen[tenders["published"].pk]
    assert published["title"] == "社区居家养老服务·第二期"
    assert published["budget"] == "987654.32" and published["bid_security"] == "12345.60"
    assert published["unit_name"] and published["method_label"] == "公开招标"
    assert seen[tenders["consultation"].pk]["bid_security"] == "0.00"
    assert seen[tenders["opened"].pk]["opened_at"].endswith("Z")
    public = client.get("/api/v1/procurement/tenders?limit=100").json()["items"]
    assert tenders["draft"].pk not in {t["id"] for t in public}


@pytest.mark.parametrize("user", [None, "purchaser", "admin"])
def test_one_query_for_the_list_whatever_the_page(client, token_for, tenders, user):
    headers = token_for(user) if user else {}
    client.get("/api/v1/procurement/tenders", **headers)  # the token's first use is recorded
    counts = {}
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/api/v1/procurement/tenders?limit={limit}", **headers).json()
        assert (len(body["items"]) == 1) if limit == 1 else (len(body["items"]) >= 4)
        counts[limit] = [q["sql"] for q in ctx.captured_queries]
    assert len(counts[1]) == len(counts[30]), counts
    tender_queries = [q for q in counts[30] if "procurement_tender" in q]
    assert len(tender_queries) == 1, tender_queries  # the page, with its unit's name
