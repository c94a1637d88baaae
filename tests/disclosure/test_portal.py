"""The public portal (/open/): notices and policies with the platform admin's editor, the
search across public records, the portal home.

Data is set up through the services (the demo jurisdiction is seeded once by the root
conftest); procurement and contracts through their test factories.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from caidan.accounts.middleware import SESSION_KEY
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationError
from caidan.disclosure import notices, search
from caidan.disclosure.inputs import NoticeInput, NoticeWithdrawalInput
from caidan.disclosure.models import Notice
from caidan.projects.inputs import ProposalInput

USERS = [
    "admin",
    "registrar",
    "purchaser",
    "committee",
    "provider",
    "hub",
    "expert",
    "evaluator",
    "auditor",
    "resident",
]
OTHERS = [u for u in USERS if u != "admin"]


def _data(**overrides):
    data = {
        "category": "policy",
        "title": "关于做好政府购买社区服务工作的通知",
        "body": "第一段：各街道、镇。\n\n第二段：请认真贯彻执行。",
        "source": "长宁区民政局",
        "document_number": "长民〔2016〕12号",
        "effective_date": dt.date(2016, 7, 1),
    }
    data.update(overrides)
    return data


def make_notice(world, status: str = "draft", **overrides) -> Notice:
    admin = world.actor("admin")
    notice = notices.notice_create(actor=admin, data=NoticeInput.parse(**_data(**overrides)))
    if status in ("published", "withdrawn"):
        notice = notices.notice_publish(notice=notice, actor=admin)
    if status == "withdrawn":
        notice = notices.notice_withdraw(
            notice=notice,
            actor=admin,
            data=NoticeWithdrawalInput.parse(reason="政策已废止，以新文件为准。"),
        )
    assert notice.status == status
    return notice


# --- the lifecycle, table-driven -----------------------------------------------------------

# (status, action) → status after, or None when the action is refused (409 bad_transition).
LIFECYCLE = {
    ("draft", "update"): "draft",
    ("draft", "publish"): "published",
    ("draft", "withdraw"): None,
    ("published", "update"): "published",
    ("published", "publish"): None,
    ("published", "withdraw"): "withdrawn",
    ("withdrawn", "update"): None,
    ("withdrawn", "publish"): None,
    ("withdrawn", "withdraw"): None,
}


def _act(notice, action, actor):
    if action == "update":
        return notices.notice_update(notice=notice, changes={"title": "更正后的标题"}, actor=actor)
    if action == "publish":
        return notices.notice_publish(notice=notice, actor=actor)
    return notices.notice_withdraw(
        notice=notice, actor=actor, data=NoticeWithdrawalInput.parse(reason="发布有误。")
    )


@pytest.mark.parametrize(("status", "action"), sorted(LIFECYCLE))
def test_notice_lifecycle(world, status, action):
    notice = make_notice(world, status)
    expected = LIFECYCLE[(status, action)]
    before = AuditEvent.objects.count()
    if expected is None:
        with pytest.raises(Conflict) as exc:
            _act(notice, action, world.actor("admin"))
        assert exc.value.code == "bad_transition"
        assert AuditEvent.objects.count() == before
        notice.refresh_from_db()
        assert notice.status == status
        return
    _act(notice, action, world.actor("admin"))
    notice.refresh_from_db()
    assert notice.status == expected
    event = AuditEvent.objects.order_by("-seq").first()
    kinds = {
        "update": "notice.updated",
        "publish": "notice.published",
        "withdraw": "notice.withdrawn",
    }
    assert event.kind == kinds[action]
    assert str(event.target_id) == str(notice.pk)


def test_update_keeps_the_diff_in_the_audit_log(world):
    notice = make_notice(world, "published")
    notices.notice_update(
        notice=notice,
        changes={"body": "更正后的正文。", "document_number": "长民〔2016〕13号"},
        actor=world.actor("admin"),
    )
    event = AuditEvent.objects.filter(kind="notice.updated").order_by("-seq").first()
    assert event.old == {"body": _data()["body"], "document_number": "长民〔2016〕12号"}
    assert event.new == {"body": "更正后的正文。", "document_number": "长民〔2016〕13号"}
    assert notice.published_at is not None


def test_validation_names_the_field(world):
    admin = world.actor("admin")
    for field, value in [
        ("title", "  "),
        ("body", ""),
        ("source", ""),
        ("category", "rumour"),
        ("effective_date", "2016-13-01"),
    ]:
        with pytest.raises(ValidationError) as exc:
            notices.notice_create(actor=admin, data=NoticeInput.parse(**_data(**{field: value})))
        assert exc.value.field == field, field
    notice = make_notice(world, "published")
    with pytest.raises(ValidationError) as exc:
        notices.notice_withdraw(
            notice=notice, actor=admin, data=NoticeWithdrawalInput.parse(reason=" ")
        )
    assert exc.value.field == "reason"


def test_an_edit_is_checked_as_the_whole_notice(world):
    admin = world.actor("admin")
    notice = make_notice(world, "draft")
    notices.notice_update(
        notice=notice, changes={"body": "一\r\n二", "document_number": None}, actor=admin
    )
    notice.refresh_from_db()
    assert (notice.body, notice.document_number) == ("一\n二", "")
    with pytest.raises(ValidationError) as exc:
        notices.notice_update(notice=notice, changes={"title": "长" * 201}, actor=admin)
    assert exc.value.field == "title" and exc.value.message == "标题不能超过 200 个字符。"
    with pytest.raises(ValidationError) as exc:
        notices.notice_update(notice=notice, changes={"status": "published"}, actor=admin)
    assert (exc.value.code, exc.value.field) == ("not_editable", "status")


@pytest.mark.parametrize("user", OTHERS)
def test_only_the_platform_admin_may_write(world, user):
    notice = make_notice(world, "draft")
    actor = world.actor(user)
    with pytest.raises(PermissionDenied):
        notices.notice_create(actor=actor, data=NoticeInput.parse(**_data()))
    with pytest.raises(PermissionDenied):
        notices.notice_update(notice=notice, changes={"title": "x"}, actor=actor)
    with pytest.raises(PermissionDenied):
        notices.notice_publish(notice=notice, actor=actor)


def test_anonymous_may_not_write(world):
    from caidan.accounts.actor import Actor

    with pytest.raises(NotAuthenticated):
        notices.notice_create(actor=Actor.anonymous(), data=NoticeInput.parse(**_data()))


# --- web: who may do what ------------------------------------------------------------------


def _editor_paths(notice_id: int) -> list[str]:
    return [
        "/open/notices/manage/",
        "/open/notices/new/",
        f"/open/notices/{notice_id}/edit/",
        f"/open/notices/{notice_id}/publish/",
        f"/open/notices/{notice_id}/withdraw/",
    ]


@pytest.mark.parametrize("user", [None, *USERS])
def test_web_editor_permissions(world, client, login, user):
    draft = make_notice(world, "draft")
    if user:
        login(user)
    for path in _editor_paths(draft.pk):
        resp = client.get(path)
        if user is None:
            assert resp.status_code == 302 and "/login/" in resp["Location"], path
        elif user == "admin":
            assert resp.status_code == 200, path
        else:
            assert resp.status_code == 403, (user, path)
    resp = client.post(f"/open/notices/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == ("published" if user == "admin" else "draft")
    if user not in (None, "admin"):
        assert resp.status_code == 403


@pytest.mark.parametrize("user", [None, *USERS])
def test_api_write_permissions(world, client, token_for, user):
    draft = make_notice(world, "draft")
    headers = token_for(user) if user else {}
    payload = {k: str(v) for k, v in _data(title="接口新建的公告").items()}
    calls = [
        ("/api/v1/notices", payload),
        (f"/api/v1/notices/{draft.pk}", {"title": "接口修改的标题"}),
        (f"/api/v1/notices/{draft.pk}/publish", {}),
    ]
    expected = {None: 401, "admin": None}.get(user, 403)
    for path, body in calls:
        resp = client.post(path, body, content_type="application/json", **headers)
        if expected is None:
            assert resp.status_code in (200, 201), (path, resp.content[:300])
        else:
            assert resp.status_code == expected, (user, path, resp.content[:300])
            assert set(resp.json()) == {"code", "message", "detail"}
    draft.refresh_from_db()
    if user == "admin":
        assert draft.status == "published" and draft.title == "接口修改的标题"
        resp = client.post(
            f"/api/v1/notices/{draft.pk}/withdraw",
            {"reason": "重复发布。"},
            content_type="application/json",
            **headers,
        )
        assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
        resp = client.post(
            f"/api/v1/notices/{draft.pk}/publish", {}, content_type="application/json", **headers
        )
        assert resp.status_code == 409 and resp.json()["code"] == "bad_transition"
    else:
        assert draft.status == "draft"


def test_api_validation_error_names_the_field(world, client, token_for):
    payload = {k: str(v) for k, v in _data(title="").items()}
    resp = client.post(
        "/api/v1/notices", payload, content_type="application/json", **token_for("admin")
    )
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "title"


# --- the public side ---------------------------------------------------------------------------


@pytest.mark.parametrize("user", [None, "purchaser", "auditor"])
def test_drafts_are_invisible_to_the_public(world, client, login, token_for, user):
    draft = make_notice(world, "draft", title="尚未发布的草稿公告")
    if user:
        login(user)
    assert client.get(f"/open/notices/{draft.pk}/").status_code == 404
    assert "尚未发布的草稿公告" not in client.get("/open/notices/").content.decode()
    headers = token_for(user) if user else {}
    assert client.get(f"/api/v1/notices/{draft.pk}", **headers).status_code == 404
    titles = [n["title"] for n in client.get("/api/v1/notices", **headers).json()["items"]]
    assert "尚未发布的草稿公告" not in titles


def test_the_admin_sees_a_draft_marked(world, login):
    draft = make_notice(world, "draft")
    client = login("admin")
    resp = client.get(f"/open/notices/{draft.pk}/")
    assert resp.status_code == 200
    assert "草稿：尚未发布" in resp.content.decode()


def test_withdrawn_notice_stays_at_its_url_marked(world, client):
    notice = make_notice(world, "withdrawn", title="已被撤回的通知")
    resp = client.get(f"/open/notices/{notice.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="withdrawn"' in html and "已撤回" in html
    assert "政策已废止，以新文件为准。" in html
    listing = client.get("/open/notices/").content.decode()
    assert "已被撤回的通知" in listing
    api = client.get(f"/api/v1/notices/{notice.pk}").json()
    assert api["status"] == "withdrawn" and api["withdraw_reason"] == "政策已废止，以新文件为准。"


def test_body_is_plain_text_escaped_with_paragraphs(world, client):
    notice = make_notice(
        world, "published", body='<script>alert("x")</script>第一段\n\n第二段<b>粗</b>'
    )
    html = client.get(f"/open/notices/{notice.pk}/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>粗</b>" not in html
    body = html.split('class="notice-body"', 1)[1]
    assert body.count("<p>") >= 2


def test_public_list_is_paginated_and_filtered(world, client, django_assert_max_num_queries):
    for i in range(23):
        make_notice(world, "published", title=f"分页测试公告{i:02d}", category="announcement")
    make_notice(world, "published", title="分页测试办事指南", category="guide")
    make_notice(world, "draft", title="分页测试草稿")
    with django_assert_max_num_queries(2):
        resp = client.get("/open/notices/?q=分页测试")
    page1 = resp.content.decode()
    titles1 = re.findall(r">(分页测试[^<]*)</a>", page1)
    assert len(titles1) == 20
    assert "分页测试草稿" not in page1
    assert "分页测试办事指南" in page1  # newest first
    cursor = re.search(r"cursor=([\w-]+)", page1).group(1)
    page2 = client.get(f"/open/notices/?q=分页测试&cursor={cursor}").content.decode()
    titles2 = re.findall(r">(分页测试[^<]*)</a>", page2)
    assert len(titles2) == 4 and not set(titles1) & set(titles2)
    assert 'data-testid="next-page"' not in page2
    guides = client.get("/open/notices/?category=guide&q=分页测试").content.decode()
    assert "分页测试办事指南" in guides and "分页测试公告00" not in guides
    api = client.get("/api/v1/notices?q=分页测试&limit=10").json()
    assert len(api["items"]) == 10 and api["next_cursor"]
    assert client.get("/open/notices/?cursor=not-a-cursor").status_code == 400


def test_print_stylesheet_hides_the_chrome(world, client):
    path = finders.find("caidan/site.css")
    css = Path(path).read_text(encoding="utf-8")
    print_rules = " ".join(re.findall(r"@media print\s*\{(.*?)\n\}", css, flags=re.S))
    for selector in (".topbar", ".foot", ".no-print", "button", ".actions"):
        assert selector in print_rules, selector
    notice = make_notice(world, "published")
    html = client.get(f"/open/notices/{notice.pk}/").content.decode()
    assert "caidan/site.css" in html
    assert 'class="actions no-print"' in html  # the print and editor buttons


# --- the editor flow through the web forms, with CSRF enforced ------------------------------


def _csrf_client(world) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    session = client.session
    session[SESSION_KEY] = world.membership("admin").pk
    session.save()
    return client


def _token(client, path) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', resp.content.decode()).group(1)


def test_editor_flow_through_the_web_forms(world):
    client = _csrf_client(world)
    form = {k: str(v) for k, v in _data(title="网页编辑的办事指南", category="guide").items()}
    # without the token: refused
    assert client.post("/open/notices/new/", form).status_code == 403
    # an invalid form shows the error on its field
    resp = client.post(
        "/open/notices/new/",
        {**form, "title": "", "csrfmiddlewaretoken": _token(client, "/open/notices/new/")},
    )
    assert resp.status_code == 200 and "has-error" in resp.content.decode()
    resp = client.post(
        "/open/notices/new/",
        {**form, "csrfmiddlewaretoken": _token(client, "/open/notices/new/")},
    )
    assert resp.status_code == 302
    notice = Notice.objects.get(title="网页编辑的办事指南")
    assert resp["Location"] == f"/open/notices/{notice.pk}/"
    assert notice.status == "draft" and notice.created_by == world.user("admin")
    # edit
    edit = f"/open/notices/{notice.pk}/edit/"
    resp = client.post(
        edit, {**form, "body": "修改后的正文。", "csrfmiddlewaretoken": _token(client, edit)}
    )
    assert resp.status_code == 302
    notice.refresh_from_db()
    assert notice.body == "修改后的正文。"
    # publish: a confirmation page, then the POST
    publish = f"/open/notices/{notice.pk}/publish/"
    page = client.get(publish).content.decode()
    assert "确认发布" in page
    resp = client.post(publish, {"csrfmiddlewaretoken": _token(client, publish)})
    assert resp.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "published" and notice.published_at
    assert "网页编辑的办事指南" in Client().get("/open/notices/").content.decode()
    # withdraw needs a reason
    withdraw = f"/open/notices/{notice.pk}/withdraw/"
    resp = client.post(withdraw, {"reason": "", "csrfmiddlewaretoken": _token(client, withdraw)})
    assert resp.status_code == 200 and "has-error" in resp.content.decode()
    resp = client.post(
        withdraw, {"reason": "内容已过时。", "csrfmiddlewaretoken": _token(client, withdraw)}
    )
    assert resp.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "withdrawn" and notice.withdraw_reason == "内容已过时。"
    # a second publish is refused on the confirmation page, not a 500
    resp = client.post(publish, {"csrfmiddlewaretoken": _token(client, publish)})
    assert resp.status_code == 200 and "不能" in resp.content.decode()
    kinds = list(
        AuditEvent.objects.filter(target_id=str(notice.pk), kind__startswith="notice.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["notice.created", "notice.updated", "notice.published", "notice.withdrawn"]


# --- search across public records -----------------------------------------------------------


def _draft_proposal(world, title):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.services import proposal_create

    year = dt.date.today().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title=title,
            catalog_item=item,
            budget="100000.00",
            funding=[{"source": "fiscal", "amount": "100000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "100", "unit": "人次"}],
        ),
    )


def _urls(groups, kind) -> list[str]:
    return [h["url"] for g in groups if g["type"] == kind for h in g["hits"]]


def _titles(groups, kind) -> list[str]:
    return [h["title"] for g in groups if g["type"] == kind for h in g["hits"]]


def test_search_finds_public_records_and_nothing_else(world, client):
    from caidan.catalog.models import CatalogItem
    from caidan.catalog.selectors import catalog_current
    from tests.contracts.factories import signed_contract
    from tests.procurement.factories import approved_proposal, draft_tender

    published = make_notice(world, "published", title="关于推进菁苗社区服务的实施意见")
    make_notice(world, "draft", title="菁苗社区服务草稿意见")
    item = CatalogItem.objects.filter(version=catalog_current(), level=3).order_by("code").first()
    org_name = world.actor("provider").organization.name  # 阳光家庭综合服务中心
    project = approved_proposal(world, title="菁苗社区青少年服务项目")
    _draft_proposal(world, "菁苗社区未审定项目")
    draft_tender(world, proposal=approved_proposal(world, title="菁苗社区草稿采购项目"))
    contract = signed_contract(world)

    groups = search.search_all("菁苗社区")
    assert f"/open/notices/{published.pk}/" in _urls(groups, "notice")
    assert "菁苗社区服务草稿意见" not in _titles(groups, "notice")
    assert f"/projects/proposals/{project.pk}/" in _urls(groups, "project")
    assert "菁苗社区未审定项目" not in _titles(groups, "project")
    assert _titles(groups, "tender") == []  # the only matching tender is a draft

    groups = search.search_all(item.name[1:])
    assert f"/catalog/items/{item.pk}/" in _urls(groups, "catalog")
    groups = search.search_all(org_name[2:6])
    assert f"/orgs/{world.actor('provider').organization.pk}/" in _urls(groups, "organization")
    assert f"/contracts/{contract.pk}/" in _urls(groups, "contract")

    # through the page, anonymously
    html = client.get("/open/search/", {"q": "菁苗社区"}).content.decode()
    assert "关于推进菁苗社区服务的实施意见" in html
    assert "菁苗社区服务草稿意见" not in html and "菁苗社区未审定项目" not in html
    assert 'data-testid="search-tender"' in html


def test_search_caps_each_type_and_links_to_the_filtered_list(world):
    groups = {g["type"]: g for g in search.search_all("养老", per_type=3)}
    assert set(groups) == {
        "notice",
        "catalog",
        "organization",
        "project",
        "tender",
        "award",
        "contract",
        "evaluation",
    }
    project = groups["project"]
    assert len(project["hits"]) == 3 and project["full"]  # the Changning series has many
    assert project["more"].startswith("/projects/?q=")
    for hit in project["hits"]:
        assert set(hit) == {"type", "label", "title", "date", "url", "note"}


def test_search_query_count_is_bounded(world, client, django_assert_max_num_queries):
    for i in range(12):
        make_notice(world, "published", title=f"养老服务政策第{i}号")
    # one query per record type (+1 for the current catalog), whatever the number of hits
    with django_assert_max_num_queries(len(search.SEARCHERS) + 1):
        groups = search.search_all("养老")
    assert sum(len(g["hits"]) for g in groups) > 20
    with django_assert_max_num_queries(len(search.SEARCHERS) + 1):  # anonymous: no session
        resp = client.get("/open/search/?q=养老")
    assert resp.status_code == 200


def test_search_form_bounds(world, client):
    html = client.get("/open/search/").content.decode()
    assert 'name="q"' in html and 'data-testid="search-total"' not in html
    resp = client.get("/open/search/", {"q": "养" * 101})
    assert resp.status_code == 200 and 'data-testid="search-total"' not in resp.content.decode()
    assert "100" in resp.content.decode()
    resp = client.get("/open/search/", {"q": "养"})  # one Chinese character is a query
    assert 'data-testid="search-total"' in resp.content.decode()


def test_portal_home_links_everything(world, client):
    make_notice(world, "published", title="首页展示的最新公告")
    html = client.get("/open/").content.decode()
    for href in (
        "/open/notices/",
        "/open/search/",
        "/catalog/",
        "/orgs/directory/",
        "/projects/",
        "/procurement/",
        "/contracts/",
        "/evaluations/",
        "/stats/",
        "/stats/flags/",
        "/open/data/",
    ):
        assert f'href="{href}"' in html, href
    assert "首页展示的最新公告" in html


# --- attachments ---------------------------------------------------------------------------------


def test_attachments_are_public_exactly_when_the_notice_is(world, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    notice = make_notice(world, "draft")
    document = notices.notice_attach(
        notice=notice,
        file=SimpleUploadedFile("实施细则.pdf", b"%PDF-1.4\n%x\n"),
        description="正式文本",
        actor=world.actor("admin"),
    )
    url = f"/open/notices/{notice.pk}/files/{document.pk}/"
    assert client.get(url).status_code == 404  # a draft's files are not public
    assert client.get(f"/documents/{document.pk}/download/").status_code != 200
    notices.notice_publish(notice=notice, actor=world.actor("admin"))
    resp = client.get(url)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content).startswith(b"%PDF-1.4")
    assert url in client.get(f"/open/notices/{notice.pk}/").content.decode()
    api = client.get(f"/api/v1/notices/{notice.pk}").json()
    assert api["attachments"][0]["url"] == url and api["attachments"][0]["name"] == "实施细则.pdf"
    other = make_notice(world, "published", title="另一则公告")
    assert client.get(f"/open/notices/{other.pk}/files/{document.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        notices.notice_attach(
            notice=notice,
            file=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"),
            actor=world.actor("purchaser"),
        )
    notices.notice_withdraw(
        notice=notice,
        actor=world.actor("admin"),
        data=NoticeWithdrawalInput.parse(reason="已废止。"),
    )
    assert client.get(url).status_code == 200  # withdrawn: still at its URL
    with pytest.raises(Conflict):
        notices.notice_attach(
            notice=notice,
            file=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"),
            actor=world.actor("admin"),
        )


def test_attach_through_the_editor(world, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    notice = make_notice(world, "draft")
    client = login("admin")
    resp = client.post(
        f"/open/notices/{notice.pk}/attach/",
        {"file": SimpleUploadedFile("申请表.txt", "申请表内容".encode()), "description": ""},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/open/notices/{notice.pk}/edit/"
    assert "申请表.txt" in client.get(resp["Location"]).content.decode()
    resp = client.post(
        f"/open/notices/{notice.pk}/attach/", {"file": SimpleUploadedFile("x.exe", b"MZ\x00")}
    )
    assert resp.status_code == 200 and "has-error" in resp.content.decode()
    login("purchaser")
    resp = client.post(
        f"/open/notices/{notice.pk}/attach/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")}
    )
    assert resp.status_code == 403


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/open/notices/99999999999999999999/", 404),
        ("/api/v1/notices/99999999999999999999", 404),
        ("/api/v1/notices?category=rumour", 400),
        ("/api/v1/notices?limit=1000", 400),
        ("/api/v1/notices?cursor=WyJJbmZpbml0eSJd", 400),
        ("/open/notices/?cursor=WyJJbmZpbml0eSIsMV0", 400),
        ("/open/notices/?category=rumour", 200),
    ],
)
def test_bad_input_is_4xx(world, client, path, expected):
    assert client.get(path).status_code == expected
