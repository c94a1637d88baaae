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
    def send(self, *, to: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development only: writes the message to standard output (nothing is sent)."""

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


def send_sms(*, to: str, body: str) -> None:
    """Deliver one message; a gateway failure is logged (the person can ask again)."""
    try:
        get_sms_backend().send(to=to, body=body)
    except Exception:  # noqa: BLE001 - a failed delivery must not break the request
        log.exception("SMS delivery failed")
