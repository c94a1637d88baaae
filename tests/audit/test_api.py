"""Browsing the audit log: API and web page, for platform admins and auditors only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.audit.services import audit_record

EVENTS = "/api/v1/audit/events"
VERIFY = "/api/v1/audit/verify"


def _record(n: int, *, kind=EventKind.SETTING_CHANGED, actor=None, target=None, note=""):
    with transaction.atomic():
        return [
            audit_record(kind=kind, actor=actor, target=target, new={"i": i}, note=note)
            for i in range(n)
        ]


@pytest.mark.parametrize("username", ["admin", "auditor"])
def test_admin_and_auditor_may_browse(login, username):
    resp = login(username).get(EVENTS)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert set(body) == {"items", "next_cursor", "limit"}
    assert body["limit"] == 50
    assert body["items"], "the seeded history is visible"
    item = body["items"][0]
    assert set(item) == {
        "seq",
        "kind",
        "kind_label",
        "at",
        "actor",
        "actor_role",
        "target_type",
        "target_id",
        "target_label",
        "old",
        "new",
        "note",
        "hash",
        "prev_hash",
        "hash_alg",
    }
    seqs = [i["seq"] for i in body["items"]]
    assert seqs == sorted(seqs, reverse=True)  # newest first
    assert seqs[0] == AuditEvent.objects.order_by("-seq").first().seq


@pytest.mark.parametrize("username", ["admin", "auditor"])
def test_admin_and_auditor_by_token(client, token_for, username):
    assert client.get(EVENTS, **token_for(username)).status_code == 200


@pytest.mark.parametrize("username", ["purchaser", "provider", "resident", "registrar", "expert"])
def test_other_roles_are_refused(login, username):
    client = login(username)
    for url in (EVENTS, VERIFY):
        resp = client.get(url)
        assert resp.status_code == 403, (username, url)
        assert resp.json()["code"] == "permission_denied"


def test_anonymous_is_401(client, db):
    for url in (EVENTS, VERIFY):
        resp = client.get(url)
        assert resp.status_code == 401
        assert resp.json()["code"] == "not_authenticated"


def test_item_content(login, world):
    event = _record(
        1,
        kind=EventKind.CALENDAR_DAY_SET,
        actor=world.actor("admin"),
        target=("common.calendarday", "77", "2026-10-10 调休工作日"),
        note="国庆调休",
    )[0]
    item = login("auditor").get(EVENTS, {"limit": 1}).json()["items"][0]
    assert item["seq"] == event.seq
    assert item["kind"] == "calendar.day_set"
    assert item["kind_label"] == "设置节假日/调休"
    assert item["actor"] == world.user("admin").get_full_name()
    assert item["actor_role"] == "platform_admin"
    assert (item["target_type"], item["target_id"], item["target_label"]) == (
        "common.calendarday",
        "77",
        "2026-10-10 调休工作日",
    )
    assert item["new"] == {"i": 0}
    assert item["note"] == "国庆调休"
    assert (item["hash"], item["prev_hash"], item["hash_alg"]) == (
        event.hash,
        event.prev_hash,
        event.hash_alg,
    )
    shown = dt.datetime.fromisoformat(item["at"].replace("Z", "+00:00"))
    assert abs(shown - event.at) < dt.timedelta(milliseconds=1)


def test_filter_by_kind(login, world):
    _record(3, kind=EventKind.TOKEN_REVOKED)
    _record(2, kind=EventKind.SETTING_CHANGED)
    body = login("auditor").get(EVENTS, {"kind": "token.revoked"}).json()
    assert len(body["items"]) == AuditEvent.objects.filter(kind="token.revoked").count() >= 3
    assert {i["kind"] for i in body["items"]} == {"token.revoked"}


def test_filter_by_actor(login, world):
    mine = _record(2, actor=world.actor("auditor"))
    _record(2, actor=world.actor("admin"))
    body = login("admin").get(EVENTS, {"actor": "auditor"}).json()
    expected = AuditEvent.objects.filter(actor__username="auditor").count()
    assert len(body["items"]) == expected
    assert {e.seq for e in mine} <= {i["seq"] for i in body["items"]}
    assert {i["actor"] for i in body["items"]} == {world.user("auditor").get_full_name()}
    assert login("admin").get(EVENTS, {"actor": "nobody"}).json()["items"] == []


def test_filter_by_target(login, world):
    _record(2, target=("test.thing", "T-5", "阳光"))
    _record(3, target=("test.thing", "T-6", "壹方"))
    _record(1, target=("test.other", "T-5", "街道"))
    client = login("auditor")
    body = client.get(EVENTS, {"target_type": "test.thing", "target_id": "T-5"}).json()
    assert len(body["items"]) == 2
    assert {(i["target_type"], i["target_id"]) for i in body["items"]} == {("test.thing", "T-5")}
    body = client.get(EVENTS, {"target_id": "T-5"}).json()
    assert len(body["items"]) == 3
    assert {i["target_type"] for i in body["items"]} == {"test.thing", "test.other"}
    body = client.get(EVENTS, {"target_type": "test.thing"}).json()
    assert len(body["items"]) == 5


def test_filter_by_time(login, world):
    events = _record(2)
    client = login("auditor")
    future = (events[-1].at + dt.timedelta(hours=1)).isoformat()
    assert client.get(EVENTS, {"since": future}).json()["items"] == []
    since = events[0].at.isoformat()
    seqs = [i["seq"] for i in client.get(EVENTS, {"since": since}).json()["items"]]
    assert {e.seq for e in events} <= set(seqs)
    until = events[0].at.isoformat()  # exclusive
    seqs = [i["seq"] for i in client.get(EVENTS, {"until": until}).json()["items"]]
    assert events[0].seq not in seqs


def test_combined_filters(login, world):
    _record(2, kind=EventKind.TOKEN_CREATED, actor=world.actor("admin"), target=("t", "1", ""))
    _record(2, kind=EventKind.TOKEN_CREATED, actor=world.actor("auditor"), target=("t", "1", ""))
    body = (
        login("auditor")
        .get(EVENTS, {"kind": "token.created", "actor": "admin", "target_type": "t"})
        .json()
    )
    assert len(body["items"]) == 2


def test_walk_pages_with_next_cursor(login, world):
    _record(23, kind=EventKind.DOCUMENT_UPLOADED)
    expected = list(
        AuditEvent.objects.filter(kind="document.uploaded")
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    client = login("auditor")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"kind": "document.uploaded", "limit": 5}
        if cursor:
            params["cursor"] = cursor
        body = client.get(EVENTS, params).json()
        pages += 1
        assert body["limit"] == 5
        seen.extend(i["seq"] for i in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert len(body["items"]) == 5
    assert seen == expected
    assert pages == -(-len(expected) // 5)


def test_new_events_during_a_walk_are_not_repeated(login, world):
    _record(10, kind=EventKind.DOCUMENT_UPLOADED)
    client = login("auditor")
    first = client.get(EVENTS, {"limit": 4}).json()
    _record(3, kind=EventKind.DOCUMENT_UPLOADED)
    second = client.get(EVENTS, {"limit": 4, "cursor": first["next_cursor"]}).json()
    first_seqs = [i["seq"] for i in first["items"]]
    second_seqs = [i["seq"] for i in second["items"]]
    assert not set(first_seqs) & set(second_seqs)
    assert second_seqs[0] == first_seqs[-1] - 1


def test_bad_cursor_is_400(login):
    resp = login("auditor").get(EVENTS, {"cursor": "WyJ4Il0"})  # ["x"]: not a number
    assert resp.status_code == 400
    assert resp.json()["detail"] == {"field": "cursor"}


def test_listing_is_a_bounded_number_of_queries(login, world, django_assert_max_num_queries):
    _record(50, actor=world.actor("admin"))
    client = login("auditor")
    with django_assert_max_num_queries(10):
        resp = client.get(EVENTS, {"limit": 50})
    assert resp.status_code == 200
    assert len(resp.json()["items"]) == 50


def test_verify_reports_ok(login, world):
    _record(3)
    body = login("auditor").get(VERIFY).json()
    assert body == {
        "ok": True,
        "checked": AuditEvent.objects.count(),
        "broken_seq": None,
        "reason": "",
    }


def test_verify_reports_a_broken_chain(login, world):
    from caidan.audit.models import AuditChainHead

    last = _record(2)[-1]
    AuditChainHead.objects.filter(pk=1).update(seq=last.seq + 5)
    body = login("admin").get(VERIFY).json()
    assert body["ok"] is False
    assert body["broken_seq"] == last.seq + 1
    assert body["reason"]


# --- the web page -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_web_page_for_auditor(login, world, username):
    event = _record(1, kind=EventKind.CALENDAR_DAY_SET, note="国庆")[0]
    resp = login(username).get("/audit/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "审计日志" in html
    assert 'data-testid="audit-table"' in html
    assert "设置节假日/调休" in html
    assert event.hash[:12] in html


def test_web_page_filters_and_pages(login, world):
    _record(55, kind=EventKind.DOCUMENT_UPLOADED)
    client = login("auditor")
    resp = client.get("/audit/", {"kind": "document.uploaded"})
    assert resp.status_code == 200
    page = resp.context["page"]
    assert len(page.items) == 50
    assert {e.kind for e in page.items} == {"document.uploaded"}
    assert page.next_cursor
    resp = client.get("/audit/", {"kind": "document.uploaded", "cursor": page.next_cursor})
    rest = resp.context["page"]
    assert not {e.pk for e in rest.items} & {e.pk for e in page.items}


def test_web_page_bad_cursor_falls_back_to_first_page(login, world):
    resp = login("auditor").get("/audit/", {"cursor": "WyJ4Il0"})
    assert resp.status_code == 200
    assert resp.context["page"].items


@pytest.mark.parametrize("username", ["purchaser", "resident", "provider"])
def test_web_page_forbidden_for_other_roles(login, username):
    resp = login(username).get("/audit/")
    assert resp.status_code == 403
    assert b'data-testid="audit-table"' not in resp.content


def test_web_page_sends_anonymous_to_login(client, db):
    resp = client.get("/audit/")
    assert resp.status_code == 302
    assert resp["Location"].startswith("/login/")
    assert "next=/audit/" in resp["Location"]
