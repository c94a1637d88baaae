"""Fast lists (``caidan.common.fast_lists``): the JSON is what ninja would write, keyset pages
of ``.values()`` rows page as model pages do, and the list operations' published schema is
the one published before the fast path (``list_schemas.json``)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from caidan.common.fast_lists import CONTENT_TYPE, dumps, json_page
from caidan.common.pagination import keyset_paginate

from .list_schemas import list_schemas


def ninja_json(data) -> object:
    """``data`` as ninja's default renderer writes it, parsed back."""
    return json.loads(JSONRenderer().render(None, data, response_status=200))


EDGE = {
    "text": "养老服务中心「长宁」\u3000🙂",
    "none": None,
    "money": Decimal("1000000.50"),
    "zero": Decimal("0.00"),
    "date": dt.date(2026, 2, 28),
    "utc": dt.datetime(2029, 6, 1, 8, 30, 15, 123456, tzinfo=dt.UTC),
    "whole_second": dt.datetime(2029, 6, 1, 8, 30, tzinfo=dt.UTC),
    "shanghai": dt.datetime(2029, 6, 1, 16, 30, 15, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    "naive": dt.datetime(2029, 6, 1, 8, 30, 15, 999999),
    "time": dt.time(9, 5, 7, 250000),
    "duration": dt.timedelta(days=2, seconds=5),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("养老服务"),
    "nested": [{"a": [1, 2.5, True, False]}, []],
    "big": 2**63 - 1,
}


def test_dumps_writes_what_ninja_writes():
    assert json.loads(dumps(EDGE)) == ninja_json(EDGE)
    out = json.loads(dumps(EDGE))
    # spot checks of what "what ninja writes" means, so that a change on either side shows
    assert out["money"] == "1000000.50" and out["zero"] == "0.00"
    assert out["utc"] == "2029-06-01T08:30:15.123Z"  # milliseconds, Z
    assert out["whole_second"] == "2029-06-01T08:30:00Z"
    assert out["shanghai"] == "2029-06-01T16:30:15.000+08:00"
    assert out["date"] == "2026-02-28"
    assert out["text"] == EDGE["text"]
    assert dumps({"t": "养老"}) == '{"t":"养老"}'.encode()  # UTF-8, not \\u escapes


def test_json_page_is_the_page_envelope():
    class FakePage:
        items = [{"id": 2, "name": "甲"}]
        next_cursor = "abc"
        limit = 1

    resp = json_page(FakePage())
    assert resp.status_code == 200
    assert resp["Content-Type"] == CONTENT_TYPE == "application/json; charset=utf-8"
    assert json.loads(resp.content) == {
        "items": [{"id": 2, "name": "甲"}],
        "next_cursor": "abc",
        "limit": 1,
    }
    converted = json_page(FakePage(), [{"x": None}])
    assert json.loads(converted.content)["items"] == [{"x": None}]


def test_keyset_pages_of_values_rows_follow_the_model_pages(world):
    from caidan.accounts.models import Unit

    assert Unit.objects.count() >= 5
    models_, rows = [], []
    for target, qs in ((models_, Unit.objects.all()), (rows, Unit.objects.values("id", "name"))):
        cursor = None
        while True:
            page = keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=2)
            target.append([u.pk if hasattr(u, "pk") else u["id"] for u in page.items])
            cursor = page.next_cursor
            if cursor is None:
                break
    assert rows == models_
    assert sum(len(p) for p in rows) == Unit.objects.count()


def test_list_operations_publish_the_schema_they_published_before():
    """The fast path changes how a list is answered, never what it publishes (operation
    parameters, responses and every component they refer to)."""
    stored = json.loads((Path(__file__).parent / "list_schemas.json").read_text())
    assert list_schemas() == stored


BIG_TABLES = (
    "orgs_organization",
    "orgs_organizationfield",
    "orgs_creditrecord",
    "procurement_tender",
    "projects_proposal",
    "contracts_contract",
    "catalog_catalogitem",
)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
def test_fast_list_queries_are_served_by_indexes(world):
    """Every query of each fast list (page, related rows) can be answered from an index on
    the big tables: EXPLAIN with sequential scans off shows none of them scanned whole.
    (Test tables are small; bench/ measures the plans at scale.)"""
    from caidan.accounts.actor import Actor
    from caidan.catalog.selectors import catalog_current, catalog_item_rows
    from caidan.contracts.selectors import contract_rows_for
    from caidan.orgs.selectors import organization_rows
    from caidan.procurement.selectors import tender_rows
    from caidan.projects.selectors import annual_plan_rows

    lists = {
        "orgs": lambda: organization_rows(limit=50),
        "orgs, filtered": lambda: organization_rows(field="elderly", credit="clean", limit=50),
        "tenders": lambda: tender_rows(limit=50),
        "tenders, purchaser": lambda: tender_rows(actor=world.actor("purchaser"), limit=50),
        "plan": lambda: annual_plan_rows(year=2014, limit=50),
        "contracts": lambda: contract_rows_for(actor=Actor.anonymous(), limit=50),
        "catalog items": lambda: catalog_item_rows(
            actor=Actor.anonymous(), version_id=catalog_current().pk, level=3, limit=50
        ),
    }
    for name, run in lists.items():
        with CaptureQueriesContext(connection) as ctx:
            run()
        assert ctx.captured_queries, name
        for query in ctx.captured_queries:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            scanned = [t for t in BIG_TABLES if f"Seq Scan on {t} " in plan]
            assert not scanned, (name, query["sql"], plan)
