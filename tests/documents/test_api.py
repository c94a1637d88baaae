import hashlib
from urllib.parse import quote

import pytest
from django.test import Client

from caidan.audit.models import AuditEvent
from caidan.documents.models import Document

from .conftest import EXE, PDF, PNG, TXT, stored_files, uploaded

URL = "/api/v1/documents"


def body_of(resp) -> bytes:
    # Exhausting the stream closes the response (the test client wraps it as a WSGI
    # server would); closing it again would fire request_finished a second time and,
    # on PostgreSQL, close the test's connection.
    return b"".join(resp.streaming_content)


def test_openapi_stays_valid(client, db):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    assert f"{URL}/{{document_id}}/download" in spec["paths"]


def test_upload_by_token_returns_201_with_metadata(world, client, token_for, media_root):
    resp = client.post(
        URL,
        {"file": uploaded("实施方案.pdf", PDF), "description": "第一版", "is_public": "false"},
        **token_for("purchaser"),
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    doc = Document.objects.get()
    assert body["id"] == doc.pk
    assert body["name"] == "实施方案.pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["content_type"] == "application/pdf"
    assert body["description"] == "第一版"
    assert body["is_public"] is False
    assert body["download_url"] == f"{URL}/{doc.pk}/download"
    assert AuditEvent.objects.filter(kind="document.uploaded", target_id=str(doc.pk)).exists()
    resp = client.get(body["download_url"], **token_for("purchaser"))
    assert resp.status_code == 200
    assert body_of(resp) == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.exe", EXE), ("setup.pdf", EXE), ("伪装.pdf", PNG), ("空.pdf", b"")],
)
def test_refused_upload_error_shape(world, client, token_for, media_root, name, content):
    headers = token_for("purchaser")
    events = AuditEvent.objects.count()
    resp = client.post(URL, {"file": uploaded(name, content)}, **headers)
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["detail"] == {"field": "file"}
    assert body["code"].startswith("file_")
    assert body["message"]
    assert Document.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert stored_files(media_root) == []


def test_too_large_over_api(world, client, token_for, settings, media_root):
    settings.DOCUMENT_MAX_BYTES = 10
    resp = client.post(URL, {"file": uploaded("a.pdf", PDF)}, **token_for("purchaser"))
    assert resp.status_code == 400
    assert resp.json()["code"] == "file_too_large"
    assert resp.json()["detail"] == {"field": "file"}
    assert stored_files(media_root) == []


def test_missing_file_names_the_field(world, client, token_for):
    resp = client.post(URL, {"description": "x"}, **token_for("purchaser"))
    assert resp.status_code == 400
    # caidan.api reports ninja's location ("file", "file") as "file.file" for now.
    assert resp.json()["detail"]["field"].split(".")[-1] == "file"


def test_upload_requires_authentication(world, client, media_root):
    resp = client.post(URL, {"file": uploaded("a.pdf", PDF)})
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
    assert Document.objects.count() == 0


def test_session_upload_requires_csrf_token(world, media_root):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.user("purchaser"))
    resp = browser.post(URL, {"file": uploaded("a.pdf", PDF)})
    assert resp.status_code == 403
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    resp = browser.post(URL, {"file": uploaded("a.pdf", PDF)}, HTTP_X_CSRFTOKEN=token)
    assert resp.status_code == 201


