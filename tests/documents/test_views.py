import pytest
from django.test import Client
from django.urls import reverse

from caidan.documents.models import Document

from .conftest import EXE, PDF, TXT, stored_files, uploaded

INDEX = reverse("documents:index")


def body_of(resp) -> bytes:
    # Exhausting the stream closes the response (the test client wraps it as a WSGI
    # server would); closing it again would fire request_finished a second time and,
    # on PostgreSQL, close the test's connection.
    return b"".join(resp.streaming_content)


def test_upload_page_needs_login(client, db):
    resp = client.get(INDEX)
    assert resp.status_code == 302
    assert resp["Location"].startswith("/login/")


def test_upload_page_uploads_and_lists_my_documents(world, login, upload, media_root):
    upload("purchaser2", "别人的文件.pdf")
    browser = login("purchaser")
    page = browser.get(INDEX)
    assert page.status_code == 200
    assert "我的文件" in page.text and "还没有上传过文件" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    resp = browser.post(
        INDEX,
        {"file": uploaded("居家养老方案.txt", TXT), "description": "草稿", "is_public": "on"},
        follow=True,
    )
    assert resp.status_code == 200
    assert "已上传“居家养老方案.txt”" in resp.text
    doc = Document.objects.get(original_name="居家养老方案.txt")
    assert doc.is_public and doc.description == "草稿"
    assert doc.uploaded_by == world.user("purchaser")
    assert reverse("documents:download", args=[doc.pk]) in resp.text
    assert "别人的文件.pdf" not in resp.text


def test_refused_upload_shows_the_rule(world, login, media_root):
    resp = login("purchaser").post(INDEX, {"file": uploaded("setup.exe", EXE)})
    assert resp.status_code == 400
    assert "文件类型 .exe 不允许" in resp.text
    resp = login("purchaser").post(INDEX, {"file": uploaded("空.pdf", b"")})
    assert resp.status_code == 400
    assert "文件是空的" in resp.text
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []


def test_upload_page_paginates(world, login, upload):
    for i in range(25):
        upload("purchaser", f"文件{i:02d}.pdf")
    browser = login("purchaser")
    first = browser.get(INDEX)
    assert "文件24.pdf" in first.text and "文件04.pdf" not in first.text
    cursor = first.context["page"].next_cursor
    assert cursor
    second = browser.get(INDEX, {"cursor": cursor})
    assert "文件04.pdf" in second.text and "文件24.pdf" not in second.text


def test_web_upload_requires_csrf_token(world, media_root):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.user("purchaser"))
    resp = browser.post(INDEX, {"file": uploaded("a.pdf", PDF)})
    assert resp.status_code == 403
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []


class TestDownloadView:
    @pytest.fixture
    def private(self, upload):
        return upload("purchaser", "内部方案.pdf")

    @pytest.fixture
    def public(self, upload):
        return upload("purchaser", "公示文件.pdf", is_public=True)

    def url(self, doc):
        return reverse("documents:download", args=[doc.pk])

    def test_uploader_downloads_private(self, login, private):
        resp = login("purchaser").get(self.url(private))
        assert resp.status_code == 200
        assert "filename*=utf-8''" in resp["Content-Disposition"]
        assert body_of(resp) == PDF

    def test_admin_downloads_private(self, login, private):
        resp = login("admin").get(self.url(private))
        assert resp.status_code == 200
        body_of(resp)

    def test_other_user_gets_403_page(self, login, private):
        resp = login("purchaser2").get(self.url(private))
        assert resp.status_code == 403
        assert "无权访问" in resp.text

    def test_anonymous_is_sent_to_login_for_private(self, client, private):
        resp = client.get(self.url(private))
        assert resp.status_code == 302
        assert resp["Location"].startswith("/login/?next=")

    def test_anonymous_downloads_public(self, client, public):
        resp = client.get(self.url(public))
        assert resp.status_code == 200
        assert body_of(resp) == PDF

    def test_missing_is_404(self, client, public):
        assert client.get(reverse("documents:download", args=[public.pk + 999])).status_code == 404

    def test_lost_file_is_404_not_500(self, client, public, media_root):
        (media_root / public.file.name).unlink()
        assert client.get(self.url(public)).status_code == 404


def test_admin_page_lists_documents_read_only(world, login, upload):
    doc = upload("purchaser", "方案.pdf")
    from caidan.accounts.models import User

    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    browser = login("admin")
    assert browser.get("/django-admin/documents/document/").status_code == 200
    assert browser.get(f"/django-admin/documents/document/{doc.pk}/change/").status_code == 200
    assert browser.get("/django-admin/documents/document/add/").status_code == 403
