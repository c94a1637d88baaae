"""Shared by the browser tests (``tests/browser``) and the end-to-end journey
(``tests/e2e``): one Playwright driving Debian's Chromium (/usr/bin/chromium) for the whole
session. It must be defined once, here: two session-scoped copies (one per directory) would
start a second Playwright while the first is still running, which Playwright refuses.

Never ``playwright install``: the browser comes from Debian (``apt-get install chromium``).
Locally, without Chromium, these tests skip with a loud reason; in CI (``CI`` set) a
missing browser is a failure, so CI always runs them.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = (
            f"BROWSER TESTS NOT RUN: Debian Chromium not found at {CHROMIUM}. "
            "Install it with `apt-get install -y chromium` (.ci/run does this)."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told that this is deliberate (the test process is single-threaded).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
