"""The annual plan (``GET /api/v1/projects/plan``) and the proposal list
(``GET /api/v1/projects/proposals``) through the fast path (``selectors.annual_plan_rows`` /
``proposal_rows_for`` + ``api.proposal_rows_out``, docs/architecture.md "Fast lists") answer,
page by page, the JSON the schema-validated model path gives for the same rows, with one
query for the page whatever its size."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from caidan.common.schemas import PageOut, page_response
from caidan.projects import selectors
from caidan.projects.api import ProposalOut, proposal_out

READERS = ["purchaser", "provider", "committee", "admin", "auditor", "resident"]


def rendered(page) -> dict:
    data = PageOut[ProposalOut].model_validate(page_response(page, proposal_out)).model_dump()
    return json.loads(JSONRenderer().render(None, data, response_status=200))


@pytest.fixture
def proposals(world, draft):
    """Besides the demo's library (historical approved projects, proposals under review):
    drafts with Chinese punctuation and odd amounts, one proposed by an organization."""
    provider = world.actor("provider")
    return [
        draft(title="「乐龄」老年助餐服务（第二期）", budget="123456.78"),
        draft(title="社区矫正·帮教服务", budget="0.01"),
        draft(
            actor=provider,
            title="机构自主申报的养老服务项目",
            proposing_organization=provider.organization,
        ),
    ]


def fast_and_model(client, url, headers, model_page):
    resp = client.get(url, **headers)
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"] == "application/json; charset=utf-8"
    return resp.json(), rendered(model_page)


@pytest.mark.parametrize(
    ("query", "limit"), [("", 7), ("", 100), ("year=2014", 30), ("q=养老", 3), ("unit_id=", 50)]
)
def test_plan_answers_what_the_schema_path_answers(client, world, query, limit):
    filters = dict(p.split("=", 1) for p in query.split("&") if p)
    if "unit_id" in filters:
        filters["unit_id"] = str(world.unit("310105-SDH").pk)
        query = f"unit_id={filters['unit_id']}"
    args = {
        {"q": "search"}.get(k, k): (int(v) if k in ("year", "unit_id") else v)
        for k, v in filters.items()
    }
    cursor, n = None, 0
    while True:
        url = f"/api/v1/projects/plan?{query}&limit={limit}" + (
            f"&cursor={cursor}" if cursor else ""
        )
        fast, model = fast_and_model(
            client, url, {}, selectors.annual_plan(**args, cursor=cursor, limit=limit)
        )
        assert fast == model
        PageOut[ProposalOut].model_validate(fast)
        n += len(fast["items"])
        cursor = fast["next_cursor"]
        if cursor is None:
            break
    assert n > 0


@pytest.mark.parametrize("user", READERS)
@pytest.mark.parametrize(("query", "limit"), [("", 40), ("status=draft", 2), ("q=养老", 5)])
def test_proposals_answer_what_the_schema_path_answers(
    client, world, token_for, proposals, user, query, limit
):
    headers = token_for(user)
    actor = world.actor(user)
    args = {
        {"q": "search"}.get(k, k): v for k, v in (p.split("=", 1) for p in query.split("&") if p)
    }
    cursor = None
    while True:
        url = f"/api/v1/projects/proposals?{query}&limit={limit}"
        url += f"&cursor={cursor}" if cursor else ""
        try:
            model_page = selectors.proposal_list_for(
                actor=actor, **args, cursor=cursor, limit=limit
            )
        except Exception as refused:  # the schema path refuses: so must the fast one
            resp = client.get(url, **headers)
            assert resp.status_code == getattr(refused, "status_code", None) == 403
            return
        fast, model = fast_and_model(client, url, headers, model_page)
        assert fast == model
        PageOut[ProposalOut].model_validate(fast)
        cursor = fast["next_cursor"]
        if cursor is None:
            return


def test_fast_rows_edges(client, token_for, proposals):
    rows = {
        p["id"]: p
        for p in client.get(
            "/api/v1/projects/proposals?status=draft&limit=100", **token_for("purchaser")
        ).json()["items"]
    }
    first = rows[proposals[0].pk]
    assert first["title"] == "「乐龄」老年助餐服务（第二期）"
    assert first["budget"] == "123456.78" and first["status_label"] == "草稿"
    assert first["catalog_item"].split(" ", 1)[0].isdigit() and first["catalog_version"]
    assert first["proposing_organization_id"] is None
    assert rows[proposals[1].pk]["budget"] == "0.01"
    own = client.get("/api/v1/projects/proposals?limit=100", **token_for("provider")).json()
    assert proposals[2].pk in {p["id"] for p in own["items"]}


@pytest.mark.parametrize(
    ("url", "user"),
    [("/api/v1/projects/plan", None), ("/api/v1/projects/proposals", "admin")],
)
def test_one_query_for_the_page_whatever_its_size(client, token_for, url, user):
    headers = token_for(user) if user else {}
    client.get(url, **headers)  # the token's first use is recorded
    counts = {}
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{url}?limit={limit}", **headers).json()
        assert len(body["items"]) == limit
        counts[limit] = [q["sql"] for q in ctx.captured_queries]
    assert len(counts[1]) == len(counts[30]), counts
    assert len([q for q in counts[30] if "projects_proposal" in q]) == 1