def test_download_sends_original_chinese_name(world, client, token_for, upload):
    doc = upload("purchaser", "2025年 实施方案.txt", TXT)
    resp = client.get(f"{URL}/{doc.pk}/download", **token_for("purchaser"))
    assert resp.status_code == 200
    disposition = resp["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('2025年 实施方案.txt')}" in disposition
    assert resp["Content-Type"] == "text/plain; charset=utf-8"
    assert resp["Cache-Control"] == "private, no-store"
    assert "sandbox" in resp["Content-Security-Policy"]
    assert body_of(resp) == TXT


class TestDownloadPermissions:
    @pytest.fixture
    def private(self, upload):
        return upload("purchaser", "内部方案.pdf")

    @pytest.fixture
    def public(self, upload):
        return upload("purchaser", "公示文件.pdf", is_public=True)

    def test_uploader_can_download_private(self, client, token_for, login, private):
        resp = client.get(f"{URL}/{private.pk}/download", **token_for("purchaser"))
        assert resp.status_code == 200
        assert body_of(resp) == PDF
        resp = login("purchaser").get(f"{URL}/{private.pk}/download")
        assert resp.status_code == 200
        assert body_of(resp) == PDF

    def test_uploader_in_another_role_can_download(self, client, token_for, private):
        resp = client.get(
            f"{URL}/{private.pk}/download", **token_for("purchaser", "committee_member")
        )
        assert resp.status_code == 200
        body_of(resp)

    @pytest.mark.parametrize("username", ["purchaser2", "provider", "resident", "auditor"])
    def test_other_users_get_403(self, client, token_for, private, username):
        resp = client.get(f"{URL}/{private.pk}/download", **token_for(username))
        assert resp.status_code == 403
        assert resp.json()["code"] in {"out_of_scope", "permission_denied"}
        resp = client.get(f"{URL}/{private.pk}", **token_for(username))
        assert resp.status_code == 403

    def test_other_user_by_session_gets_403(self, login, private):
        assert login("purchaser2").get(f"{URL}/{private.pk}/download").status_code == 403

    def test_anonymous_gets_401_for_private(self, client, private):
        resp = client.get(f"{URL}/{private.pk}/download")
        assert resp.status_code == 401
        assert resp.json()["code"] == "not_authenticated"

    def test_bad_token_is_401_even_for_public(self, client, public):
        resp = client.get(f"{URL}/{public.pk}/download", HTTP_AUTHORIZATION="Bearer cd_bad_x")
        assert resp.status_code == 401

    def test_anonymous_can_download_public(self, client, public):
        resp = client.get(f"{URL}/{public.pk}/download")
        assert resp.status_code == 200
        assert "Cache-Control" not in resp or "no-store" not in resp["Cache-Control"]
        assert body_of(resp) == PDF

    def test_platform_admin_can_download_private(self, client, token_for, login, private):
        resp = client.get(f"{URL}/{private.pk}/download", **token_for("admin"))
        assert resp.status_code == 200
        body_of(resp)
        assert client.get(f"{URL}/{private.pk}", **token_for("admin")).status_code == 200
        resp = login("admin").get(f"{URL}/{private.pk}/download")
        assert resp.status_code == 200
        body_of(resp)

    def test_missing_document_is_404(self, client, token_for, private):
        resp = client.get(f"{URL}/{private.pk + 1000}/download", **token_for("admin"))
        assert resp.status_code == 404
        assert client.get(f"{URL}/{private.pk + 1000}/download").status_code == 404
        assert client.get(f"{URL}/{private.pk + 1000}", **token_for("admin")).status_code == 404

    def test_metadata_needs_login_and_access(self, client, token_for, private, public):
        assert client.get(f"{URL}/{private.pk}").status_code == 401
        body = client.get(f"{URL}/{private.pk}", **token_for("purchaser")).json()
        assert body["name"] == "内部方案.pdf"
        assert body["uploaded_by"] == world_name("purchaser")
        assert client.get(f"{URL}/{public.pk}", **token_for("provider")).status_code == 200


def world_name(username):
    from caidan.accounts.models import User

    return User.objects.get(username=username).get_full_name()


def test_list_returns_only_own_documents_paginated(world, client, token_for, upload):
    mine = [upload("purchaser", f"方案{i}.pdf") for i in range(5)]
    upload("purchaser2", "别人的.pdf", is_public=True)
    headers = token_for("purchaser")
    page1 = client.get(URL, {"limit": 3}, **headers).json()
    assert [d["id"] for d in page1["items"]] == [d.pk for d in reversed(mine)][:3]
    assert page1["limit"] == 3 and page1["next_cursor"]
    page2 = client.get(URL, {"limit": 3, "cursor": page1["next_cursor"]}, **headers).json()
    assert [d["id"] for d in page2["items"]] == [mine[1].pk, mine[0].pk]
    assert page2["next_cursor"] is None
    other = client.get(URL, **token_for("purchaser2")).json()
    assert [d["name"] for d in other["items"]] == ["别人的.pdf"]
    assert client.get(URL).status_code == 401
    resp = client.get(URL, {"cursor": "garbage!"}, **headers)
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "cursor"


def test_list_uses_a_bounded_number_of_queries(
    world, client, token_for, upload, django_assert_max_num_queries
):
    headers = token_for("purchaser")
    for i in range(3):
        upload("purchaser", f"a{i}.pdf")
    client.get(URL, **headers)  # the token's last-used stamp is written once
    with django_assert_max_num_queries(4):
        assert len(client.get(URL, **headers).json()["items"]) == 3
    for i in range(17):
        upload("purchaser", f"b{i}.pdf")
    with django_assert_max_num_queries(4):
        assert len(client.get(URL, **headers).json()["items"]) == 20
