"""The public portal (/open/), writing: notices and policies through their lifecycle, the
platform admin's editor — who may write, on the web and the API, validation naming the field,
the editor flow through the web forms with CSRF enforced.

Data is set up through the services (the demo jurisdiction is seeded once by the root
conftest).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from caidan.accounts.middleware import SESSION_KEY
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationError
from caidan.disclosure import notices
from caidan.disclosure.inputs import NoticeInput, NoticeWithdrawalInput
from caidan.disclosure.models import Notice

from .helpers import _data, make_notice

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
