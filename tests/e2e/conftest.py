"""The end-to-end journey: a real server on localhost (``live_server``), a fresh database,
Debian Chromium driven by Playwright. The session-wide ``browser`` fixture is the one of
the browser tests, defined once in ``tests/conftest.py`` (a second definition here would
start a second Playwright in the same session when both directories run together)."""
