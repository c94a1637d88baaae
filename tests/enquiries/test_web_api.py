"""Enquiries over HTTP: the API (status codes, report confidentiality, query bounds) and
the pages (ask from a menu item, answer, public page, inbox, a report hidden from the unit
it concerns)."""

from __future__ import annotations

import pytest

from caidan.enquiries import services
from caidan.enquiries.inputs import EnquiryAnswerInput
from caidan.enquiries.models import Enquiry

from .conftest import JIANGSU, ask, report

pytestmark = pytest.mark.django_db

API = "/api/v1/enquiries"


def post(client, path, data=None, headers=None):
    return client.post(
        f"{API}{path}", data=data or {}, content_type="application/json", **(headers or {})
    )


def get(client, path, headers=None):
    return client.get(f"{API}{path}", **(headers or {}))


def ok(resp, status=200):
    assert resp.status_code == status, resp.content[:500]
    return resp.json()


def login(client, world, username):
    client.force_login(world.user(username))
    return client


# --- API ----------------------------------------------------------------------------------


def test_api_lifecycle(world, client, token_for):
    resident, officer = token_for("resident"), token_for("purchaser")
    unit = world.unit(JIANGSU)
    body = {
        "kind": "enquiry",
        "subject_type": "unit",
        "subject_id": unit.pk,
        "title": "服务时间",
        "body": "请问服务时间是什么？",
        "publish_consent": True,
    }
    created = ok(post(client, "", body, resident), 201)
    assert created["status"] == "received" and created["followup_code"] == ""
    eid = created["id"]
    assert [i["id"] for i in ok(get(client, "/mine", resident))["items"]] == [eid]
    assert ok(get(client, "", officer))["items"][0]["id"] == eid
    officer_id = world.user("purchaser").pk
    ok(post(client, f"/{eid}/assign", {"handler_id": officer_id}, officer))
    r = post(client, f"/{eid}/extend", {"days": 5, "reason": "x"}, officer)
    assert r.status_code == 409 and r.json()["code"] == "not_extendable"
    answered = ok(post(client, f"/{eid}/answer", {"answer": "每周二下午。"}, officer))
    assert answered["status"] == "answered"
    ok(post(client, f"/{eid}/publish", None, officer))
    public = ok(client.get(f"{API}/public"))["items"]
    assert public[0]["answer"] == "每周二下午。" and "asker" not in public[0]
    stats = ok(client.get(f"{API}/statistics"))
    assert any(s["unit_name"] == "江苏路街道" and s["answered"] == 1 for s in stats)


def test_api_refusals(world, client, token_for):
    unit = world.unit(JIANGSU)
    body = {
        "kind": "enquiry",
        "subject_type": "unit",
        "subject_id": unit.pk,
        "title": "t",
        "body": "请问服务时间？",
    }
    assert post(client, "", body).status_code == 401  # anonymous enquiry
    r = post(client, "", {**body, "title": ""}, token_for("resident"))
    assert r.status_code == 400 and r.json()["detail"]["field"] == "title"
    e = ask(world)
    assert get(client, f"/{e.pk}").status_code == 401
    assert get(client, f"/{e.pk}", token_for("purchaser2")).status_code == 404
    r = post(client, f"/{e.pk}/answer", {"answer": "x"}, token_for("purchaser"))
    assert r.status_code == 409
    assert get(client, "", token_for("resident")).status_code == 403


def test_api_anonymous_report_and_followup(world, client, token_for):
    body = {
        "kind": "report",
        "subject_type": "official",
        "official": "某科长",
        "unit_id": world.unit(JIANGSU).pk,
        "title": "举报",
        "body": "违规指定承接主体。",
    }
    created = ok(post(client, "", body), 201)
    code = created["followup_code"]
    assert code and created["asker"] == "（提出人信息仅承办人可见）"
    eid = created["id"]
    # The unit concerned never sees it; the finance bureau does, without the reporter.
    assert get(client, f"/{eid}", token_for("purchaser")).status_code == 404
    assert eid not in [i["id"] for i in ok(get(client, "", token_for("purchaser")))["items"]]
    assert ok(get(client, f"/{eid}", token_for("admin")))["asker"].startswith("（")
    followed = ok(post(client, "/followup", {"code": code}))
    assert followed["id"] == eid and followed["status"] == "received"
    assert post(client, "/followup", {"code": "nope"}).status_code == 404


