"""Property-based fuzz of the JSON API (issue 16 item 5): no input gives a server error.

Schemathesis generates requests from the OpenAPI document (``/api/v1/openapi.json``) —
valid ones and, in the negative phase, ones that break the schema (wrong types, missing
fields, out-of-range numbers, odd strings) — and sends them, anonymously and with the
API tokens of six demo roles, to the WSGI application. Any 5xx fails the test and names
the request. Bounded for CI: three examples per operation (each sent as all seven
callers) and a time budget (``BUDGET_SECONDS``, about two minutes on SQLite for the ~240
operations; the reads come first, so a slow machine cuts writes, never reads).
"""

from __future__ import annotations

import time

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

ROLES = ["admin", "purchaser", "provider", "expert", "resident", "auditor"]
MAX_EXAMPLES = 3
BUDGET_SECONDS = 120


@pytest.fixture
def api_schema(db, client):
    """The published OpenAPI document, as clients fetch it."""
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return schemathesis.openapi.from_dict(resp.json())


@pytest.fixture
def wsgi_app():
    """The project's WSGI handler, as a server would call it, but sharing the test's
    database transaction (as Django's test client does: no connection closing between
    requests)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema):
    """Every operation, reads first (the time budget cuts from the end)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: (op.method.upper() != "GET", op.path, op.method))


def test_no_server_error_on_any_input(world, token_for, api_schema, wsgi_app, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    identities = {"anonymous": {}}
    for role in ROLES:
        raw = token_for(role)["HTTP_AUTHORIZATION"]
        identities[role] = {"Authorization": raw}
    api_schema.app = wsgi_app
    failures: list[str] = []
    statuses: dict[int, int] = {}
    started = time.monotonic()
    operations = _operations(api_schema)
    assert len(operations) > 50, "the fuzz should see the whole API"
    for operation in operations:
        if time.monotonic() - started > BUDGET_SECONDS:
            break

        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @hypothesis.given(
            case=st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )
        )
        def run(case):
            for who, headers in identities.items():
                response = case.call(headers=headers)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500 and len(failures) < 200:
                    failures.append(
                        f"{who}: {case.method} {case.formatted_path} query={case.query!r} "
                        f"body={case.body!r} -> {response.status_code} {response.text[:200]}"
                    )

        run()
    print(f"fuzz: {len(operations)} operations, {time.monotonic() - started:.0f} s, {statuses}")
    assert sum(statuses.values()) >= len(operations) * len(identities)
    assert not failures, "\n".join(failures[:40])
