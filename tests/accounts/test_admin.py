"""The platform admin manages people, roles and units (UI and API)."""

from caidan.accounts.models import Membership, Role, User
from caidan.audit.models import AuditEvent
from caidan.demo.data import DEMO_PASSWORD


def test_admin_creates_user_grants_role_and_user_logs_in(world, login, client):
    admin = login("admin")
    resp = admin.post(
        "/accounts/users/",
        {"username": "wangwu", "display_name": "王五", "password": "wangwu-passphrase-1"},
    )
    person = User.objects.get(username="wangwu")
    assert resp.status_code == 302 and resp["Location"] == f"/accounts/users/{person.pk}/"
    resp = admin.post(
        f"/accounts/users/{person.pk}/",
        {"grant": "1", "role": Role.PURCHASER, "unit": world.unit("310105-004").pk},
        follow=True,
    )
    assert "已授予角色" in resp.content.decode()
    assert Membership.objects.get(user=person).unit.name == "周家桥街道"
    admin.post("/logout/")
    resp = client.post(
        "/login/", {"username": "wangwu", "password": "wangwu-passphrase-1"}, follow=True
    )
    assert "周家桥街道" in resp.content.decode()


def test_grant_without_required_scope_shows_field_error(world, login):
    admin = login("admin")
    person = world.user("resident")
    resp = admin.post(f"/accounts/users/{person.pk}/", {"grant": "1", "role": Role.PROVIDER})
    assert resp.status_code == 200
    assert "必须指定所属组织" in resp.content.decode()


def test_weak_password_refused_in_ui(world, login):
    resp = login("admin").post("/accounts/users/", {"username": "weak", "password": "123"})
    assert "密码不符合要求" in resp.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_revoke_and_deactivate(world, login, token_for):
    from django.test import Client

    admin = login("admin")
    m = world.membership("purchaser2")
    admin.post(f"/accounts/memberships/{m.pk}/revoke/")
    m.refresh_from_db()
    assert not m.is_active
    person = world.user("expert")
    headers = token_for("expert")
    admin.post(f"/accounts/users/{person.pk}/active/", {"is_active": "0"})
    person.refresh_from_db()
    assert not person.is_active
    assert Client().get("/api/v1/me", **headers).status_code == 401  # token stopped working
    # …even alongside a valid session cookie: failed explicit credentials are never replaced.
    assert admin.get("/api/v1/me", **headers).status_code == 401
    assert AuditEvent.objects.filter(kind="user.deactivated", target_id=str(person.pk)).exists()


def test_admin_cannot_deactivate_self(world, login):
    admin = login("admin")
    me = world.user("admin")
    resp = admin.post(f"/accounts/users/{me.pk}/active/", {"is_active": "0"}, follow=True)
    assert "不能停用自己的账户" in resp.content.decode()


def test_reset_password_unlocks(world, login, client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post("/login/", {"username": "evaluator", "password": "wrong"})
    resp = client.post("/login/", {"username": "evaluator", "password": DEMO_PASSWORD})
    assert resp.status_code == 429 and "锁定" in resp.content.decode()
    person = world.user("evaluator")
    login("admin").post(
        f"/accounts/users/{person.pk}/", {"reset": "1", "new_password": "evaluator-new-pass-1"}
    )
    client.post("/logout/")
    resp = client.post("/login/", {"username": "evaluator", "password": "evaluator-new-pass-1"})
    assert resp.status_code == 302


def test_user_search_and_pagination(world, login, django_assert_max_num_queries):
    admin = login("admin")
    resp = admin.get("/accounts/users/?q=街道")
    html = resp.content.decode()
    assert "purchaser" in html and "purchaser2" in html and "auditor" not in html
    with django_assert_max_num_queries(12):
        admin.get("/accounts/users/")


def test_api_users_list_bounded_queries(world, client, token_for, django_assert_max_num_queries):
    headers = token_for("admin")
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/users?limit=50", **headers).json()
    from caidan.accounts.models import User

    assert len(body["items"]) == min(50, User.objects.count())
    phones = {u["phone"] for u in body["items"] if u["phone"]}
    assert phones == {"138****0000"}  # masked; residents have no phone on record at all


def test_create_unit_ui_and_api(world, login, client, token_for):
    admin = login("admin")
    admin.post(
        "/accounts/units/",
        {"name": "某社区", "kind": "other", "code": "X-1", "parent": world.unit("310105-001").pk},
    )
    unit = world.unit("X-1")
    assert unit.path.startswith(world.unit("310105-001").path)
    resp = client.post(
        "/api/v1/units",
        data={"name": "重复", "kind": "other", "code": "X-1"},
        content_type="application/json",
        **token_for("admin"),
    )
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "code"
