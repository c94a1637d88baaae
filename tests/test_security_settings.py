"""Production hardening: startup refuses unsafe secrets, `check --deploy` is clean with the
documented production variables, HSTS and a Content-Security-Policy are sent, templates keep
to that policy, and the API docs load nothing from another host.

Settings are validated in a subprocess with a crafted environment (the test process itself
runs with the development secrets that `make test` allows).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest

from tests.settings_env import DEV_SEALING_KEY, production_env, run, sealing_key, settings_value

ROOT = Path(__file__).resolve().parent.parent


def test_good_production_environment_starts():
    result = settings_value("s.DEBUG", production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": "k" * 49 + "abcd"[:1]}, "SECRET_KEY"),  # 50 chars but 2 distinct
        ({"SECRET_KEY": secrets.token_urlsafe(30)}, "SECRET_KEY"),  # 40 characters
        ({"BID_SEALING_KEYS": sealing_key(raw=os.urandom(31))}, "31 bytes"),
        ({"BID_SEALING_KEYS": sealing_key(raw=b"our-county-sealing-key-2026-0001")}, "random"),
        ({"BID_SEALING_KEYS": sealing_key(raw=bytes(32))}, "random"),
        ({"BID_SEALING_KEYS": "k1-without-a-colon"}, "BID_SEALING_KEYS"),
        ({"BID_SEALING_KEYS": sealing_key() + "," + DEV_SEALING_KEY}, "development sealing"),
        (
            {"BID_SEALING_KEYS": sealing_key() + ",old:" + DEV_SEALING_KEY.split(":")[1]},
            "development sealing",
        ),
        ({"SMS_BACKEND": None}, "SMS_BACKEND"),
        ({"SMS_BACKEND": "caidan.needs.sms.ConsoleSmsBackend"}, "SMS_BACKEND"),
        ({"IDENTITY_HASH_KEY": None}, "IDENTITY_HASH_KEY"),
        ({"IDENTITY_HASH_KEY": "short"}, "IDENTITY_HASH_KEY"),
    ],
)
def test_startup_refuses_unsafe_secrets(overrides, named):
    result = settings_value("s.DEBUG", production_env(**overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr, result.stderr


def test_rotation_with_two_random_keys_is_accepted():
    env = production_env(BID_SEALING_KEYS=sealing_key("k2") + "," + sealing_key("k1"))
    assert settings_value("s.DEBUG", env).returncode == 0


def test_development_and_ci_keep_working_with_the_development_secrets():
    env = production_env(
        SECRET_KEY=None, BID_SEALING_KEYS=None, SMS_BACKEND=None, IDENTITY_HASH_KEY=None
    )
    for extra in ({"DEBUG": "1"}, {"CAIDAN_ALLOW_DEV_SECRET": "1"}):
        result = settings_value("s.SMS_BACKEND", {**env, **extra})
        assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = run(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {**production_env(), "DJANGO_SETTINGS_MODULE": "caidan.settings"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_and_cache_come_from_the_environment():
    env = production_env(HSTS_SECONDS="600", REDIS_URL="redis://127.0.0.1:6379/3")
    result = settings_value(
        "(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        " s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], s.CACHES['default']['LOCATION'])",
        env,
    )
    assert result.stdout.strip() == "(600, True, True, 'RedisCache', 'redis://127.0.0.1:6379/3')"
    env = production_env(CACHE_URL="redis://cache.internal:6379/1")
    result = settings_value("s.CACHES['default']['LOCATION']", env)
    assert result.stdout.strip() == "'redis://cache.internal:6379/1'"
    # Default production: HSTS for a year once cookies are HTTPS-only.
    result = settings_value("s.SECURE_HSTS_SECONDS", production_env())
    assert result.stdout.strip() == "31536000"


def test_hsts_header_on_https_responses(client, settings, db):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    resp = client.get("/", secure=True)
    assert resp["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_html_pages_carry_a_strict_content_security_policy(world, client):
    resp = client.get("/")
    policy = resp["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert 'src="/static/caidan/site.js"' in resp.content.decode()


TEMPLATES = sorted(ROOT.glob("caidan/**/templates/**/*.html"))
SHIM = re.compile(
    r"""^\s*(return\s+confirm\(\s*(['"]).*\2\s*\)|this\.form\.submit\(\)|(window\.)?print\(\))?\s*;?\s*$""",
    re.S,
)


# Templates that still write inline handlers (site.js keeps the three shim forms working,
# but the browser logs a policy report for each). None are left: use data-confirm /
# data-autosubmit / data-print instead of adding a template here.
INLINE_HANDLERS_LEFT: set[str] = set()


def test_templates_keep_to_the_policy():
    """No inline <script>; every <style> carries the nonce; no inline event handlers
    (data-confirm, data-autosubmit and data-print instead), except in the templates listed
    above, and there only the three forms that static/caidan/site.js re-attaches."""
    problems = []
    for path in TEMPLATES:
        # Template tags stand for text: "{% translate "…" %}" inside an attribute is one word.
        text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "T", path.read_text(), flags=re.S)
        name = path.relative_to(ROOT)
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                problems.append(f"{name}: inline script {tag}")
        for tag in re.findall(r"<style\b[^>]*>", text):
            if "nonce=" not in tag:
                problems.append(f"{name}: <style> without nonce")
        for attr, code in re.findall(r"\s(on[a-z]+)=\"([^\"]*)\"", text):
            if str(name) not in INLINE_HANDLERS_LEFT:
                problems.append(f"{name}: inline handler {attr}= (use data-confirm etc.)")
            elif not SHIM.match(code):
                problems.append(f"{name}: {attr}={code!r} is not handled by site.js")
        if re.search(r"""(src|href)=["']https?://""", text):
            problems.append(f"{name}: loads from another host")
    assert problems == []


def test_api_docs_load_nothing_from_another_host(client, db):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_redis_cache_from_the_environment_is_shared_between_processes():
    """Two processes configured by REDIS_URL see one cache (a value one writes, the other
    reads), unlike the per-process default."""
    key = f"caidan-test-{secrets.token_hex(4)}"
    env = {**production_env(REDIS_URL="redis://127.0.0.1:6379/15")}
    setup = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='caidan.settings';"
    setup += "django.setup(); from django.core.cache import cache;"
    first = run(setup + f"cache.set('{key}', 41, 60); print(cache.incr('{key}'))", env)
    assert first.returncode == 0, first.stderr
    second = run(setup + f"print(cache.incr('{key}')); cache.delete('{key}')", env)
    assert second.returncode == 0, second.stderr
    assert (first.stdout.strip(), second.stdout.strip()) == ("42", "43")