def test_api_rate_limit_is_429(world, client, token_for):
    headers = token_for("resident")
    unit = world.unit(JIANGSU)
    body = {
        "kind": "suggestion",
        "subject_type": "unit",
        "subject_id": unit.pk,
        "title": "建议",
        "body": "建议增加周末服务。",
    }
    for _ in range(services.PER_ASKER_PER_DAY):
        ok(post(client, "", body, headers), 201)
    r = post(client, "", body, headers)
    assert r.status_code == 429 and r.json()["code"] == "enquiry_daily_limit"


def test_list_endpoints_have_bounded_queries(
    world, client, token_for, django_assert_max_num_queries
):
    headers = token_for("purchaser")
    for _ in range(3):
        ask(world)
    with django_assert_max_num_queries(12):
        few = ok(get(client, "", headers))["items"]
    for _ in range(6):
        ask(world)
    with django_assert_max_num_queries(12):
        many = ok(get(client, "", headers))["items"]
    assert len(many) == len(few) + 6
    e = Enquiry.objects.first()
    officer = world.actor("purchaser")
    services.enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
    services.enquiry_answer(enquiry=e, actor=officer, data=EnquiryAnswerInput.parse(answer="答复"))
    Enquiry.objects.update(publish_consent=True)
    services.enquiry_publish(enquiry=e, actor=officer)
    with django_assert_max_num_queries(3):
        ok(client.get(f"{API}/public"))


# --- pages --------------------------------------------------------------------------------


