"""Role × endpoint matrix for the foundation: the API reads by token, settings, the calendar,
users and roles, a unit's members (object scope), and the web pages and dashboards. A row
per (who, what): the expected HTTP status.

Roles: demo users, one per role (see caidan/demo/data.py). ``None`` = anonymous.
"""

import pytest

from .helpers import USERS

ADMIN_ONLY = {"admin"}
AUDIT = {"admin", "auditor"}


def _expected(user, allowed, anonymous=401):
    if user is None:
        return anonymous
    return 200 if user in allowed else 403


API_READS = [
    # path, who gets 200 (others authenticated: 403; anonymous: 401); "*" = any logged-in
    ("/api/v1/me", "*"),
    ("/api/v1/me/todo", "*"),
    ("/api/v1/tokens", "*"),
    ("/api/v1/notifications", "*"),
    ("/api/v1/units", "public"),
    ("/api/v1/jurisdiction/settings", "public"),
    ("/api/v1/jurisdiction/calendar?year=2026", "public"),
    ("/api/v1/jurisdiction/calendar/years", "public"),
    ("/api/v1/audit/events", AUDIT),
    ("/api/v1/audit/verify", AUDIT),
    ("/api/v1/audit/anchors", "public"),
    ("/api/v1/users", ADMIN_ONLY),
    ("/api/v1/catalog/versions", "public"),
    ("/api/v1/catalog/negative-list", "public"),
    ("/api/v1/orgs", "public"),
    ("/api/v1/projects/plan", "public"),
    ("/api/v1/projects/proposals", "*"),
    ("/api/v1/procurement/tenders", "public"),
    ("/api/v1/procurement/my/bids", {"provider", "hub"}),
    ("/api/v1/procurement/my/panels", {"expert"}),
    ("/api/v1/procurement/experts", ADMIN_ONLY),
    ("/api/v1/contracts", "public"),
    ("/api/v1/contracts/my/overdue", {"purchaser", "provider", "hub"}),
    ("/api/v1/ocds/releases", "public"),
    ("/api/v1/ocds/records/ocds-caidan-1", "public"),
    ("/api/v1/ocds/changes", "public"),
    ("/api/v1/notices", "public"),
    ("/api/v1/stats/gaps?year=2026", "public"),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("path", "allowed"), API_READS)
def test_api_reads_by_token(world, client, token_for, user, path, allowed):
    headers = token_for(user) if user else {}
    resp = client.get(path, **headers)
    if allowed == "public":
        expected = 200
    elif allowed == "*":
        expected = 200 if user else 401
    else:
        expected = _expected(user, allowed)
    assert resp.status_code == expected, (user, path, resp.content[:300])
    if expected >= 400:
        body = resp.json()
        assert set(body) == {"code", "message", "detail"} and body["message"]


