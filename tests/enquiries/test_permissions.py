"""Role × endpoint matrix for the enquiries API and pages (the pattern of
tests/permission_matrix/): who may list, read, handle and ask."""

from __future__ import annotations

import pytest

from .conftest import ask, report

pytestmark = pytest.mark.django_db

USERS = [
    None,
    "admin",
    "registrar",
    "purchaser",
    "purchaser2",
    "committee",
    "provider",
    "hub",
    "expert",
    "evaluator",
    "auditor",
    "resident",
]
LISTERS = {"admin", "registrar", "purchaser", "purchaser2", "auditor"}
ASKERS = {"provider", "hub", "resident"}


def _expected(user, allowed, ok=200, anonymous=401):
    if user is None:
        return anonymous
    return ok if user in allowed else 403


def _headers(token_for, user):
    return token_for(user) if user else {}


@pytest.mark.parametrize("user", USERS)
def test_inbox_list(world, client, token_for, user):
    r = client.get("/api/v1/enquiries", **_headers(token_for, user))
    assert r.status_code == _expected(user, LISTERS), r.content[:300]


@pytest.mark.parametrize("user", USERS)
def test_public_reads(world, client, token_for, user):
    for path in ("/api/v1/enquiries/public", "/api/v1/enquiries/statistics"):
        assert client.get(path, **_headers(token_for, user)).status_code == 200


@pytest.mark.parametrize("user", USERS)
def test_ask(world, client, token_for, user):
    body = {
        "kind": "enquiry",
        "subject_type": "unit",
        "subject_id": world.unit("310105-001").pk,
        "title": "咨询",
        "body": "请问服务时间？",
    }
    r = client.post(
        "/api/v1/enquiries", data=body, content_type="application/json", **_headers(token_for, user)
    )
    assert r.status_code == _expected(user, ASKERS, ok=201), r.content[:300]


@pytest.mark.parametrize("user", USERS)
def test_report_anyone(world, client, token_for, user):
    body = {
        "kind": "report",
        "subject_type": "official",
        "official": "某人",
        "unit_id": world.unit("310105-002").pk,
        "title": "举报",
        "body": "违规指定承接主体。",
    }
    r = client.post(
        "/api/v1/enquiries", data=body, content_type="application/json", **_headers(token_for, user)
    )
    assert r.status_code == 201, r.content[:300]


# Who may read one item: the asker, the handling unit (and platform admin), overseers.
ENQUIRY_READERS = {"resident", "purchaser", "admin", "auditor"}
# A report about 江苏路街道: the finance bureau (admin), auditors, the reporter.
REPORT_READERS = {"resident", "admin", "auditor"}


@pytest.mark.parametrize("user", USERS)
def test_read_one(world, client, token_for, user):
    e = ask(world)
    r, _ = report(world, actor=world.actor("resident"))
    for item, readers in ((e, ENQUIRY_READERS), (r, REPORT_READERS)):
        resp = client.get(f"/api/v1/enquiries/{item.pk}", **_headers(token_for, user))
        expected = 401 if user is None else (200 if user in readers else 404)
        assert resp.status_code == expected, (item.kind, user, resp.content[:300])


@pytest.mark.parametrize("user", USERS)
def test_handle_one(world, client, token_for, user):
    """Assign to oneself: only the unit's officers; overseers may read but not handle."""
    e = ask(world)
    if user is None:
        return
    me = world.user(user).pk
    resp = client.post(
        f"/api/v1/enquiries/{e.pk}/assign",
        data={"handler_id": me},
        content_type="application/json",
        **token_for(user),
    )
    if user == "purchaser":
        assert resp.status_code == 200
    elif user == "admin":  # may handle anywhere, but is not an officer of the street
        assert resp.status_code == 400 and resp.json()["detail"]["field"] == "handler"
    elif user in {"auditor", "resident"}:
        assert resp.status_code == 403
    else:
        assert resp.status_code == 404


PAGES = [
    ("/enquiries/", "public"),
    ("/enquiries/public/", "public"),
    ("/enquiries/statistics/", "public"),
    ("/enquiries/report/", "public"),
    ("/enquiries/follow/", "public"),
    ("/enquiries/inbox/", LISTERS),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("path", "allowed"), PAGES)
def test_pages(world, login, client, user, path, allowed):
    if user:
        login(user)
    r = client.get(path)
    if allowed == "public":
        assert r.status_code == 200
    elif user is None:
        assert r.status_code == 302
    else:
        assert r.status_code == (200 if user in allowed else 403)