def test_ask_from_a_menu_item_answer_and_public_page(world, client, menu_item):
    from django.test import Client

    resident = login(client, world, "resident")
    page = resident.get(f"/needs/menus/{menu_item.menu_id}/")
    assert f"/enquiries/new/?subject_type=menu_item&amp;subject_id={menu_item.pk}" in (
        page.content.decode()
    )
    url = f"/enquiries/new/?subject_type=menu_item&subject_id={menu_item.pk}"
    form = resident.get(url)
    assert form.status_code == 200 and menu_item.title in form.content.decode()
    r = resident.post(
        url,
        {
            "kind": "enquiry",
            "title": "服务对象",
            "body": "这项服务面向哪些居民？",
            "publish_consent": "on",
            "subject_type": "menu_item",
            "subject_id": menu_item.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    e = Enquiry.objects.get()
    assert e.unit == menu_item.menu.unit and e.subject_type == "menu_item"

    officer = Client()
    officer.force_login(world.user("purchaser"))
    inbox = officer.get("/enquiries/inbox/")
    assert inbox.status_code == 200 and "服务对象" in inbox.content.decode()
    assert officer.post(f"/enquiries/{e.pk}/take/").status_code == 302
    officer.post(f"/enquiries/{e.pk}/answer/", {"answer": "面向 60 岁以上独居老人。"})
    officer.post(f"/enquiries/{e.pk}/publish/")
    e.refresh_from_db()
    assert e.status == "answered" and e.published

    mine = resident.get(f"/enquiries/{e.pk}/").content.decode()
    assert "面向 60 岁以上独居老人。" in mine
    public = Client().get("/enquiries/public/").content.decode()
    assert "服务对象" in public and "面向 60 岁以上独居老人。" in public
    assert Client().get(f"/enquiries/public/{e.pk}/").status_code == 200
    # published answers are searchable: title, question and answer, page and API
    found = Client().get("/enquiries/public/", {"q": "独居老人"}).content.decode()
    assert "面向 60 岁以上独居老人。" in found and 'value="独居老人"' in found
    missed = Client().get("/enquiries/public/", {"q": "加装电梯"}).content.decode()
    assert "面向 60 岁以上独居老人。" not in missed and "没有找到符合条件的答复" in missed
    api = Client().get("/api/v1/enquiries/public", {"q": "哪些居民"}).json()
    assert [i["id"] for i in api["items"]] == [e.pk]
    assert Client().get("/api/v1/enquiries/public", {"q": "养" * 101}).status_code == 400
    too_long = Client().get("/enquiries/public/", {"q": "养" * 101})
    assert too_long.status_code == 200 and "面向 60 岁以上独居老人。" in too_long.content.decode()


def test_unverified_visitor_is_sent_to_verify(client, world, menu_item):
    r = client.get(f"/enquiries/new/?subject_type=menu_item&subject_id={menu_item.pk}")
    assert r.status_code == 302 and r.url.startswith("/needs/verify/")


def test_report_page_anonymous_and_hidden_from_the_unit_concerned(world, client):
    page = client.get("/enquiries/report/")
    assert page.status_code == 200
    r = client.post(
        "/enquiries/report/",
        {
            "subject_type": "official",
            "official": "某科长",
            "unit": world.unit(JIANGSU).pk,
            "title": "举报违规",
            "body": "该科长违规指定承接主体。",
        },
    )
    assert r.status_code == 201
    e = Enquiry.objects.get(kind="report")
    assert e.asker_user is None and 'data-testid="followup-code"' in r.content.decode()
    purchaser = login(client, world, "purchaser")
    assert purchaser.get(f"/enquiries/{e.pk}/").status_code == 404
    assert "举报违规" not in purchaser.get("/enquiries/inbox/").content.decode()
    assert purchaser.post(f"/enquiries/{e.pk}/take/").status_code == 404


def test_reporter_identity_only_for_the_handler_on_the_page(world, client, finance_officer):
    from django.test import Client

    e, _ = report(world, actor=world.actor("resident"))
    admin = Client()
    admin.force_login(world.user("admin"))
    assert "仅承办人可见" in admin.get(f"/enquiries/{e.pk}/").content.decode()
    admin.post(f"/enquiries/{e.pk}/take/")
    shown = admin.get(f"/enquiries/{e.pk}/").content.decode()
    assert "居民（" in shown
    other = Client()
    other.force_login(world.user("fin2"))
    assert "仅承办人可见" in other.get(f"/enquiries/{e.pk}/").content.decode()
    auditor = Client()
    auditor.force_login(world.user("auditor"))
    page = auditor.get(f"/enquiries/{e.pk}/").content.decode()
    assert "仅承办人可见" in page and "由我承办" not in page


def test_follow_page_and_statistics_page(world, client):
    e, code = report(world)
    r = client.post("/enquiries/follow/", {"code": code})
    assert r.status_code == 200 and e.title in r.content.decode()
    assert client.post("/enquiries/follow/", {"code": "wrong"}).status_code == 404
    assert client.get("/enquiries/statistics/").status_code == 200
    assert client.get("/enquiries/").status_code == 200


def test_dashboard_panel_for_officers(world, client):
    login(client, world, "purchaser")
    page = client.get("/dashboard/").content.decode()
    assert "咨询建议与监督" in page


def test_session_submission_needs_csrf(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.user("resident"))
    body = {
        "kind": "enquiry",
        "subject_type": "unit",
        "subject_id": world.unit(JIANGSU).pk,
        "title": "咨询",
        "body": "请问服务时间？",
    }
    r = browser.post(API, data=body, content_type="application/json")
    assert r.status_code == 403 and not Enquiry.objects.exists()


def test_attachment_download_follows_the_item(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    e, _ = report(world, actor=world.actor("resident"), files=[pdf])
    a = e.attachments.get()
    url = f"/enquiries/{e.pk}/attachments/{a.pk}/"
    admin = Client()
    admin.force_login(world.user("admin"))
    r = admin.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert r["Cache-Control"] == "private, no-store"
    assert login(client, world, "purchaser").get(url).status_code == 404


def test_inbox_page_has_bounded_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world, "purchaser")
    for _ in range(2):
        ask(world)
    client.get("/enquiries/inbox/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/enquiries/inbox/").status_code == 200
    for _ in range(7):
        ask(world)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/enquiries/inbox/")
    assert page.content.decode().count("/enquiries/") >= 9
    assert len(large) <= len(small)
