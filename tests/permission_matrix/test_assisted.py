"""Role × endpoint matrix for assisted participation (issue 21): only the community worker
reaches the counter; paper survey slips are imported by the purchaser or the community
worker of the contract's street."""

import pytest

from .helpers import USERS

ROLES = [*USERS, "worker"]
COUNTER_API = [
    ("/api/v1/needs/counter/phone-code", {"phone": "x"}),
    ("/api/v1/needs/counter/residents", {"id_number": "x"}),
    ("/api/v1/needs/counter/orders", {"ref": "x", "item_id": 0}),
    (
        "/api/v1/needs/counter/needs",
        {"ref": "x", "unit_id": 0, "community": "x", "target_group": "x", "text": "x"},
    ),
]


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize(("path", "body"), COUNTER_API)
def test_counter_api(world, client, token_for, user, path, body):
    resp = client.post(
        path, data=body, content_type="application/json", **(token_for(user) if user else {})
    )
    # the worker is refused for the bad body or reference (400/403/404), everyone else
    # before anything is read (401/403)
    if user is None:
        assert resp.status_code == 401
    elif user == "worker":
        assert resp.status_code in (400, 403, 404), resp.content[:200]
        assert resp.json()["code"] != "permission_denied"
    else:
        assert resp.status_code == 403, (user, path, resp.content[:200])
        assert resp.json()["code"] == "permission_denied"
    assert set(resp.json()) == {"code", "message", "detail"}


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("path", ["/needs/counter/", "/needs/counter/need/"])
def test_counter_pages(world, login, client, user, path):
    if user:
        login(user)
    resp = client.get(path)
    if user is None:
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    elif user == "worker":
        # the need form without a resident at the counter goes back to the counter
        assert resp.status_code in (200, 302)
    else:
        assert resp.status_code == 403


@pytest.fixture
def survey(world):
    from tests.evaluations.test_surveys import make_survey

    return make_survey(world, tokens=1)[0]


@pytest.mark.parametrize("user", [*ROLES, "purchaser2"])
def test_paper_survey_page_and_template(world, login, client, token_for, survey, user):
    allowed = user in ("purchaser", "worker")
    if user:
        login(user)
    page = client.get(f"/evaluations/surveys/{survey.pk}/paper/")
    if user is None:
        assert page.status_code == 302 and "/login/" in page["Location"]
    else:
        assert page.status_code == (200 if allowed else 403), user
    client.logout()
    api = client.get(
        f"/api/v1/evaluations/surveys/{survey.pk}/paper/template.xlsx",
        **(token_for(user) if user else {}),
    )
    assert api.status_code == (401 if user is None else 200 if allowed else 403), user
