import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from caidan.accounts.models import LoginFailure


def test_tick_purges_old_login_failures_once(world, settings):
    now = timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    LoginFailure.objects.create(username="a", ip="1", at=now - window - dt.timedelta(seconds=5))
    LoginFailure.objects.create(username="b", ip="1", at=now - dt.timedelta(seconds=5))
    out = StringIO()
    call_command(
        "tick", "--now", now.isoformat(), "--only", "accounts.purge_login_failures", stdout=out
    )
    assert "accounts.purge_login_failures: 1 changed" in out.getvalue()
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["b"]
    out = StringIO()
    call_command("tick", "--now", now.isoformat(), stdout=out)  # idempotent: nothing more
    assert "accounts.purge_login_failures: 0 changed" in out.getvalue()


def test_tick_refuses_naive_clock_and_unknown_job(world):
    with pytest.raises(CommandError, match="time zone"):
        call_command("tick", "--now", "2026-11-23T09:00")
    with pytest.raises(CommandError, match="unknown tick job"):
        call_command("tick", "--only", "nope")
