import hashlib
import re

import pytest
from django.core.files.base import ContentFile

from caidan.accounts.actor import Actor
from caidan.audit.models import AuditEvent
from caidan.common.errors import NotAuthenticated, ValidationError
from caidan.documents.models import Document
from caidan.documents.selectors import document_list_for_target
from caidan.documents.services import clean_file_name, document_upload, human_size

from .conftest import DOCX, EXE, JPEG, PDF, PNG, SAMPLES, TXT, stored_files, uploaded

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
    "csv": "text/csv",
}


@pytest.mark.parametrize("ext", sorted(SAMPLES))
def test_each_allowed_type_is_accepted(world, media_root, ext):
    content = SAMPLES[ext]
    name = f"服务方案.{ext.upper() if ext == 'pdf' else ext}"
    doc = document_upload(file=uploaded(name, content), actor=world.actor("purchaser"))
    doc.refresh_from_db()
    assert doc.original_name == name
    assert doc.content_type == CONTENT_TYPES[ext]
    assert doc.size == len(content)
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.uploaded_by == world.user("purchaser")
    assert doc.is_public is False
    # Stored under documents/<year>/<month>/<uuid>.<ext>, never under the user's name.
    assert re.fullmatch(rf"documents/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{ext}", doc.file.name)
    assert (media_root / doc.file.name).read_bytes() == content


def test_upload_records_audit_event_in_the_same_transaction(world, proposal_of):
    target_id = proposal_of("purchaser")
    doc = document_upload(
        file=uploaded("评估报告.pdf", PDF),
        actor=world.actor("purchaser"),
        description="2025 年度评估报告",
        is_public=True,
        target_type="projects.proposal",
        target_id=target_id,
    )
    event = AuditEvent.objects.get(kind="document.uploaded")
    assert event.actor == world.user("purchaser")
    assert event.target_type == "documents.document"
    assert event.target_id == str(doc.pk)
    assert event.new["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert event.new["name"] == "评估报告.pdf"
    assert event.new["is_public"] is True
    assert event.new["target_type"] == "projects.proposal"
    assert (doc.description, doc.target_type, doc.target_id) == (
        "2025 年度评估报告",
        "projects.proposal",
        target_id,
    )


def test_any_django_file_with_a_name_is_accepted(world):
    doc = document_upload(file=ContentFile(TXT, name="说明.txt"), actor=world.actor("resident"))
    assert doc.sha256 == hashlib.sha256(TXT).hexdigest()


def _refused(world, name, content, *, code=None, username="purchaser"):
    with pytest.raises(ValidationError) as info:
        document_upload(file=uploaded(name, content), actor=world.actor(username))
    assert info.value.field == "file"
    assert info.value.detail == {"field": "file"}
    if code:
        assert info.value.code == code
    return info.value


@pytest.mark.parametrize(
    "name", ["setup.exe", "page.html", "宏.docm", "旧版.doc", "script.js", "archive.zip"]
)
def test_disallowed_extension_is_refused(world, name):
    ext = name.rsplit(".", 1)[1]
    error = _refused(world, name, PDF, code="file_type_not_allowed")
    assert f".{ext}" in error.message
    assert "仅允许" in error.message and "PDF" in error.message and ".docx" in error.message


def test_name_without_extension_is_refused(world):
    error = _refused(world, "README", TXT, code="file_type_not_allowed")
    assert "扩展名" in error.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("伪装.pdf", PNG),  # a PNG renamed .pdf
        ("setup.pdf", EXE),  # a Windows program renamed .pdf
        ("图片.png", JPEG),
        ("照片.jpg", PNG),
        ("方案.docx", PDF),
        ("报表.xlsx", EXE),
        ("方案.pdf", DOCX),
    ],
)
def test_content_not_matching_extension_is_refused(world, name, content):
    error = _refused(world, name, content, code="file_content_mismatch")
    assert "不符" in error.message


def test_text_must_be_utf8(world):
    error = _refused(world, "名单.csv", "姓名,电话\n张三,1\n".encode("gbk"), code="file_not_utf8")
    assert "UTF-8" in error.message


