"""Bad input gets a clear 4xx, never a 500 (found by review; one row per case)."""

import base64

import pytest

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
    import datetime as dt

    from django.utils import timezone

    from caidan.catalog.models import CatalogItem
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    p = proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        title="补丁测试",
        catalog_item=CatalogItem.objects.filter(level=3, version__status="published").first(),
        budget="1000.00",
        funding=[{"source": "fiscal", "amount": "1000.00"}],
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        purchase_mode="outsourcing",
        procurement_method="open_tender",
    )
    resp = client.patch(
        f"/api/v1/projects/proposals/{p.pk}",
        data=body,
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert resp.status_code == 400, resp.content[:300]
    assert resp.json()["detail"]["field"]


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
