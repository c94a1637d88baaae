"""The public registry list (``GET /api/v1/orgs``) through the fast path
(``selectors.organization_rows`` + ``api.org_rows_out``, docs/architecture.md "Fast lists")
answers, page by page, the JSON the schema-validated model path (``organization_list`` +
``org_out`` through ``PageOut[OrgOut]``) gives for the same rows, with a constant number of
queries."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from caidan.common.identifiers import make_uscc
from caidan.common.schemas import PageOut, page_response
from caidan.common.search import forget_estimates
from caidan.orgs import selectors
from caidan.orgs.api import OrgOut, org_out
from caidan.orgs.inputs import CreditListingInput, OrganizationInput
from caidan.orgs.models import Organization
from caidan.orgs.services import (
    credit_list_add,
    credit_record_remove,
    grade_record,
    organization_create,
)


def model_path(**filters) -> dict:
    """What ``list_orgs`` answered before the fast path: model instances, validated by the
    schema, written by ninja's renderer."""
    page = selectors.organization_list(**filters)
    data = PageOut[OrgOut].model_validate(page_response(page, org_out)).model_dump()
    return json.loads(JSONRenderer().render(None, data, response_status=200))


@pytest.fixture
def register(world):
    """``register(name, **registry fields)``: an organization through the service."""
    numbers = itertools.count(1)

    def _register(name, *, fields=("elderly",), hub=None, **extra):
        return organization_create(
            data=OrganizationInput.parse(
                name=name,
                uscc=make_uscc(f"52310105LW{next(numbers):07d}"),
                legal_form=extra.pop("legal_form", "service_institution"),
                fields=list(fields),
                **extra,
            ),
            hub=hub,
            actor=world.actor("registrar"),
        )

    return _register


@pytest.fixture
def edge_orgs(world, register, today):
    """Organizations through the services, each an edge of the list: names with CJK
    punctuation, several service fields and none, a hub and its affiliate, a current and an
    expired grade, a listing in force and one removed — between look-alikes that a search
    leaves out, so that a filtered page has ids next to each other, with others between,
    and far apart."""
    registrar = world.actor("registrar")
    hub = register("长宁区「乐龄」社会组织服务中心", is_hub=True, legal_form="social_group")
    register("不相关的服务社甲", fields=("culture_sports", "women_children"))
    many = register("乐龄·助餐与调解（综合）服务社", fields=("mediation", "elderly", "disability"))
    register("不相关的服务社乙", fields=("disability",))
    graded = register("乐龄评估四级机构")
    grade_record(
        organization=graded, level=4, assessed_on=today - dt.timedelta(days=40), actor=registrar
    )
    expired = register("等级已过期的服务社")
    grade_record(
        organization=expired,
        level=5,
        assessed_on=today - dt.timedelta(days=365 * 6),
        actor=registrar,
    )
    for n in range(6):
        register(f"填充机构{n}号", fields=("other",))
    listed = register("乐龄异常名录机构", fields=(), legal_form="foundation")
    credit_list_add(
        organization=listed,
        data=CreditListingInput.parse(
            list_kind="abnormal", reason="annual_report", listed_on=today - dt.timedelta(days=3)
        ),
        actor=registrar,
    )
    removed = register("已移出名录的服务社")
    record = credit_list_add(
        organization=removed,
        data=CreditListingInput.parse(
            list_kind="abnormal", reason="unreachable", listed_on=today - dt.timedelta(days=30)
        ),
        actor=registrar,
    )
    credit_record_remove(record=record, reason="已恢复联系", removed_on=today, actor=registrar)
    affiliate = register("乐龄枢纽下属服务社", hub=hub)
    return {
        "hub": hub,
        "many": many,
        "graded": graded,
        "expired": expired,
        "listed": listed,
        "removed": removed,
        "affiliate": affiliate,
    }


def all_pages(client, query: str, limit: int) -> list[tuple[dict, dict]]:
    """Each page of the fast path beside the model path's page for the same cursor."""
    pages, cursor = [], None
    filters = dict(p.split("=", 1) for p in query.split("&") if p)
    filters = {
        {"q": "search"}.get(k, k): (int(v) if k == "min_grade" else v) for k, v in filters.items()
    }
    while True:
        url = f"/api/v1/orgs?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        resp = client.get(url)
        assert resp.status_code == 200, resp.content
        assert resp["Content-Type"] == "application/json; charset=utf-8"
        fast = resp.json()
        pages.append((fast, model_path(**filters, cursor=cursor, limit=limit)))
        cursor = fast["next_cursor"]
        if cursor is None:
            return pages


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("", 4),
        ("", 100),
        ("q=乐龄", 2),  # ids far apart and next to each other with others between
        ("q=乐龄", 1),
        ("field=elderly", 3),
        ("min_grade=4", 5),
        ("credit=abnormal", 5),
        ("credit=clean", 7),
        ("credit=serious", 5),
    ],
)
def test_fast_list_answers_what_the_schema_path_answers(client, edge_orgs, query, limit):
    pages = all_pages(client, query, limit)
    assert pages and pages[0][0]["items"], query
    for fast, model in pages:
        assert fast == model
        PageOut[OrgOut].model_validate(fast)  # and it is what the schema publishes


def test_fast_list_edges(client, edge_orgs):
    rows = {r["id"]: r for r in client.get("/api/v1/orgs?limit=100").json()["items"]}
    many = rows[edge_orgs["many"].pk]
    assert many["name"] == "乐龄·助餐与调解（综合）服务社"
    assert many["fields"] == ["disability", "elderly", "mediation"]
    assert many["field_labels"] == ["残疾人服务", "养老服务", "专业调处"]
    assert rows[edge_orgs["graded"].pk]["grade"] == "4A"
    assert rows[edge_orgs["expired"].pk]["grade"] is None
    assert rows[edge_orgs["listed"].pk]["on_abnormal_list"] is True
    assert rows[edge_orgs["listed"].pk]["legal_form_label"] == "基金会"
    assert rows[edge_orgs["listed"].pk]["fields"] == []
    assert rows[edge_orgs["removed"].pk]["on_abnormal_list"] is False
    assert rows[edge_orgs["affiliate"].pk]["hub_id"] == edge_orgs["hub"].pk
    assert rows[edge_orgs["hub"].pk]["hub_id"] is None
    assert rows[edge_orgs["hub"].pk]["is_hub"] is True
    assert rows[edge_orgs["hub"].pk]["url"] == f"/orgs/{edge_orgs['hub'].pk}/"


def test_queries_do_not_grow_with_the_page(client, edge_orgs, register):
    for n in range(30 - Organization.objects.count()):
        register(f"补足机构{n}号")
    counts = {}
    for query in ("", "q=乐龄&", "credit=clean&"):
        # page, fields, listings; a search on PostgreSQL also asks the planner's estimate and,
        # expected rare, probes the gram index (settings, keys, settings given back inside
        # the test's transaction: caidan.common.search.searched)
        expected = 7 if query.startswith("q=") and connection.vendor == "postgresql" else 3
        for limit in (1, 30):
            forget_estimates()
            with CaptureQueriesContext(connection) as ctx:
                body = client.get(f"/api/v1/orgs?{query}limit={limit}").json()
            assert len(body["items"]) == limit or (query and body["items"])
            counts[query, limit] = len(ctx.captured_queries)
        assert counts[query, 1] == counts[query, 30] == expected, counts
