"""Development and the demo: the SMS backend sends nothing, so the verification page shows the
code, marked 演示环境 (a visitor could not get past 去点菜 when it went to the server
console). With a real gateway, or in production settings, the page never shows it."""

from __future__ import annotations

import re

import pytest

from caidan.needs import sms
from caidan.needs.sms import BaseSmsBackend, ConsoleSmsBackend, LocmemSmsBackend

CONSOLE = "caidan.needs.sms.ConsoleSmsBackend"
GATEWAY = "tests.needs.test_demo_sms_code.GatewayBackend"
gateway_outbox: list[str] = []


class GatewayBackend(BaseSmsBackend):
    """Stands for a deployment's SMS gateway: it delivers (here: records) the message."""

    def send(self, *, to: str, body: str) -> None:
        gateway_outbox.append(body)


def _start(client, phone, capture):
    with capture(execute=True):
        return client.post("/needs/verify/", {"step": "start", "kind": "phone", "value": phone})


def _shown_code(resp) -> str | None:
    match = re.search(
        r'data-testid="demo-sms-code">.*?<output class="code">(\d{6})</output>',
        resp.content.decode(),
        re.S,
    )
    return match.group(1) if match else None


def test_console_backend_shows_the_code_marked_demo_and_it_logs_in(
    world, client, settings, new_phone, capsys, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = CONSOLE
    phone = new_phone()
    resp = _start(client, phone, django_capture_on_commit_callbacks)
    assert resp.status_code == 200
    code = _shown_code(resp)
    assert code is not None
    assert "演示环境" in resp.content.decode()
    # the very code the backend "sent" (printed on the console)
    assert f"验证码是 {code}" in capsys.readouterr().out
    # a typo keeps the code on the page for the second try
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    resp = client.post(
        "/needs/verify/", {"step": "confirm", "kind": "phone", "value": phone, "code": wrong}
    )
    assert resp.status_code == 400
    assert _shown_code(resp) == code
    resp = client.post(
        "/needs/verify/", {"step": "confirm", "kind": "phone", "value": phone, "code": code}
    )
    assert resp.status_code == 302
    assert "needs.demo_code" not in client.session


@pytest.mark.parametrize("backend", [GATEWAY, "caidan.needs.sms.LocmemSmsBackend"])
def test_a_sending_backend_never_shows_the_code(
    world, client, settings, new_phone, backend, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = backend
    gateway_outbox.clear()
    sms.outbox.clear()
    resp = _start(client, new_phone(), django_capture_on_commit_callbacks)
    assert resp.status_code == 200
    page = resp.content.decode()
    sent = (gateway_outbox or [m.body for m in sms.outbox])[-1]
    code = re.search(r"\d{6}", sent).group(0)
    assert code not in page
    assert "演示环境" not in page
    assert 'data-testid="demo-sms-code"' not in page
    assert "needs.demo_code" not in client.session


def test_the_challenge_carries_the_code_only_for_a_backend_that_sends_nothing(
    world, settings, new_phone, django_capture_on_commit_callbacks
):
    from caidan.needs.inputs import IdentityInput
    from caidan.needs.services import identity_verification_start

    settings.SMS_BACKEND = GATEWAY
    gateway_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        challenge = identity_verification_start(
            ip="10.9.0.1", data=IdentityInput.parse(kind="phone", value=new_phone())
        )
    assert challenge.demo_code == ""
    settings.SMS_BACKEND = CONSOLE
    challenge = identity_verification_start(
        ip="10.9.0.2", data=IdentityInput.parse(kind="phone", value=new_phone())
    )
    assert re.fullmatch(r"\d{6}", challenge.demo_code)
    assert ConsoleSmsBackend.shows_code_on_page
    assert not LocmemSmsBackend.shows_code_on_page
    assert not BaseSmsBackend.shows_code_on_page


def test_production_settings_refuse_the_backend_that_shows_codes():
    """The one backend that shows codes cannot be configured in production: the startup
    check (DEBUG off) refuses it, so a production page never shows a code."""
    from caidan.accounts.secrets_check import DEVELOPMENT_SMS_BACKENDS, production_secret_problems

    assert CONSOLE in DEVELOPMENT_SMS_BACKENDS
    problems = production_secret_problems(
        secret_key="k" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
        sealing_keys="",
        dev_sealing_key="",
        sms_backend=CONSOLE,
        identity_hash_key="x" * 40,
    )
    assert any(p.startswith("SMS_BACKEND") for p in problems)
