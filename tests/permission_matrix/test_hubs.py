"""Role × endpoint matrix for the hub's pages and API (issue 21): only the hub (枢纽型社会
组织) reaches its members, their proposals and the bundle editor."""

import pytest

from .helpers import USERS

HUB_API = ["/api/v1/projects/hub/members", "/api/v1/projects/hub/proposals"]
HUB_PAGES = ["/projects/hub/", "/projects/hub/bundles/new/"]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("path", HUB_API)
def test_hub_api_reads(world, client, token_for, user, path):
    resp = client.get(path, **(token_for(user) if user else {}))
    expected = 401 if user is None else 200 if user == "hub" else 403
    assert resp.status_code == expected, (user, path, resp.content[:200])
    if expected >= 400:
        assert set(resp.json()) == {"code", "message", "detail"}


@pytest.mark.parametrize("user", USERS)
def test_bundle_create_api(world, client, token_for, user):
    resp = client.post(
        "/api/v1/projects/bundles",
        data={"title": "打包", "parts": []},
        content_type="application/json",
        **(token_for(user) if user else {}),
    )
    # the hub is refused for the empty rows (400), everyone else before looking (401/403)
    expected = 401 if user is None else 400 if user == "hub" else 403
    assert resp.status_code == expected, (user, resp.content[:200])


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("path", HUB_PAGES)
def test_hub_pages(world, login, client, user, path):
    if user:
        login(user)
    resp = client.get(path)
    if user is None:
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    elif user == "hub":
        assert resp.status_code == 200
    else:
        assert resp.status_code == 403


@pytest.fixture
def open_final(world):
    from tests.evaluations.factories import scheduled

    return scheduled(world)


@pytest.mark.parametrize("user", USERS)
def test_part_scores_page_is_the_evaluators(world, login, client, open_final, user):
    if user:
        login(user)
    resp = client.get(f"/evaluations/{open_final.pk}/parts/")
    if user is None:
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    elif user == "evaluator":
        assert resp.status_code == 200
        assert "没有成员承担的部分" in resp.content.decode()  # an ordinary contract
    else:
        assert resp.status_code in (403, 404), (user, resp.status_code)


@pytest.mark.parametrize("user", [None, "purchaser", "hub", "resident"])
def test_contract_parts_api_is_as_public_as_the_contract(world, client, token_for, user):
    from tests.contracts.factories import signed_contract

    c = signed_contract(world)
    resp = client.get(f"/api/v1/contracts/{c.pk}/parts", **(token_for(user) if user else {}))
    assert resp.status_code == 200 and resp.json() == []