@pytest.mark.parametrize("user", USERS)
def test_api_setting_update(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.put(
        "/api/v1/jurisdiction/settings/min_valid_bids",
        data={"value": 4},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == _expected(user, ADMIN_ONLY), resp.content


@pytest.mark.parametrize("user", USERS)
def test_api_calendar_update(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.put(
        "/api/v1/jurisdiction/calendar/2027-01-01",
        data={"kind": "holiday", "name": "元旦"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == _expected(user, ADMIN_ONLY), resp.content


@pytest.mark.parametrize("user", USERS)
def test_api_calendar_year_notice(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.put(
        "/api/v1/jurisdiction/calendar/years/2027",
        data={"notice": "国务院办公厅通知", "holidays": [{"start": "2027-01-01", "name": "元旦"}]},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == _expected(user, ADMIN_ONLY), resp.content


@pytest.mark.parametrize("user", USERS)
def test_api_user_create(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.post(
        "/api/v1/users",
        data={"username": f"new-{user}", "password": "a-long-enough-passphrase"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (201 if user == "admin" else 401 if user is None else 403)


@pytest.mark.parametrize("user", USERS)
def test_api_grant_role(world, client, token_for, user):
    headers = token_for(user) if user else {}
    target = world.user("resident")
    resp = client.post(
        f"/api/v1/users/{target.pk}/memberships",
        data={"role": "purchaser", "unit_id": world.unit("310105-003").pk},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (201 if user == "admin" else 401 if user is None else 403)


# Object scope: members of a unit are visible to roles whose unit covers it.
UNIT_MEMBERS = [
    # user, unit code, expected
    (None, "310105-001", 401),
    ("admin", "310105-001", 200),  # platform admin: whole jurisdiction
    ("admin", "310105-002", 200),
    ("purchaser", "310105-001", 200),  # own street
    ("purchaser", "310105-002", 403),  # another street
    ("purchaser", "310105", 403),  # not the district above it
    ("registrar", "310105-MZJ", 200),
    ("registrar", "310105-001", 403),
    ("auditor", "310105-SJJ", 200),
    ("auditor", "310105-001", 403),
    ("committee", "310105-001", 403),  # role not allowed at all
    ("provider", "310105-001", 403),
    ("resident", "310105-001", 403),
]


@pytest.mark.parametrize(("user", "code", "expected"), UNIT_MEMBERS)
def test_unit_members_scope(world, client, token_for, user, code, expected):
    headers = token_for(user) if user else {}
    unit = world.unit(code)
    resp = client.get(f"/api/v1/units/{unit.pk}/members", **headers)
    assert resp.status_code == expected, resp.content
    if expected == 403 and user in {"purchaser", "registrar", "auditor"}:
        assert resp.json()["code"] == "out_of_scope"


def test_unit_members_masks_phone(world, client, token_for):
    resp = client.get(
        f"/api/v1/units/{world.unit('310105-001').pk}/members", **token_for("purchaser")
    )
    phones = {item["phone"] for item in resp.json()["items"]}
    assert phones == {"138****0000"}


WEB_PAGES = [
    ("/", "public"),
    ("/login/", "public"),
    ("/dashboard/", "*"),
    ("/me/tokens/", "*"),
    ("/calendar/me/", "*"),
    ("/me/password/", "*"),
    ("/notifications/", "*"),
    ("/audit/", AUDIT),
    ("/settings/", ADMIN_ONLY),
    ("/settings/calendar/", ADMIN_ONLY),
    ("/settings/calendar/notice/?year=2027", ADMIN_ONLY),
    ("/accounts/users/", ADMIN_ONLY),
    ("/accounts/units/", ADMIN_ONLY),
    ("/catalog/", "public"),
    ("/catalog/manage/", ADMIN_ONLY),
    ("/orgs/", "public"),
    ("/projects/", "public"),
    ("/projects/ceilings/", ADMIN_ONLY),
    ("/procurement/", "public"),
    ("/contracts/", "public"),
    ("/contracts/ledger/", {"admin", "auditor", "purchaser"}),
    ("/contracts/ledger/export/?year=2026", {"admin", "auditor", "purchaser"}),
    ("/evaluations/", "public"),
    ("/stats/flags/", "public"),
    ("/stats/", "public"),
    ("/open/", "public"),
    ("/open/notices/", "public"),
    ("/open/search/?q=服务", "public"),
    ("/open/data/", "public"),
    ("/open/data/projects.csv", "public"),
    ("/open/data/contracts.xlsx", "public"),
    ("/open/audit-anchors/", "public"),
    ("/open/data/audit-anchors.jsonl", "public"),
    ("/open/notices/manage/", ADMIN_ONLY),
    ("/open/notices/new/", ADMIN_ONLY),
    ("/complaints/", {"admin", "auditor", "purchaser"}),
    ("/complaints/mine/", {"provider", "hub"}),
    ("/complaints/public/", "public"),
    ("/stats/gaps/", "public"),
    ("/stats/gaps/?year=2026&unit=1&field=0101&group=elderly", "public"),
    ("/stats/gaps.xlsx?year=2026", "public"),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("path", "allowed"), WEB_PAGES)
def test_web_pages(world, login, client, user, path, allowed):
    if user:
        login(user)
    resp = client.get(path)
    if allowed == "public":
        assert resp.status_code == 200
    elif user is None:
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    elif allowed == "*" or user in allowed:
        assert resp.status_code == 200
    else:
        assert resp.status_code == 403
        assert "无权" in resp.content.decode()


@pytest.mark.parametrize("user", USERS[1:])
def test_each_role_sees_its_dashboard(world, login, user):
    from caidan.accounts.dashboards import panels_for

    client = login(user)
    membership = world.membership(user)
    html = client.get("/dashboard/").content.decode()
    assert membership.get_role_display() in html
    for panel in panels_for(membership.role):
        assert str(panel.title) in html
