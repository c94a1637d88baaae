"""A production environment for settings checks run in a subprocess (the test process itself
runs with the development secrets that `make test` allows): the variables docs/deploy.md
prescribes, with fresh random secrets; shared by every test of startup refusals."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SEALING_KEY = "dev:ZGV2ZWxvcG1lbnQtb25seS1zZWFsaW5nLWtleS0wMDA="


def sealing_key(key_id="k1", raw=None):
    return f"{key_id}:" + base64.b64encode(raw if raw is not None else os.urandom(32)).decode()


def production_env(**overrides) -> dict[str, str]:
    """The variables docs/deploy.md prescribes, with fresh random secrets."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "CAIDAN_TESTING",
            "CAIDAN_ALLOW_DEV_SECRET",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
        }
        and not k.startswith(("HSTS_", "SECURE_", "REDIS_", "CACHE_"))
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="caidan.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://caidan.example.gov.cn",
        SECURE_COOKIES="1",
        BID_SEALING_KEYS=sealing_key(),
        SMS_BACKEND="gateway.sms.GovernmentSmsBackend",
        IDENTITY_HASH_KEY=secrets.token_urlsafe(32),
        SURVEY_TOKEN_KEY=secrets.token_urlsafe(32),
        CAIDAN_TRUSTED_PROXIES="1",
    )
    from caidan.audit.anchors import new_anchor_key

    env["AUDIT_ANCHOR_KEY"] = new_anchor_key("k1")
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def settings_value(expr: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(f"import caidan.settings as s; print(repr({expr}))", env)
