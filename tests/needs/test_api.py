"""The API (/api/v1/needs): a role × endpoint matrix with object scope, resident
verification by code, list endpoints without N+1, no personal data in public answers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from caidan.needs import services
from caidan.needs.models import Menu, MenuOrder, Need

from .conftest import code_in

USERS = [None, "admin", "purchaser", "purchaser2", "committee", "provider", "resident"]


@pytest.fixture
def headers(token_for, demo_resident):
    """Headers for a demo user (the ``resident`` has a verified identity)."""

    def _headers(user):
        return token_for(user) if user else {}

    return _headers


def _expect(user, allowed: set[str], ok: int = 200, scoped: dict | None = None) -> int:
    if user is None:
        return 401
    if scoped and user in scoped:
        return scoped[user]
    return ok if user in allowed else 403


def _post(client, path, data=None, **headers):
    return client.post(path, data=data or {}, content_type="application/json", **headers)


def _error_body(resp):
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"]
    return body


# --- verification ------------------------------------------------------------------------


def test_verification_round_trip_returns_a_token(
    world, client, locmem_sms, new_phone, django_capture_on_commit_callbacks
):
    phone = new_phone()
    with django_capture_on_commit_callbacks(execute=True):
        resp = _post(client, "/api/v1/needs/verification/start", {"kind": "phone", "value": phone})
    assert resp.status_code == 200, resp.content
    assert resp.json()["hint"] == f"{phone[:3]}****{phone[-4:]}"
    assert resp.json()["resend_after_seconds"] == 60
    again = _post(client, "/api/v1/needs/verification/start", {"value": phone})
    assert again.status_code == 429 and _error_body(again)["code"] == "code_too_soon"
    code = code_in(locmem_sms)
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"
    wrong = _post(
        client, "/api/v1/needs/verification/confirm", {"value": phone, "code": wrong_code}
    )
    assert wrong.status_code == 400 and _error_body(wrong)["code"] == "code_wrong"
    assert _error_body(wrong)["detail"]["attempts_left"] == 4
    resp = _post(client, "/api/v1/needs/verification/confirm", {"value": phone, "code": code})
    assert resp.status_code == 200, resp.content
    token = resp.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    me = client.get("/api/v1/me", **auth).json()
    assert me["active_membership"]["role"] == "resident"
    unit = world.unit("310105-001")
    created = _post(
        client,
        "/api/v1/needs",
        {
            "unit_id": unit.pk,
            "community": "愚园路居委会",
            "target_group": "disabled",
            "text": "残疾人希望社区有康复健身场地。",
        },
        **auth,
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "visible"


# --- the matrix ----------------------------------------------------------------------------

PUBLIC_READS = [
    "/api/v1/needs",
    "/api/v1/needs/menus",
    "/api/v1/needs/menus/{menu}",
    "/api/v1/needs/menus/{menu}/results",
    "/api/v1/needs/menus/{menu}/results.csv",
    "/api/v1/needs/menus/{menu}/results.xlsx",
]
PRIVATE_READS = [
    ("/api/v1/needs/mine", {"resident"}),
    ("/api/v1/needs/orders/mine", {"resident"}),
    ("/api/v1/needs/moderation", {"admin", "purchaser", "purchaser2"}),
    ("/api/v1/needs/menus/manage", {"purchaser", "purchaser2"}),
]


@pytest.mark.parametrize("user", USERS)
def test_reads(world, client, headers, open_menu, user):
    for path in PUBLIC_READS:
        resp = client.get(path.format(menu=open_menu.pk), **headers(user))
        assert resp.status_code == 200, (user, path, resp.content[:300])
    for path, allowed in PRIVATE_READS:
        resp = client.get(path, **headers(user))
        assert resp.status_code == _expect(user, allowed), (user, path, resp.content[:300])
        if resp.status_code >= 400:
            _error_body(resp)


@pytest.mark.parametrize("user", USERS)
def test_draft_menus_are_visible_only_in_scope(world, client, headers, make_menu, user):
    draft = make_menu()
    resp = client.get(f"/api/v1/needs/menus/{draft.pk}", **headers(user))
    assert resp.status_code == (200 if user == "purchaser" else 404), user
    resp = client.get(f"/api/v1/needs/menus/{draft.pk}/results", **headers(user))
    assert resp.status_code == (200 if user == "purchaser" else 404), user


@pytest.mark.parametrize("user", USERS)
def test_submit_need(world, client, headers, user):
    resp = _post(
        client,
        "/api/v1/needs",
        {
            "unit_id": world.unit("310105-002").pk,
            "community": "番禺路居委会",
            "target_group": "elderly",
            "text": "社区老人希望有助餐服务和送餐上门。",
        },
        **headers(user),
    )
    assert resp.status_code == _expect(user, {"resident"}, ok=201), resp.content


@pytest.mark.parametrize("user", USERS)
def test_report_need(world, client, headers, make_need, user):
    need = make_need()
    resp = _post(client, f"/api/v1/needs/{need.pk}/report", {"reason": "广告"}, **headers(user))
    assert resp.status_code == (401 if user is None else 200), resp.content
    if user:
        assert resp.json() == {"need_id": need.pk, "hidden": False}
        again = _post(client, f"/api/v1/needs/{need.pk}/report", **headers(user))
        assert again.status_code == 409 and _error_body(again)["code"] == "already_reported"


MODERATORS = {"admin", "purchaser"}
OUT_OF_SCOPE = {"purchaser2": 403}


@pytest.mark.parametrize("user", USERS)
def test_hide_and_restore_need(world, client, headers, make_need, user):
    need = make_need()  # 江苏路街道
    resp = _post(
        client, f"/api/v1/needs/{need.pk}/hide", {"reason": "含有个人信息"}, **headers(user)
    )
    assert resp.status_code == _expect(user, MODERATORS, scoped=OUT_OF_SCOPE), resp.content
    if user == "purchaser2":
        assert _error_body(resp)["code"] == "out_of_scope"
    if resp.status_code == 200:
        assert resp.json()["status"] == "hidden"
        public = client.get("/api/v1/needs?limit=100").json()["items"]
        assert need.pk not in [i["id"] for i in public]
        resp = _post(
            client, f"/api/v1/needs/{need.pk}/restore", {"reason": "核实无误"}, **headers(user)
        )
        assert resp.status_code == 200 and resp.json()["status"] == "visible"


def _menu_payload(**extra):
    now = timezone.now()
    return {
        "community": "愚园路居委会",
        "title": "API 菜单",
        "ordering_opens_at": (now + dt.timedelta(days=1)).isoformat(),
        "ordering_closes_at": (now + dt.timedelta(days=8)).isoformat(),
        **extra,
    }


@pytest.mark.parametrize("user", USERS)
def test_create_menu(world, client, headers, user):
    resp = _post(client, "/api/v1/needs/menus", _menu_payload(), **headers(user))
    assert resp.status_code == _expect(user, {"purchaser", "purchaser2"}, ok=201), resp.content
    if resp.status_code == 201:
        unit = {"purchaser": "310105-001", "purchaser2": "310105-002"}[user]
        assert resp.json()["unit_id"] == world.unit(unit).pk
        assert resp.json()["status"] == "draft"


@pytest.mark.parametrize("user", USERS)
def test_menu_writes_by_scope(world, client, headers, make_menu, catalog, user):
    menu = make_menu(items=("visit",))  # 江苏路街道's draft
    expected = _expect(user, {"purchaser"}, scoped={"purchaser2": 403})
    if user not in ("purchaser", "purchaser2", None):
        expected = 403
    h = headers(user)
    resp = client.patch(
        f"/api/v1/needs/menus/{menu.pk}",
        data={"title": "新标题"},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == expected, (user, resp.content)
    resp = _post(
        client,
        f"/api/v1/needs/menus/{menu.pk}/items",
        {"catalog_item_id": catalog["mind"].pk, "estimated_budget": "150000"},
        **h,
    )
    assert resp.status_code == (201 if expected == 200 else expected), resp.content
    item_id = menu.items.get(catalog_item=catalog["visit"]).pk
    resp = client.delete(f"/api/v1/needs/menus/{menu.pk}/items/{item_id}", **h)
    assert resp.status_code == (204 if expected == 200 else expected), resp.content
    resp = _post(client, f"/api/v1/needs/menus/{menu.pk}/publish", **h)
    assert resp.status_code == expected, resp.content
    resp = _post(client, f"/api/v1/needs/menus/{menu.pk}/close", {"reason": "调整"}, **h)
    assert resp.status_code == expected, resp.content
    if expected == 200:
        body = resp.json()
        assert body["status"] == "closed" and body["title"] == "新标题"
        assert Menu.objects.get(pk=menu.pk).items.get().catalog_item == catalog["mind"]


def test_menu_api_errors(world, client, token_for, open_menu, catalog):
    h = token_for("purchaser", "purchaser")
    frozen = _post(
        client,
        f"/api/v1/needs/menus/{open_menu.pk}/items",
        {"catalog_item_id": catalog["meals"].pk},
        **h,
    )
    assert frozen.status_code == 409 and _error_body(frozen)["code"] == "menu_frozen"
    bad = _post(client, "/api/v1/needs/menus", _menu_payload(ordering_closes_at="yesterday"), **h)
    assert bad.status_code == 400
    twice = _post(client, f"/api/v1/needs/menus/{open_menu.pk}/publish", **h)
    assert twice.status_code == 409 and _error_body(twice)["code"] == "bad_transition"


@pytest.mark.parametrize("user", USERS)
def test_order(world, client, headers, open_menu, user):
    item = open_menu.items.first()
    resp = _post(client, f"/api/v1/needs/items/{item.pk}/order", **headers(user))
    assert resp.status_code == _expect(user, {"resident"}, ok=201), resp.content
    if user == "resident":
        body = resp.json()
        assert body["menu_item_id"] == item.pk
        assert body["followups"][0]["url"] == f"/needs/menus/{open_menu.pk}/results/"
        again = _post(client, f"/api/v1/needs/items/{item.pk}/order", **headers(user))
        assert again.status_code == 409 and _error_body(again)["code"] == "already_ordered"
        assert MenuOrder.objects.filter(menu_item=item).count() == 1
        mine = client.get("/api/v1/needs/orders/mine", **headers(user)).json()
        # newest first; the demo resident may already have supported demo menu items
        assert mine["items"][0]["menu_item_id"] == item.pk


# --- lists: paginated, no N+1, nothing personal ---------------------------------------------


def test_list_endpoints_query_counts(
    world,
    client,
    token_for,
    resident,
    make_need,
    open_menu,
    make_menu,
    django_assert_max_num_queries,
):
    actors = [resident() for _ in range(3)]
    for actor in actors:
        for n in range(4):
            make_need(actor, text=f"需求内容第 {n} 条：希望社区提供助老服务。")
        for item in open_menu.items.all():
            services.menu_order_place(actor=actor, menu_item=item)
    for n in range(5):
        make_menu(publish=True, title=f"菜单 {n}")
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/needs?limit=50").json()
    assert len(body["items"]) >= 12
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/needs/menus?limit=50").json()["items"]) >= 6
    with django_assert_max_num_queries(3):
        assert len(client.get(f"/api/v1/needs/menus/{open_menu.pk}/results").json()["rows"]) == 3
    h = token_for("purchaser", "purchaser")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/needs/moderation?limit=50", **h).json()["items"]) >= 12
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/needs/menus/manage?limit=50", **h).json()["items"]) >= 6
    from caidan.accounts.services import api_token_create

    _, raw = api_token_create(actor=actors[0], name="t")
    r = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/needs/mine", **r).json()["items"]) == 4
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/needs/orders/mine", **r).json()["items"]) == 3


def test_keyset_pagination(world, client, make_need):
    ids = {make_need(text=f"第 {n} 条需求：希望社区提供服务。").pk for n in range(5)}
    seen, cursor = [], None
    while True:
        url = "/api/v1/needs?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert ids <= set(seen) and len(seen) == len(set(seen))
    assert seen == sorted(seen, reverse=True)
    assert client.get("/api/v1/needs?cursor=garbage").status_code == 400


PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|\d{3}\*{4}\d{4}")


def test_public_answers_carry_no_personal_data(world, client, resident, make_need, open_menu):
    actor = resident()
    need = make_need(actor)
    services.menu_order_place(actor=actor, menu_item=open_menu.items.first())
    for path in PUBLIC_READS:
        text = client.get(path.format(menu=open_menu.pk)).content.decode("utf-8", "ignore")
        assert not PHONE.search(text), path
        assert "居民（" not in text and "resident-" not in text and "identity" not in text
    item = client.get("/api/v1/needs").json()["items"][0]
    assert item["id"] == need.pk
    assert set(item) == {
        "id",
        "unit_id",
        "unit_name",
        "community",
        "target_group",
        "target_group_label",
        "text",
        "created_at",
        "assisted",
    }
    assert Need.objects.get(pk=need.pk).identity.user == actor.user


def test_public_lists_search_needs_and_menus_by_words(world, client, make_need, make_menu):
    """``q`` on the public needs and menus (API and page): every word, in the text or the
    community (needs) or the title or description (menus); too long a query is a 400."""
    wanted = make_need(text="希望社区开设菁苗助餐点，中午能吃上热饭。")
    make_need(text="独居老人希望有人定期上门探访。")
    ids = [i["id"] for i in client.get("/api/v1/needs", {"q": "菁苗"}).json()["items"]]
    assert ids == [wanted.pk]
    ids = [i["id"] for i in client.get("/api/v1/needs", {"q": "菁苗 愚园路"}).json()["items"]]
    assert ids == [wanted.pk]  # 愚园路 is in the community
    assert client.get("/api/v1/needs", {"q": "菁苗 探访"}).json()["items"] == []
    html = client.get("/needs/", {"q": "菁苗"}).content.decode()
    assert "菁苗助餐点" in html and "定期上门探访" not in html
    assert f'id="need-{wanted.pk}"' in html and 'value="菁苗"' in html

    menu = make_menu(publish=True, title="菁苗助餐服务菜单")
    make_menu(publish=True, title="健身活动菜单")
    ids = [m["id"] for m in client.get("/api/v1/needs/menus", {"q": "菁苗"}).json()["items"]]
    assert ids == [menu.pk]
    html = client.get("/needs/menus/", {"q": "菁苗"}).content.decode()
    assert "菁苗助餐服务菜单" in html and "健身活动菜单" not in html

    too_long = client.get("/api/v1/needs", {"q": "养" * 101})
    assert too_long.status_code == 400 and too_long.json()["detail"]["field"] == "q"
