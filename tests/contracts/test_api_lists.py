"""The contract list (``GET /api/v1/contracts``) through the fast path
(``selectors.contract_rows_for`` + ``schemas.contract_rows_out``, docs/architecture.md "Fast
lists") answers, for every reader and page by page, the JSON the schema-validated model path
(``contract_list_for`` through ``PageOut[ContractOut]``) gives, in one query for the page."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from caidan.common.schemas import PageOut, page_response
from caidan.contracts.api.schemas import ContractOut
from caidan.contracts.selectors import contract_list_for

from .factories import draft_contract, signed_contract

pytestmark = pytest.mark.django_db

READERS = [None, "purchaser", "purchaser2", "provider", "admin", "auditor", "resident"]


def model_path(actor, **filters) -> dict:
    """What ``list_contracts`` answered before the fast path."""
    page = contract_list_for(actor=actor, **filters)
    data = PageOut[ContractOut].model_validate(page_response(page)).model_dump()
    return json.loads(JSONRenderer().render(None, data, response_status=200))


@pytest.fixture
def contracts(world):
    """A signed contract (signature times, publication) and a draft (neither yet)."""
    return {
        "signed": signed_contract(world),
        "draft": draft_contract(world),
    }


@pytest.mark.parametrize(
    ("query", "limit"), [("", 1), ("", 50), ("status=draft", 5), ("search=阳光", 1)]
)
def test_fast_list_answers_what_the_schema_path_answers(
    client, world, token_for, contracts, query, limit
):
    """Every reader in turn over the same two contracts (made once per query: making them
    is the slow part, ~5 s on PostgreSQL), each page compared with the model path."""
    from caidan.accounts.actor import Actor

    for user in READERS:
        headers = token_for(user) if user else {}
        actor = world.actor(user) if user else Actor.anonymous()
        filters = dict(p.split("=", 1) for p in query.split("&") if p)
        cursor, seen = None, 0
        while True:
            url = f"/api/v1/contracts?{query}&limit={limit}"
            resp = client.get(url + (f"&cursor={cursor}" if cursor else ""), **headers)
            assert resp.status_code == 200, (user, resp.content)
            fast = resp.json()
            assert fast == model_path(actor, **filters, cursor=cursor, limit=limit), user
            assert all(list(item) == list(ContractOut.model_fields) for item in fast["items"])
            seen += len(fast["items"])
            cursor = fast["next_cursor"]
            if cursor is None:
                break
        if user in ("purchaser", "admin", "auditor") and query != "search=阳光":
            assert seen >= 1, user


def test_fast_list_edges(client, token_for, contracts):
    rows = {
        c["id"]: c
        for c in client.get("/api/v1/contracts?limit=50", **token_for("purchaser")).json()["items"]
    }
    signed, draft = rows[contracts["signed"].pk], rows[contracts["draft"].pk]
    assert signed["signed_at"].endswith("Z") and signed["published_at"]
    assert draft["signed_at"] is None and draft["published_at"] is None
    assert draft["status_label"] and draft["amount"] == "800000.00"
    assert signed["organization"] == {
        "id": contracts["signed"].organization_id,
        "name": "阳光家庭综合服务中心",
        "uscc": contracts["signed"].organization.uscc,
    }
    assert signed["tender"]["title"] == contracts["signed"].tender.title


@pytest.mark.parametrize("user", [None, "purchaser"])
def test_one_query_for_the_page_whatever_its_size(client, token_for, contracts, user):
    headers = token_for(user) if user else {}
    client.get("/api/v1/contracts", **headers)  # the token's first use is recorded
    counts = {}
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/api/v1/contracts?limit={limit}", **headers).json()
        assert (len(body["items"]) == 1) if limit == 1 else body["items"]
        counts[limit] = [q["sql"] for q in ctx.captured_queries]
    assert len(counts[1]) == len(counts[30]), counts
    assert len([q for q in counts[30] if "contracts_contract" in q]) == 1