def test_text_must_not_contain_nul_bytes(world):
    error = _refused(world, "notes.txt", b"hello\x00world", code="file_content_mismatch")
    assert "空字符" in error.message
    _refused(world, "setup.txt", EXE)


def test_too_large_is_refused(world, settings):
    settings.DOCUMENT_MAX_BYTES = len(PDF) - 1
    error = _refused(world, "大文件.pdf", PDF, code="file_too_large")
    assert "超过上限" in error.message
    settings.DOCUMENT_MAX_BYTES = len(PDF)
    assert document_upload(file=uploaded("刚好.pdf", PDF), actor=world.actor("purchaser")).pk


def test_empty_file_is_refused(world):
    error = _refused(world, "空白.pdf", b"", code="file_empty")
    assert "空" in error.message
    _refused(world, "空白.txt", b"", code="file_empty")


def test_refused_upload_leaves_nothing_behind(world, settings, media_root):
    settings.DOCUMENT_MAX_BYTES = 1024
    cases = [
        ("a.exe", EXE),
        ("a.pdf", PNG),
        ("a.pdf", b""),
        ("a.pdf", PDF + bytes(2048)),
        ("a.txt", b"\xff\xfe"),
    ]
    events = AuditEvent.objects.count()
    for name, content in cases:
        with pytest.raises(ValidationError):
            document_upload(file=uploaded(name, content), actor=world.actor("purchaser"))
    assert Document.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert stored_files(media_root) == []


def test_failure_after_storing_removes_the_file(world, media_root, monkeypatch):
    from caidan.documents import services

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        document_upload(file=uploaded("方案.pdf", PDF), actor=world.actor("purchaser"))
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []


def test_upload_requires_an_authenticated_actor(world, media_root):
    for actor in (None, Actor.anonymous(), Actor.system()):
        with pytest.raises(NotAuthenticated):
            document_upload(file=uploaded("方案.pdf", PDF), actor=actor)
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []


def test_file_name_is_cleaned(world):
    doc = document_upload(
        file=uploaded("报告.pdf", PDF),
        actor=world.actor("purchaser"),
    )
    assert doc.original_name == "报告.pdf"
    assert clean_file_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_file_name("C:\\Users\\张三\\方案.pdf") == "方案.pdf"
    assert clean_file_name("a\x00b\r\n.pdf") == "ab.pdf"
    long = clean_file_name("长" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": "长" * 501}, "description"),
        ({"target_type": "projects.proposal"}, "target_id"),
        ({"target_id": "1"}, "target_type"),
        ({"target_type": "Projects/Proposal", "target_id": "1"}, "target_type"),
    ],
)
def test_other_fields_are_checked(world, media_root, kwargs, field):
    with pytest.raises(ValidationError) as info:
        document_upload(file=uploaded("a.pdf", PDF), actor=world.actor("purchaser"), **kwargs)
    assert info.value.field == field
    assert stored_files(media_root) == []


def test_documents_attached_to_a_target_respect_access(world, upload, proposal_of):
    target = {"target_type": "projects.proposal", "target_id": proposal_of("purchaser")}
    public = upload("purchaser", "公告.pdf", is_public=True, **target)
    private = upload("purchaser", "内部.pdf", **target)
    other = proposal_of("purchaser", skip=1)
    upload("purchaser", "别处.pdf", target_type="projects.proposal", target_id=other)

    def names(actor):
        return [d.pk for d in document_list_for_target(actor=actor, **target)]

    assert names(world.actor("purchaser")) == [public.pk, private.pk]
    assert names(world.actor("admin")) == [public.pk, private.pk]
    assert names(world.actor("purchaser2")) == [public.pk]
    assert names(Actor.anonymous()) == [public.pk]


def test_human_size():
    assert human_size(512) == "512 字节"
    assert human_size(1536) == "1.5 KB"
    assert human_size(20 * 1024 * 1024) == "20 MB"
