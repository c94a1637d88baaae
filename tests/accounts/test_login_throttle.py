"""One login path, throttled per (username, address) with back-off, every failure audited."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from caidan.accounts.models import LoginFailure, User
from caidan.accounts.services import user_authenticate
from caidan.audit.models import AuditEvent
from caidan.common.errors import NotAuthenticated, TooManyRequests
from caidan.demo.data import DEMO_PASSWORD


def _fail(username, ip, times):
    for _ in range(times):
        with pytest.raises(NotAuthenticated):
            user_authenticate(username=username, password="not-the-password", ip=ip)


def test_admin_login_form_is_not_served_but_sends_to_the_site_login(world, client):
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    resp = client.get("/django-admin/login/?next=/django-admin/accounts/user/")
    assert resp.status_code == 302
    assert resp["Location"] == "/login/?next=/django-admin/accounts/user/"
    # Posting a password to the admin's form authenticates nobody.
    resp = client.post(
        "/django-admin/login/", {"username": "admin", "password": DEMO_PASSWORD}, follow=False
    )
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    # An off-site next is dropped.
    resp = client.get("/django-admin/login/?next=https://evil.example/")
    assert resp["Location"] == "/login/?next=/django-admin/"
    # The admin index for an anonymous visitor also ends at the site login.
    resp = client.get("/django-admin/", follow=True)
    assert resp.redirect_chain[-1][0].startswith("/login/?next=/django-admin/")


def test_admin_login_failures_are_throttled_and_audited(world, client, settings):
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    settings.LOGIN_MAX_FAILURES = 3
    before = AuditEvent.objects.filter(kind="user.login_failed").count()
    for _ in range(3):
        resp = client.post(
            "/django-admin/login/", {"username": "admin", "password": "wrong"}, follow=True
        )
        # The redirect lands on the site's form; the POST itself goes there.
        resp = client.post(
            "/login/", {"username": "admin", "password": "wrong", "next": "/django-admin/"}
        )
        assert resp.status_code == 401
    assert AuditEvent.objects.filter(kind="user.login_failed").count() == before + 3
    resp = client.post(
        "/login/", {"username": "admin", "password": DEMO_PASSWORD, "next": "/django-admin/"}
    )
    assert resp.status_code == 429 and "锁定" in resp.content.decode()
    # After the lock has passed, the right password reaches the admin.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        resp = client.post(
            "/login/", {"username": "admin", "password": DEMO_PASSWORD, "next": "/django-admin/"}
        )
    assert resp.status_code == 302 and resp["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_attacker_failures_do_not_lock_the_owner_out_from_another_address(world, settings):
    settings.LOGIN_MAX_FAILURES = 5
    _fail("provider", "203.0.113.66", 5)
    with pytest.raises(TooManyRequests):
        user_authenticate(username="provider", password=DEMO_PASSWORD, ip="203.0.113.66")
    # The owner, from their own address, logs in at once.
    assert user_authenticate(username="provider", password=DEMO_PASSWORD, ip="198.51.100.7")
    # ... and their success does not unlock the attacker's address.
    with pytest.raises(TooManyRequests):
        user_authenticate(username="provider", password=DEMO_PASSWORD, ip="203.0.113.66")


def test_one_address_failing_for_many_usernames_is_locked(world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for name in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"):
        _fail(name, "203.0.113.9", 1)
    with pytest.raises(TooManyRequests):
        user_authenticate(username="expert", password=DEMO_PASSWORD, ip="203.0.113.9")
    assert user_authenticate(username="expert", password=DEMO_PASSWORD, ip="203.0.113.10")


def test_back_off_doubles_with_each_further_failure_up_to_the_window(world, settings):
    from caidan.accounts.services import login_locked_until

    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCK_SECONDS = 60
    settings.LOGIN_LOCK_MAX_SECONDS = 900
    ip = "192.0.2.1"
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        _fail("purchaser", ip, 2)
        assert login_locked_until(username="purchaser", ip=ip) is None  # one below the limit
        for _ in range(6):
            _fail("purchaser", ip, 1)
            now = timezone.now()
            until = login_locked_until(username="purchaser", ip=ip)
            waits.append(round((until - now).total_seconds()))
            # One second before the end: still locked; at the end: open again.
            clock.move_to(until - dt.timedelta(seconds=1))
            with pytest.raises(TooManyRequests):
                user_authenticate(username="purchaser", password=DEMO_PASSWORD, ip=ip)
            clock.move_to(until)
    assert waits == [60, 120, 240, 480, 900, 900]
    assert LoginFailure.objects.filter(username="purchaser", ip=ip).count() == 8


def test_lockout_message_says_how_long(world, settings):
    settings.LOGIN_MAX_FAILURES = 1
    _fail("expert", "192.0.2.5", 1)
    with pytest.raises(TooManyRequests) as exc:
        user_authenticate(username="expert", password=DEMO_PASSWORD, ip="192.0.2.5")
    assert exc.value.code == "login_locked" and "60 秒" in exc.value.message


def test_tick_forgets_throttle_hits_older_than_a_day(world):
    from io import StringIO

    from django.core.management import call_command

    from caidan.accounts.models import ThrottleHit
    from caidan.accounts.throttle import throttle_count, throttle_hit

    now = timezone.now()
    throttle_hit(scope="t", key="k", now=now - dt.timedelta(days=1, seconds=1))
    throttle_hit(scope="t", key="k", now=now - dt.timedelta(hours=23))
    assert throttle_count(scope="t", key="k", window=dt.timedelta(days=2), now=now) == 2
    out = StringIO()
    call_command(
        "tick", "--now", now.isoformat(), "--only", "accounts.purge_throttle_hits", stdout=out
    )
    assert "accounts.purge_throttle_hits: 1 changed" in out.getvalue()
    assert ThrottleHit.objects.count() == 1
