"""Bad input gets a clear 4xx, never a 500 (found by review; one row per case)."""

import base64

import pytest

from caidan.projects.inputs import ProposalInput

INFINITY = base64.urlsafe_b64encode(b"[Infinity]").decode().rstrip("=")


@pytest.mark.parametrize(
    ("user", "method", "path", "data", "expected"),
    [
        (None, "get", f"/api/v1/needs?cursor={INFINITY}", None, 400),
        (None, "get", "/api/v1/jurisdiction/working-days?start=9999-12-30&days=5", None, 400),
        (None, "get", "/api/v1/jurisdiction/calendar?year=99999999999999999999", None, 400),
        (None, "get", "/api/v1/jurisdiction/working-days?start=2026-01-01&days=999999", None, 400),
        ("provider", "patch", "/api/v1/orgs/mine", {"email": 123}, 400),
        ("provider", "patch", "/api/v1/orgs/mine", {"website": 5}, 400),
        ("provider", "patch", "/api/v1/orgs/mine", {"fields": 7}, 400),
        ("provider", "post", "/api/v1/orgs/mine/change-requests", {"changes": {"name": 123}}, 201),
    ],
)
def test_api_bad_input_is_4xx(world, client, token_for, user, method, path, data, expected):
    headers = token_for(user) if user else {}
    kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
    resp = getattr(client, method)(path, **kwargs, **headers)
    assert resp.status_code == expected, resp.content[:300]
    if expected >= 400:
        assert resp.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"period_start": "notadate"},
        {"catalog_item_id": "x"},
        {"year": "abc"},
        {"funding": "abc"},
        {"outputs": "x"},
        {"catalog_item_id": 999999},
        {"need_ids": [999999]},
    ],
)
def test_proposal_patch_bad_input_is_400(world, client, token_for, body):
    p = _draft_proposal(world)
    resp = client.patch(
        f"/api/v1/projects/proposals/{p.pk}",
        data=body,
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert resp.status_code == 400, resp.content[:300]
    assert resp.json()["detail"]["field"]


def _draft_proposal(world):
    import datetime as dt

    from django.utils import timezone

    from caidan.catalog.models import CatalogItem
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title="补丁测试",
            catalog_item=CatalogItem.objects.filter(level=3, version__status="published").first(),
            budget="1000.00",
            funding=[{"source": "fiscal", "amount": "1000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
        ),
    )


@pytest.mark.parametrize(
    ("user", "method", "path", "data", "expected"),
    [
        (None, "get", "/orgs/99999/", None, 404),
        ("purchaser", "post", "/notifications/99999/read/", {}, 404),
        ("purchaser", "get", "/projects/proposals/?status=bogus", None, 400),
        ("purchaser", "get", "/projects/proposals/?cursor=!!!", None, 400),
        ("committee", "get", "/projects/sessions/?cursor=zz", None, 400),
        ("purchaser", "get", "/notifications/?cursor=zz", None, 400),
        (None, "get", "/orgs/directory/elderly/?cursor=zz", None, 400),
        ("registrar", "post", "/orgs/change-requests/", {"request_id": "abc"}, 302),
        ("admin", "get", "/settings/calendar/?year=abc", None, 200),
    ],
)
def test_pages_bad_input_is_not_500(world, client, login, user, method, path, data, expected):
    if user:
        login(user)
    resp = (
        getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    )
    assert resp.status_code == expected


# --- issue 16 item 5: no server error on any input ----------------------------------------------

LONE = '"\\ud800"'  # JSON text: a lone UTF-16 surrogate, valid JSON but no Unicode text


def _assert_error_shape(resp, status):
    assert resp.status_code == status, resp.content[:300]
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"], body
    return body


@pytest.mark.parametrize(
    ("user", "method", "path", "body", "field"),
    [
        # "@" stands for the lone surrogate
        (None, "post", "/api/v1/enquiries", '{"kind": "report", "title": @}', "title"),
        ("purchaser", "post", "/api/v1/tokens", '{"name": @}', "name"),
        ("provider", "patch", "/api/v1/orgs/mine", '{"website": @}', "website"),
        ("purchaser", "post", "/api/v1/tokens", '{"name": "x", "k": [1, {"n": @}]}', "k.1.n"),
    ],
)
def test_lone_surrogate_is_400_naming_the_field(
    world, client, token_for, user, method, path, body, field
):
    headers = token_for(user) if user else {}
    body = body.replace("@", LONE)
    resp = getattr(client, method)(path, data=body, content_type="application/json", **headers)
    detail = _assert_error_shape(resp, 400)["detail"]
    assert detail["field"] == field


def test_surrogate_pair_is_fine(world, client, token_for):
    """An escaped pair is one character (😀) and is stored as such."""
    from caidan.accounts.models import ApiToken

    resp = client.post(
        "/api/v1/tokens",
        data='{"name": "脚本 \\ud83d\\ude00"}',
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert resp.status_code == 201, resp.content[:300]
    assert ApiToken.objects.filter(name="脚本 😀").exists()


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        (None, "/api/v1/enquiries/statistics?year=29519414910516", 400),
        (None, "/api/v1/enquiries/statistics?year=1899", 400),
        (None, "/api/v1/enquiries/statistics?year=2201", 400),
        (None, "/api/v1/enquiries/statistics?year=2200", 200),
        (None, "/api/v1/enquiries/public?unit_id=99999999999999999999999", 400),
        (None, "/api/v1/enquiries/public?unit_id=9223372036854775807", 200),
        # Ids past bigint in a path: refused or not found, never a 500 (SQLite and PostgreSQL).
        ("admin", "/api/v1/units/99999999999999999999999/members", "4xx"),
        ("admin", "/api/v1/documents/99999999999999999999999", "4xx"),
    ],
)
def test_out_of_range_numbers_are_4xx(world, client, token_for, user, path, status):
    resp = client.get(path, **(token_for(user) if user else {}))
    if status == "4xx":
        assert 400 <= resp.status_code < 500, resp.content[:300]
        assert set(resp.json()) == {"code", "message", "detail"}
    elif status >= 400:
        _assert_error_shape(resp, status)
    else:
        assert resp.status_code == status, resp.content[:300]


