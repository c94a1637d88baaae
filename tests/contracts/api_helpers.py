"""Shared by the contracts API tests (``test_api_*.py``): requests to
``/api/v1/contracts`` and checks of their answers, a report attachment upload, a PDF's text."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

API = "/api/v1/contracts"
PDF = b"%PDF-1.4\n%caidan test\n"
LINES = [{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}]


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


def ok(resp, status: int = 200) -> dict:
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


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def upload(client, report_id, headers, *, content=PDF, name="财务报表.pdf", description="报表"):
    data = {"description": description}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"{API}/reports/{report_id}/attachments", data=data, **(headers or {}))
