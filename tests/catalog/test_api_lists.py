"""The item list (``GET /api/v1/catalog/versions/{id}/items``) through the fast path
(``selectors.catalog_item_rows`` + ``api.item_rows_out``, docs/architecture.md "Fast lists")
answers, page by page, the JSON the schema-validated model path (``catalog_item_list`` +
``item_out`` through ``PageOut[ItemOut]``) gives, in one query for the page."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from caidan.catalog.api import ItemOut, item_out
from caidan.catalog.models import CatalogVersion
from caidan.catalog.selectors import catalog_current, catalog_item_list
from caidan.common.schemas import PageOut, page_response

BASE = "/api/v1/catalog/versions"

EDGES = [
    ("01", "基本公共服务（「一级」）", "", None, ""),
    ("0101", "养老服务", "", None, ""),
    ("010101", "居家养老服务·上门", "service", "30.00", "元/人·小时"),
    ("010102", "老年人助餐服务", "service", "0.01", "元/人·次"),
    ("010103", "养老机构评估", "professional", "1234567.89", "元/项"),
]


def model_path(version, **filters) -> dict:
    page = catalog_item_list(version=version, **filters)
    data = PageOut[ItemOut].model_validate(page_response(page, item_out)).model_dump()
    return json.loads(JSONRenderer().render(None, data, response_status=200))


@pytest.fixture
def versions(world, make_draft):
    return {
        "current": catalog_current(),
        "old": CatalogVersion.objects.get(name="2016年8月修订版"),
        "draft": make_draft(EDGES),
    }


@pytest.mark.parametrize("which", ["current", "old", "draft"])
@pytest.mark.parametrize(
    ("query", "limit"),
    [("", 7), ("", 100), ("level=3&q=养老", 2), ("parent=0101", 3), ("q=0101", 50)],
)
def test_fast_list_answers_what_the_schema_path_answers(
    client, token_for, versions, which, query, limit
):
    version = versions[which]
    headers = token_for("admin") if which == "draft" else {}
    filters = {
        k: (int(v) if k == "level" else v)
        for k, v in (p.split("=", 1) for p in query.split("&") if p)
    }
    cursor, seen = None, 0
    while True:
        url = f"{BASE}/{version.pk}/items?{query}&limit={limit}"
        resp = client.get(url + (f"&cursor={cursor}" if cursor else ""), **headers)
        assert resp.status_code == 200, resp.content
        fast = resp.json()
        assert fast == model_path(version, **filters, cursor=cursor, limit=limit)
        PageOut[ItemOut].model_validate(fast)
        seen += len(fast["items"])
        cursor = fast["next_cursor"]
        if cursor is None:
            break
    assert seen > 0


def test_fast_list_edges(client, token_for, versions):
    draft = versions["draft"]
    items = client.get(f"{BASE}/{draft.pk}/items", **token_for("admin")).json()["items"]
    by_code = {i["code"]: i for i in items}
    assert by_code["01"]["parent_code"] is None and by_code["01"]["parent_id"] is None
    assert by_code["01"]["guidance_price"] is None and by_code["01"]["category_label"] == ""
    assert by_code["010101"]["parent_code"] == "0101"
    assert by_code["010101"]["parent_id"] == by_code["0101"]["id"]
    assert by_code["010102"]["guidance_price"] == "0.01"
    assert by_code["010103"]["guidance_price"] == "1234567.89"
    assert by_code["010103"]["url"] == f"/catalog/items/{by_code['010103']['id']}/"


def test_one_query_for_the_page_whatever_its_size(client, versions):
    url = f"{BASE}/{versions['current'].pk}/items"
    counts = {}
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{url}?limit={limit}").json()
        assert len(body["items"]) == limit
        counts[limit] = [q["sql"] for q in ctx.captured_queries]
    assert len(counts[1]) == len(counts[30]), counts
    assert len([q for q in counts[30] if "catalog_catalogitem" in q]) == 1
    assert len(counts[30]) == 2  # the version may be seen; its page of items


def test_a_version_the_reader_may_not_see_is_not_found(client, token_for, versions):
    url = f"{BASE}/{versions['draft'].pk}/items"
    for headers in ({}, token_for("purchaser")):
        resp = client.get(url, **headers)
        assert resp.status_code == 404 and resp.json()["code"] == "version_not_found"
    assert client.get(url, **token_for("admin")).status_code == 200
    assert client.get(f"{BASE}/999999/items").status_code == 404
