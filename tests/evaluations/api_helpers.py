"""Shared by the evaluations API tests (``test_api_*.py``): requests to
``/api/v1/evaluations`` and checks of their answers."""

from __future__ import annotations

API = "/api/v1/evaluations"


# --- helpers ------------------------------------------------------------------------------------


def call(client, method: str, path: str, data=None, headers=None):
    fn = getattr(client, method.lower())
    kwargs = dict(headers or {})
    if method.upper() != "GET":
        kwargs.update(data=data if data is not None else {}, content_type="application/json")
    return fn(f"{API}{path}", **kwargs)


def get(client, path, headers=None):
    return call(client, "GET", path, headers=headers)


def post(client, path, data=None, headers=None):
    return call(client, "POST", path, data, headers)


def put(client, path, data=None, headers=None):
    return call(client, "PUT", path, data, headers)


def ok(resp, status: int = 200):
    assert resp.status_code == status, resp.content[:500]
    return resp.json()


def error(resp, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert resp.status_code == status, resp.content[:500]
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert body["detail"].get("field") == field, body
    return body
