import pytest
from django.test import Client

from caidan.accounts.models import Role
from caidan.audit.models import AuditEvent


def test_openapi_is_valid_openapi_3(client, db):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_me_by_token_lists_roles(world, client, token_for):
    body = client.get("/api/v1/me", **token_for("purchaser")).json()
    assert body["username"] == "purchaser"
    assert {m["role"] for m in body["memberships"]} == {Role.PURCHASER, Role.COMMITTEE_MEMBER}
    assert body["active_membership"]["role"] == Role.PURCHASER


def test_token_role_header_selects_membership(world, client, token_for):
    headers = token_for("purchaser", role=Role.COMMITTEE_MEMBER)
    body = client.get("/api/v1/me", **headers).json()
    assert body["active_membership"]["role"] == Role.COMMITTEE_MEMBER


def test_bad_or_revoked_token_is_401(world, client, token_for):
    resp = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer cd_nothing_here")
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
    headers = token_for("provider")
    token_id = client.get("/api/v1/tokens", **headers).json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", **headers).status_code == 204
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_token_create_over_api_shows_secret_once(world, client, token_for):
    headers = token_for("expert")
    resp = client.post(
        "/api/v1/tokens", data={"name": "报表"}, content_type="application/json", **headers
    )
    assert resp.status_code == 201
    secret = resp.json()["token"]
    assert secret.startswith("cd_")
    listed = client.get("/api/v1/tokens", **headers).json()
    assert all("token" not in t for t in listed)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_token_create_missing_name_names_the_field(world, client, token_for):
    resp = client.post(
        "/api/v1/tokens",
        data={"name": " "},
        content_type="application/json",
        **token_for("expert"),
    )
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "name"
    resp = client.post(
        "/api/v1/tokens", data={}, content_type="application/json", **token_for("expert")
    )
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "name"


def test_session_api_requires_csrf_for_writes(world):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.user("provider"))
    resp = csrf_client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert resp.status_code in (401, 403)
    # With the CSRF token (as the web UI sends it) the same request succeeds.
    csrf_client.get("/login/")
    token = csrf_client.cookies["csrftoken"].value
    resp = csrf_client.post(
        "/api/v1/tokens",
        data={"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert resp.status_code == 201
    # Token clients need no CSRF token.
    secret = resp.json()["token"]
    resp = Client(enforce_csrf_checks=True).post(
        "/api/v1/tokens",
        data={"name": "y"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert resp.status_code == 201


def test_switch_role_over_session_api(world, login):
    client = login("purchaser")
    committee = world.membership("purchaser", Role.COMMITTEE_MEMBER)
    resp = client.post(
        "/api/v1/me/active-role",
        data={"membership_id": committee.pk},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert client.get("/api/v1/me").json()["active_membership"]["role"] == Role.COMMITTEE_MEMBER
    other = world.membership("admin")
    resp = client.post(
        "/api/v1/me/active-role", data={"membership_id": other.pk}, content_type="application/json"
    )
    assert resp.status_code == 404
    assert AuditEvent.objects.filter(
        kind="user.role_switched", actor__username="purchaser"
    ).exists()


def test_change_password_over_api(world, client, token_for):
    from caidan.demo.data import DEMO_PASSWORD

    headers = token_for("hub")
    resp = client.post(
        "/api/v1/me/password",
        data={"old_password": "x", "new_password": "y"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "old_password"
    resp = client.post(
        "/api/v1/me/password",
        data={"old_password": DEMO_PASSWORD, "new_password": "hub-new-passphrase-1"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 204


def test_units_paginate_with_cursor(world, client):
    first = client.get("/api/v1/units?limit=5").json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    seen = [u["id"] for u in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/units?limit=5&cursor={cursor}").json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 15


@pytest.mark.parametrize("limit", [20, 100])
def test_unit_members_query_count_is_bounded(
    world, client, token_for, limit, django_assert_max_num_queries
):
    from caidan.accounts.models import Role as R
    from caidan.accounts.services import membership_grant, user_create

    street = world.unit("310105-001")
    members = street.memberships.count()  # the demo's purchaser and community worker
    for i in range(30):
        user = user_create(
            username=f"officer{i}", password="x", actor=world.system, validate_password=False
        )
        membership_grant(user=user, role=R.PURCHASER, unit=street, actor=world.system)
    headers = token_for("purchaser")
    with django_assert_max_num_queries(8):
        resp = client.get(f"/api/v1/units/{street.pk}/members?limit={limit}", **headers)
    assert resp.status_code == 200
    assert len(resp.json()["items"]) == min(limit, members + 30)
