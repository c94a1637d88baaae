"""Client addresses behind a reverse proxy, and rate limits shared by every process.

``client_ip`` is the one place an address is read: it believes X-Forwarded-For only through
the proxies named by ``CAIDAN_TRUSTED_PROXIES``. Throttles count in the database, so a new
worker process (an empty local cache) does not start from zero.
"""

from django.core.cache import caches
from django.test import RequestFactory

from caidan.accounts.middleware import client_ip
from caidan.demo.data import DEMO_PASSWORD
from caidan.evaluations.services.surveys import WRONG_TOKENS_PER_HOUR

rf = RequestFactory()


def _req(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.CAIDAN_TRUSTED_PROXIES = ""
    assert client_ip(_req("198.51.100.9", "1.2.3.4")) == "198.51.100.9"


def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.CAIDAN_TRUSTED_PROXIES = "10.0.0.0/8, 192.168.1.1"
    assert client_ip(_req("198.51.100.9", "1.2.3.4")) == "198.51.100.9"
    settings.CAIDAN_TRUSTED_PROXIES = "1"
    # One trusted hop: whatever the client wrote before the proxy's entry is not believed.
    assert client_ip(_req("10.0.0.1", "1.2.3.4, 198.51.100.9")) == "198.51.100.9"


def test_one_trusted_hop_uses_the_address_the_proxy_saw(settings):
    settings.CAIDAN_TRUSTED_PROXIES = "1"
    assert client_ip(_req("10.0.0.1", "198.51.100.9")) == "198.51.100.9"
    # Direct request without the header: the peer itself.
    assert client_ip(_req("198.51.100.9")) == "198.51.100.9"
    settings.CAIDAN_TRUSTED_PROXIES = "2"
    assert client_ip(_req("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.1")) == "198.51.100.9"


def test_trusted_networks_are_walked_from_the_right(settings):
    settings.CAIDAN_TRUSTED_PROXIES = "10.0.0.0/8,2001:db8::/32"
    assert client_ip(_req("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.1")) == "198.51.100.9"
    assert client_ip(_req("2001:db8::1", "2001:db8::2, 2001:db9::7")) == "2001:db9::7"
    # A garbled entry where the client should be: the proxy's address, never the garbage.
    assert client_ip(_req("10.0.0.2", "6.6.6.6, not-an-ip")) == "10.0.0.2"
    assert client_ip(_req("10.0.0.2", "198.51.100.9:5555")) == "198.51.100.9"


def test_actor_and_audit_get_the_forwarded_address(world, client, settings):
    from caidan.audit.models import AuditEvent

    settings.CAIDAN_TRUSTED_PROXIES = "1"
    client.post(
        "/login/",
        {"username": "admin", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.77",
    )
    event = AuditEvent.objects.filter(kind="user.login_failed").order_by("-seq").first()
    assert event.ip == "203.0.113.77"


def test_behind_the_proxy_one_visitors_failures_do_not_lock_out_another(world, client, settings):
    settings.CAIDAN_TRUSTED_PROXIES = "1"
    settings.LOGIN_MAX_FAILURES = 3
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(12):  # several usernames, also past the address-wide limit
        for name in ("provider", "purchaser"):
            client.post(
                "/login/",
                {"username": name, "password": "wrong"},
                HTTP_X_FORWARDED_FOR="203.0.113.5",
                **proxy,
            )
    locked = client.post(
        "/login/",
        {"username": "provider", "password": DEMO_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **proxy,
    )
    assert locked.status_code == 429
    ok = client.post(
        "/login/",
        {"username": "provider", "password": DEMO_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert ok.status_code == 302


def test_survey_limit_holds_across_processes(world, client, settings, monkeypatch):
    """20 wrong tokens per address per hour, whichever worker answers: a second process
    (here: the local cache emptied, as a fresh gunicorn worker has it) keeps counting.

    The survey is a stand-in (the throttle is checked before anything else is read), so the
    test needs no signed contract."""
    import datetime as dt

    from django.utils import timezone

    from caidan.evaluations.models import Survey
    from caidan.evaluations.services import surveys

    today = timezone.localdate()
    survey = Survey(
        pk=987654,
        slug="stand-in",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=1),
        questions=[{"id": "q1", "kind": "likert", "text": "满意度"}],
    )
    monkeypatch.setattr(surveys, "survey_get", lambda slug: survey)
    settings.CAIDAN_TRUSTED_PROXIES = "1"
    url = "/api/v1/evaluations/surveys/stand-in/responses"
    via = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.8"}

    def answer(**headers):
        return client.post(
            url,
            {"token": "WRONG123", "answers": {"q1": 5}},
            content_type="application/json",
            **headers,
        )

    for i in range(WRONG_TOKENS_PER_HOUR):
        if i == WRONG_TOKENS_PER_HOUR // 2:
            for cache in caches.all():
                cache.clear()  # the other half lands on another worker
        assert answer(**via).status_code == 400
    for cache in caches.all():
        cache.clear()
    resp = answer(**via)
    assert resp.status_code == 429, resp.content
    # Another visitor behind the same proxy is not affected.
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert answer(**other).status_code == 400


def test_every_address_reader_uses_client_ip():
    """No module reads REMOTE_ADDR or X-Forwarded-For except client_ip."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / "caidan"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name not in {"middleware.py", "settings.py"}
        and re.search(r"REMOTE_ADDR|X_FORWARDED_FOR|X-Forwarded-For", path.read_text())
    ]
    assert offenders == []
