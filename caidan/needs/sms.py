"""Sending one-time codes by SMS, through a pluggable backend (like Django's email backends).

``settings.SMS_BACKEND`` names the class (dotted path); the default prints to the console
for development. Tests use ``LocmemSmsBackend``, whose messages land in ``outbox``. A real
deployment points the setting at a class that calls its SMS gateway; a backend's ``send``
is called after the transaction that created the code has committed.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "caidan.needs.sms.ConsoleSmsBackend"


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend:
    # True only for a backend that sends nothing (development and the demo): the code is
    # then shown on the verification page, marked 演示环境, since nobody receives it.
    shows_code_on_page = False

    def send(self, *, to: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development and the demo only: writes the message to standard output (nothing is
    sent), so the verification page shows the code too. Refused at startup in production
    (``caidan.accounts.secrets_check``)."""

    shows_code_on_page = True

    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"[SMS → {to}] {body}\n")
        sys.stdout.flush()


outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keeps messages in ``caidan.needs.sms.outbox``."""

    def send(self, *, to: str, body: str) -> None:
        outbox.append(SmsMessage(to=to, body=body))


def get_sms_backend() -> BaseSmsBackend:
    path = getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND
    return import_string(path)()


def sms_shows_code_on_page() -> bool:
    """Whether the configured backend is one that sends nothing (see ``shows_code_on_page``)."""
    path = getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND
    return bool(getattr(import_string(path), "shows_code_on_page", False))


def send_sms(*, to: str, body: str) -> None:
    """Deliver one message; a gateway failure is logged (the person can ask again)."""
    try:
        get_sms_backend().send(to=to, body=body)
    except Exception:  # noqa: BLE001 - a failed delivery must not break the request
        log.exception("SMS delivery failed")
