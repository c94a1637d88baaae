"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium).

The session-wide ``browser`` fixture lives in ``tests/conftest.py``, shared with the
end-to-end journey in ``tests/e2e`` (one Playwright per test session).
"""

from __future__ import annotations

import pytest

from tests.conftest import ARGS, CHROMIUM  # noqa: F401 - kept importable from here


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    context.close()