@pytest.mark.parametrize("until", ["9999-12-31", "2201-01-01", "0001-01-01"])
def test_audit_page_refuses_dates_out_of_range(world, client, login, until):
    login("admin")
    resp = client.get(f"/audit/?until={until}")
    assert resp.status_code == 200
    assert resp.context["form"].errors["until"] == ["日期须在 1900-01-01 至 2200-12-31 之间。"]


@pytest.mark.parametrize(
    "field",
    ["need_ids", "menu_item_ids", "required_fields", "target_groups", "description"],
)
def test_null_where_a_value_is_expected_is_400(world, client, token_for, field):
    proposal = _draft_proposal(world)
    resp = client.patch(
        f"/api/v1/projects/proposals/{proposal.pk}",
        data={field: None},
        content_type="application/json",
        **token_for("purchaser"),
    )
    body = _assert_error_shape(resp, 400)
    assert (body["code"], body["detail"]["field"]) == ("null_not_allowed", field)


def _upload_endpoints():
    from caidan.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if "multipart/form-data" in op.get("requestBody", {}).get("content", {})
    ]


def test_every_upload_endpoint_refuses_multipart_without_boundary(world, client, token_for):
    import re

    endpoints = _upload_endpoints()
    assert len(endpoints) >= 5
    for method, path in endpoints:
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        for user in ("admin", "purchaser", "provider"):
            resp = client.generic(
                method.upper(),
                url,
                b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
                content_type="multipart/form-data",
                **token_for(user),
            )
            assert 400 <= resp.status_code < 500, (user, url, resp.content[:300])
            assert set(resp.json()) == {"code", "message", "detail"}


def test_server_error_under_api_is_json(world, token_for, monkeypatch):
    """A real bug in a handler: still the JSON error shape, status 500, not the HTML page."""
    from django.test import Client

    from caidan.documents import selectors

    def broken(**kwargs):
        raise RuntimeError("deliberate test failure")

    monkeypatch.setattr(selectors, "document_list_mine", broken)
    client = Client(raise_request_exception=False)
    resp = client.get("/api/v1/documents", **token_for("purchaser"))
    assert resp["Content-Type"].startswith("application/json")
    body = _assert_error_shape(resp, 500)
    assert body["code"] == "server_error" and body["detail"] == {}


def test_error_outside_ninja_under_api_is_json(world, token_for, monkeypatch):
    """Errors raised before the API is reached (a middleware, Django refusing the request)
    are JSON too, with their status."""
    from django.test import Client

    from caidan.accounts import middleware

    client = Client(raise_request_exception=False)
    resp = client.get("/api/v1/me", HTTP_HOST="evil.example")
    assert _assert_error_shape(resp, 400)["code"] == "bad_request"

    def broken(self, request):
        raise RuntimeError("deliberate test failure")

    monkeypatch.setattr(middleware.ActorMiddleware, "__call__", broken)
    resp = Client(raise_request_exception=False).get("/api/v1/me")
    assert _assert_error_shape(resp, 500)["code"] == "server_error"
    # Pages stay HTML.
    resp = Client(raise_request_exception=False).get("/")
    assert resp.status_code == 500 and resp["Content-Type"].startswith("text/html")
