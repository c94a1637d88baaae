"""The end-to-end journey: a real server on localhost (``live_server``), a fresh database,
Debian Chromium driven by Playwright. The session-wide ``browser`` fixture is the one of
the browser tests, defined once in ``tests/conftest.py`` (a second definition here would
start a second Playwright in the same session when both directories run together)."""

from __future__ import annotations

import pytest

from .steps import Journey


@pytest.fixture
def journey(browser, live_server, world, settings):
    from caidan.needs import sms

    settings.SMS_BACKEND = "caidan.needs.sms.LocmemSmsBackend"
    sms.outbox.clear()
    j = Journey(browser, live_server.url)
    yield j
    j.close()
