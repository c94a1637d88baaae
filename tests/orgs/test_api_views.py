"""The registry over HTTP: public reads, role permissions, masking, query counts."""

import io

import pytest
from openpyxl import Workbook

from caidan.common.identifiers import make_uscc
from caidan.orgs.models import Organization

USERS = [None, "admin", "registrar", "purchaser", "provider", "evaluator", "resident"]
MANAGERS = {"admin", "registrar"}


def _status(user, allowed):
    if user is None:
        return 401
    return None if user in allowed else 403


@pytest.mark.parametrize("path", ["/api/v1/orgs", "/api/v1/orgs/directory?field=elderly"])
def test_public_lists(world, client, path):
    assert client.get(path).status_code == 200


def test_list_search_filters_and_no_n_plus_one(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/orgs?limit=50").json()
    assert len(body["items"]) == 10
    names = [o["name"] for o in client.get("/api/v1/orgs?q=调解").json()["items"]]
    assert names == ["区人民调解协会", "区医患纠纷人民调解委员会"]
    graded = client.get("/api/v1/orgs?min_grade=5").json()["items"]
    assert {o["grade"] for o in graded} == {"5A"}
    serious = client.get("/api/v1/orgs?credit=serious").json()["items"]
    assert [o["name"] for o in serious] == ["长宁区阳光助残服务社"]
    assert client.get("/api/v1/orgs?field=nonsense").status_code == 400


def test_detail_masks_personal_data_for_public(world, client, token_for):
    org = Organization.objects.get(name="阳光家庭综合服务中心")
    public = client.get(f"/api/v1/orgs/{org.pk}").json()
    assert public["legal_representative"] == "陈*阳"
    assert "*" in public["contact_phone"]
    own = client.get(f"/api/v1/orgs/{org.pk}", **token_for("provider")).json()
    assert own["legal_representative"] == "陈晓阳"
    assert "*" not in own["contact_phone"]
    authority = client.get(f"/api/v1/orgs/{org.pk}", **token_for("registrar")).json()
    assert authority["legal_representative"] == "陈晓阳"
    purchaser = client.get(f"/api/v1/orgs/{org.pk}", **token_for("purchaser")).json()
    assert purchaser["legal_representative"] == "陈*阳"
    assert (
        client.get(f"/api/v1/orgs/{org.pk}", HTTP_AUTHORIZATION="Bearer cd_bad_x").status_code
        == 401
    )


@pytest.mark.parametrize("user", USERS)
def test_create_permission(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.post(
        "/api/v1/orgs",
        data={"name": "API 机构", "uscc": make_uscc("52310105MJ6000001"), "fields": ["elderly"]},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (_status(user, MANAGERS) or 201), resp.content


@pytest.mark.parametrize("user", USERS)
def test_grade_and_penalty_permission(world, client, token_for, user):
    org = Organization.objects.get(name="君慧心理咨询工作室")
    headers = token_for(user) if user else {}
    resp = client.post(
        f"/api/v1/orgs/{org.pk}/grades",
        data={"level": 3, "assessed_on": "2026-01-05"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (_status(user, MANAGERS) or 201)
    resp = client.post(
        f"/api/v1/orgs/{org.pk}/penalties",
        data={"kind": "warning", "decided_on": "2026-01-05", "reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (_status(user, MANAGERS) or 201)


@pytest.mark.parametrize("user", USERS)
def test_eligibility_permission(world, client, token_for, user):
    org = Organization.objects.get(name="君慧心理咨询工作室")
    headers = token_for(user) if user else {}
    resp = client.get(f"/api/v1/orgs/{org.pk}/eligibility?grade_policy=required", **headers)
    assert resp.status_code == (_status(user, {"admin", "registrar", "purchaser"}) or 200)
    if resp.status_code == 200:
        body = resp.json()
        assert body["eligible"] is False
        assert any("活动异常名录" in r for r in body["reasons"])


def test_provider_mine_and_change_request_over_api(world, client, token_for):
    headers = token_for("provider")
    assert client.get("/api/v1/orgs/mine", **headers).json()["name"] == "阳光家庭综合服务中心"
    resp = client.patch(
        "/api/v1/orgs/mine", data={"name": "改名"}, content_type="application/json", **headers
    )
    assert resp.status_code == 400 and resp.json()["code"] == "identity_change"
    resp = client.patch(
        "/api/v1/orgs/mine", data={"volunteers": 120}, content_type="application/json", **headers
    )
    assert resp.status_code == 200 and resp.json()["volunteers"] == 120
    resp = client.post(
        "/api/v1/orgs/mine/change-requests",
        data={"changes": {"legal_representative": "陈新"}, "reason": "换届"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 201
    rid = resp.json()["id"]
    assert client.get("/api/v1/orgs/change-requests", **headers).status_code == 403
    resp = client.post(
        f"/api/v1/orgs/change-requests/{rid}/decide",
        data={"approve": True},
        content_type="application/json",
        **token_for("registrar"),
    )
    assert resp.json()["status"] == "approved"
    assert Organization.objects.get(name="阳光家庭综合服务中心").legal_representative == "陈新"
    assert client.get("/api/v1/orgs/mine", **token_for("purchaser")).status_code == 404


def test_import_over_api_reports_rows(world, client, token_for):
    wb = Workbook()
    wb.active.append(["名称", "统一社会信用代码", "组织形式"])
    wb.active.append(["好", make_uscc("52310105MJ5000001"), "基金会"])
    wb.active.append(["坏", "123", "基金会"])
    buf = io.BytesIO()
    wb.save(buf)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("o.xlsx", buf.getvalue())
    resp = client.post("/api/v1/orgs/import", {"file": upload}, **token_for("registrar"))
    assert resp.status_code == 400
    assert resp.json()["detail"]["errors"][0]["row"] == 3
    assert not Organization.objects.filter(name="好").exists()


def test_public_pages(world, client):
    org = Organization.objects.get(name="阳光家庭综合服务中心")
    html = client.get("/orgs/?q=阳光").content.decode()
    assert "阳光家庭综合服务中心" in html and "长宁区阳光助残服务社" in html
    html = client.get(f"/orgs/{org.pk}/").content.decode()
    assert "4A" in html and "陈*阳" in html and "陈晓阳" not in html
    html = client.get("/orgs/directory/").content.decode()
    assert "养老服务" in html
    html = client.get("/orgs/directory/elderly/").content.decode()
    assert "阳光家庭综合服务中心" in html and "长宁区乐龄居家养老服务社" not in html
    assert client.get("/orgs/directory/nothing/").status_code == 404


def test_directory_page_queries_are_bounded(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get("/orgs/directory/mediation/")
    with django_assert_max_num_queries(12):
        client.get("/orgs/?limit=20")


@pytest.mark.parametrize(
    ("user", "path", "expected"),
    [
        (None, "/orgs/new/", 302),
        ("provider", "/orgs/new/", 403),
        ("registrar", "/orgs/new/", 200),
        ("admin", "/orgs/import/", 200),
        ("purchaser", "/orgs/import/", 403),
        ("registrar", "/orgs/change-requests/", 200),
        ("provider", "/orgs/change-requests/", 403),
        ("provider", "/orgs/mine/", 200),
        ("purchaser", "/orgs/mine/", 404),
    ],
)
def test_desk_pages_permissions(world, login, client, user, path, expected):
    if user:
        login(user)
    resp = client.get(path)
    assert resp.status_code == expected


def test_manage_page_records_a_penalty(world, login):
    client = login("registrar")
    org = Organization.objects.get(name="阳光家庭综合服务中心")
    assert client.get(f"/orgs/{org.pk}/manage/").status_code == 200
    assert login("provider").get(f"/orgs/{org.pk}/manage/").status_code == 403
    client = login("registrar")
    resp = client.post(
        f"/orgs/{org.pk}/manage/",
        {
            "action": "penalty",
            "kind": "fine",
            "amount": "",
            "decided_on": "2026-01-05",
            "reason": "x",
        },
    )
    assert "罚款须填写金额" in resp.content.decode()
    resp = client.post(
        f"/orgs/{org.pk}/manage/",
        {
            "action": "penalty",
            "kind": "warning",
            "decided_on": "2026-01-05",
            "reason": "未按规定公开信息",
        },
        follow=True,
    )
    assert "已保存" in resp.content.decode()
    assert org.penalties.count() == 1


def test_provider_page_updates_profile(world, login):
    client = login("provider")
    resp = client.post(
        "/orgs/mine/",
        {
            "action": "profile",
            "contact_name": "新联系人",
            "contact_phone": "021-1234567",
            "fields": ["elderly"],
        },
        follow=True,
    )
    assert "资料已更新" in resp.content.decode()
    resp = client.post(
        "/orgs/mine/",
        {
            "action": "change",
            "name": "阳光家庭综合服务中心",
            "uscc": Organization.objects.get(name="阳光家庭综合服务中心").uscc,
            "legal_form": "service_institution",
            "address": "新址",
            "reason": "搬迁",
        },
        follow=True,
    )
    assert "变更申请已提交" in resp.content.decode()


def test_import_page_shows_row_errors(world, login):
    wb = Workbook()
    wb.active.append(["名称", "统一社会信用代码", "组织形式"])
    wb.active.append(["坏", "123", "基金会"])
    buf = io.BytesIO()
    wb.save(buf)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("registrar")
    resp = client.post("/orgs/import/", {"file": SimpleUploadedFile("o.xlsx", buf.getvalue())})
    html = resp.content.decode()
    assert 'data-testid="import-errors"' in html and "18 位" in html
    assert client.get("/orgs/import/template.xlsx").status_code == 200
