"""The catalog API: public reads, admin writes (role matrix), errors in the shared envelope,
import/export, and bounded queries on the list endpoints."""

import datetime as dt
import io

import pytest

from caidan.catalog import services
from caidan.catalog.inputs import CatalogItemInput, CatalogVersionInput
from caidan.catalog.models import CatalogItem, CatalogVersion, NegativeListEntry
from caidan.catalog.selectors import catalog_current

from .conftest import xlsx_bytes, xlsx_upload

USERS = [None, "admin", "registrar", "purchaser", "committee", "provider", "expert", "resident"]
BASE = "/api/v1/catalog"


def _headers(token_for, user):
    return token_for(user) if user else {}


def _envelope(resp):
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"], body
    return body


@pytest.fixture
def ids(world):
    current = catalog_current()
    old = CatalogVersion.objects.get(name="2016年8月修订版")
    item = CatalogItem.objects.get(version=current, code="010101")
    return {"current": current.pk, "old": old.pk, "item": item.pk}


PUBLIC_READS = [
    "/versions",
    "/versions/current",
    "/versions/current?on=2017-01-01",
    "/versions/{current}",
    "/versions/{current}/items",
    "/versions/{current}/items?level=3&q=养老",
    "/versions/{current}/items?parent=0101",
    "/items/{item}",
    "/compare?a={old}&b={current}",
    "/negative-list",
    "/versions/{current}/export",
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads(client, token_for, ids, user, path):
    resp = client.get(BASE + path.format(**ids), **_headers(token_for, user))
    assert resp.status_code == 200, (user, path, resp.content[:300])


@pytest.mark.parametrize("user", USERS)
def test_public_negative_list_check(client, token_for, world, user):
    resp = client.post(
        f"{BASE}/negative-list/check",
        data={"text": "街道办事处劳务派遣人员经费"},
        content_type="application/json",
        **_headers(token_for, user),
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["allowed"] is False
    assert body["matches"][0]["code"] == "NL05" and body["matches"][0]["keyword"] == "劳务派遣"
    assert "财政部令第102号第十条" in body["message"]
    ok = client.post(
        f"{BASE}/negative-list/check",
        data={"text": "居家养老服务"},
        content_type="application/json",
    ).json()
    assert ok == {"allowed": True, "message": None, "matches": []}


def _draft(world):
    return services.catalog_version_create(
        actor=world.actor("admin"),
        data=CatalogVersionInput.parse(name="接口测试草稿", effective_date=dt.date(2030, 1, 1)),
    )


def _published_draft(world):
    version = services.catalog_version_create(
        copy_from=catalog_current(),
        actor=world.actor("admin"),
        data=CatalogVersionInput.parse(name="接口测试发布", effective_date=dt.date(2030, 1, 1)),
    )
    return version


WRITES = [
    # name, method, path, body, admin status
    ("create version", "post", "/versions", {"name": "新版", "effective_date": "2030-02-01"}, 201),
    ("update version", "patch", "/versions/{draft}", {"notes": "说明"}, 200),
    ("discard version", "delete", "/versions/{draft}", None, 204),
    ("publish version", "post", "/versions/{full}/publish", None, 200),
    ("retire version", "post", "/versions/{current}/retire", None, 200),
    (
        "create item",
        "post",
        "/versions/{draft}/items",
        {"code": "01", "name": "基本公共服务"},
        201,
    ),
    ("update item", "patch", "/items/{full_item}", {"name": "居家养老综合服务"}, 200),
    ("delete item", "delete", "/items/{full_leaf}", None, 204),
    (
        "create entry",
        "post",
        "/negative-list",
        {"code": "NL07", "title": "其他", "legal_basis": "财政部令第102号第十条第（六）项"},
        201,
    ),
    ("update entry", "patch", "/negative-list/{entry}", {"keywords": ["工程"]}, 200),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("name", "method", "path", "body", "admin_status"), WRITES)
def test_writes_by_role(client, token_for, world, user, name, method, path, body, admin_status):
    draft = _draft(world)
    full = _published_draft(world)
    ids = {
        "draft": draft.pk,
        "full": full.pk,
        "current": catalog_current().pk,
        "full_item": CatalogItem.objects.get(version=full, code="010101").pk,
        "full_leaf": CatalogItem.objects.get(version=full, code="010102").pk,
        "entry": NegativeListEntry.objects.get(code="NL03").pk,
    }
    kwargs = {"content_type": "application/json", **_headers(token_for, user)}
    if body is not None:
        kwargs["data"] = body
    resp = getattr(client, method)(BASE + path.format(**ids), **kwargs)
    expected = admin_status if user == "admin" else 401 if user is None else 403
    assert resp.status_code == expected, (user, name, resp.content[:400])
    if expected >= 400:
        _envelope(resp)


@pytest.mark.parametrize("user", USERS)
def test_import_by_role(client, token_for, world, user):
    draft = _draft(world)
    resp = client.post(
        f"{BASE}/versions/{draft.pk}/import",
        {"file": xlsx_upload([["01", "基本公共服务"]])},
        **_headers(token_for, user),
    )
    expected = 201 if user == "admin" else 401 if user is None else 403
    assert resp.status_code == expected, resp.content
    if user == "admin":
        assert resp.json() == {"created": 1, "codes": ["01"]}


def test_import_bad_rows_returns_400_with_each_row(client, token_for, world):
    draft = _draft(world)
    rows = [["01", "基本公共服务"], ["0101x", "坏"], ["0201", "无上级"], ["01", "重复"]]
    resp = client.post(
        f"{BASE}/versions/{draft.pk}/import",
        {"file": xlsx_upload(rows)},
        **token_for("admin"),
    )
    assert resp.status_code == 400
    body = _envelope(resp)
    assert body["code"] == "import_rows_invalid"
    assert [(e["row"], e["field"]) for e in body["detail"]["errors"]] == [
        (3, "编码"),
        (4, "编码"),
        (5, "编码"),
    ]
    assert not CatalogItem.objects.filter(version=draft).exists()
    resp = client.post(
        f"{BASE}/versions/{draft.pk}/import",
        {"file": io.BytesIO(b"a,b\n")},
        **token_for("admin"),
    )
    assert resp.status_code == 400 and _envelope(resp)["detail"]["field"] == "file"


def test_export_downloads_xlsx(client, ids):
    resp = client.get(f"{BASE}/versions/{ids['current']}/export")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp["Content-Disposition"]
    assert "filename*=utf-8''" in resp["Content-Disposition"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    assert sheet["A1"].value == "编码" and sheet["A2"].value == "01"


def test_drafts_are_404_for_the_public_and_visible_to_the_admin(client, token_for, world):
    draft = _draft(world)
    services.catalog_item_create(
        version=draft,
        actor=world.actor("admin"),
        data=CatalogItemInput.parse(code="01", name="基本公共服务"),
    )
    item = CatalogItem.objects.get(version=draft)
    for path in (
        f"/versions/{draft.pk}",
        f"/versions/{draft.pk}/items",
        f"/items/{item.pk}",
        f"/versions/{draft.pk}/export",
    ):
        for user in (None, "purchaser", "resident"):
            resp = client.get(BASE + path, **_headers(token_for, user))
            assert resp.status_code == 404, (path, user)
            _envelope(resp)
        assert client.get(BASE + path, **token_for("admin")).status_code == 200
    listed = {v["id"] for v in client.get(f"{BASE}/versions").json()["items"]}
    assert draft.pk not in listed
    listed = {v["id"] for v in client.get(f"{BASE}/versions", **token_for("admin")).json()["items"]}
    assert draft.pk in listed


def test_version_and_item_bodies(client, ids):
    versions = client.get(f"{BASE}/versions").json()
    assert [v["name"] for v in versions["items"]] == ["2017年7月修订版", "2016年8月修订版"]
    assert versions["items"][0]["is_current"] and not versions["items"][1]["is_current"]
    assert versions["items"][0]["level3_count"] >= 40
    current = client.get(f"{BASE}/versions/current").json()
    assert current["id"] == ids["current"] and current["url"] == f"/catalog/v/{ids['current']}/"
    assert client.get(f"{BASE}/versions/current?on=2017-01-01").json()["id"] == ids["old"]
    resp = client.get(f"{BASE}/versions/current?on=2000-01-01")
    assert resp.status_code == 404 and _envelope(resp)["code"] == "no_current_version"
    item = client.get(f"{BASE}/items/{ids['item']}").json()
    assert item["code"] == "010101" and item["guidance_price"] == "32.00"
    assert item["category"] == "service" and item["category_label"] == "服务类"
    assert [a["code"] for a in item["ancestors"]] == ["01", "0101"]
    assert (
        item["version"]["id"] == ids["current"] and item["url"] == f"/catalog/items/{ids['item']}/"
    )
    page = client.get(f"{BASE}/versions/{ids['current']}/items?q=调解&level=3").json()
    assert {i["name"] for i in page["items"]} == {"人民调解", "医患纠纷人民调解"}


def test_items_pagination_by_cursor(client, ids):
    url = f"{BASE}/versions/{ids['current']}/items?limit=25"
    first = client.get(url).json()
    assert len(first["items"]) == 25 and first["next_cursor"]
    second = client.get(f"{url}&cursor={first['next_cursor']}").json()
    assert first["items"][-1]["code"] < second["items"][0]["code"]
    resp = client.get(f"{url}&cursor=garbage")
    assert resp.status_code == 400 and _envelope(resp)["detail"]["field"] == "cursor"
    assert client.get(f"{BASE}/versions/{ids['current']}/items?level=9").status_code == 400


def test_compare_body(client, ids):
    body = client.get(f"{BASE}/compare?a={ids['old']}&b={ids['current']}").json()
    assert "社会满意度调查" in {i["name"] for i in body["added"]}
    assert [i["code"] for i in body["removed"]] == ["010302"]
    change = next(c for c in body["changed"] if c["code"] == "010101")
    assert change["changes"] == [
        {"field": "guidance_price", "label": "指导价", "old": "30.00", "new": "32.00"}
    ]


def test_admin_flow_over_the_api(client, token_for, world):
    headers = token_for("admin")
    post = lambda path, data=None: client.post(  # noqa: E731
        BASE + path, data=data or {}, content_type="application/json", **headers
    )
    version = post(
        "/versions",
        {
            "name": "2030年修订版",
            "effective_date": "2030-01-01",
            "copy_from_id": catalog_current().pk,
        },
    ).json()
    assert version["status"] == "draft"
    created = post(
        f"/versions/{version['id']}/items",
        {
            "code": "010105",
            "name": "助餐服务",
            "category": "服务类",
            "guidance_price": "15.00",
            "price_unit": "元/人·次",
            "bought_first": True,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["guidance_price"] == "15.00"
    refused = post(
        f"/versions/{version['id']}/items",
        {
            "code": "010106",
            "name": "养老院新建工程",
            "category": "服务类",
        },
    )
    assert refused.status_code == 400
    body = _envelope(refused)
    assert body["code"] == "negative_list" and body["detail"]["field"] == "name"
    assert "工程" in body["message"] and "财政部令第102号第十条" in body["message"]
    float_price = post(
        f"/versions/{version['id']}/items",
        {
            "code": "010106",
            "name": "测试",
            "category": "服务类",
            "guidance_price": 1.5,
            "price_unit": "元",
        },
    )
    assert float_price.status_code == 400
    patched = client.patch(
        f"{BASE}/items/{created.json()['id']}",
        data={"guidance_price": None},
        content_type="application/json",
        **headers,
    )
    assert patched.status_code == 200 and patched.json()["guidance_price"] is None
    published = post(f"/versions/{version['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client.get(f"{BASE}/versions/current?on=2030-01-01").json()["id"] == version["id"]
    again = post(f"/versions/{version['id']}/publish")
    assert again.status_code == 409 and _envelope(again)["code"] == "bad_transition"
    locked = post(
        f"/versions/{version['id']}/items", {"code": "010107", "name": "x", "category": "服务类"}
    )
    assert locked.status_code == 409 and _envelope(locked)["code"] == "version_not_draft"


def test_validation_errors_name_the_field(client, token_for, world):
    resp = client.post(
        f"{BASE}/versions",
        data={"name": "x"},
        content_type="application/json",
        **token_for("admin"),
    )
    assert resp.status_code == 400 and _envelope(resp)["detail"]["field"] == "effective_date"


def test_list_endpoints_have_bounded_queries(
    client, token_for, world, django_assert_max_num_queries
):
    admin = world.actor("admin")
    big = services.catalog_version_create(
        actor=admin,
        data=CatalogVersionInput.parse(name="大目录", effective_date=dt.date(2030, 1, 1)),
    )
    rows = [["01", "基本公共服务"]] + [[f"01{i:02d}", f"二级{i}"] for i in range(1, 31)]
    rows += [
        [f"01{i:02d}{j:02d}", f"服务{i}-{j}", "", "服务类"] for i in range(1, 31) for j in (1, 2, 3)
    ]
    services.catalog_version_import(version=big, file=io.BytesIO(xlsx_bytes(rows)), actor=admin)
    current = catalog_current()
    services.catalog_version_publish(version=big, actor=admin)
    headers = token_for("admin")
    paths = [
        f"/versions/{big.pk}/items?limit=100",
        f"/versions/{big.pk}/items?limit=100&q=服务",
        f"/versions/{big.pk}/items?limit=100&level=3",
        "/versions?limit=100",
        "/negative-list",
        f"/compare?a={current.pk}&b={big.pk}",
    ]
    for path in paths:
        with django_assert_max_num_queries(5):
            assert client.get(BASE + path).status_code == 200
        with django_assert_max_num_queries(8):  # + token lookup and the acting role
            assert client.get(BASE + path, **headers).status_code == 200


def test_openapi_lists_the_catalog(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/catalog/versions/{version_id}/items" in paths
    assert "/api/v1/catalog/negative-list/check" in paths
