"""Fixtures for the documents tests: a throw-away MEDIA_ROOT and sample files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(32) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
TXT = "社区养老服务需求调查\n第二行\n".encode()
CSV = "项目,金额（元）\n居家养老,120000.00\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)

SAMPLES = {
    "pdf": PDF,
    "docx": DOCX,
    "xlsx": XLSX,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "txt": TXT,
    "csv": CSV,
}


def uploaded(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary directory, never into var/media."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def upload(world):
    """``upload("purchaser", "方案.pdf", PDF, is_public=True)`` stores a document through
    the real service and returns it."""
    from caidan.documents.services import document_upload

    def _upload(username: str, name: str = "实施方案.pdf", content: bytes = PDF, **kwargs):
        return document_upload(file=uploaded(name, content), actor=world.actor(username), **kwargs)

    return _upload


@pytest.fixture
def proposal_of(world):
    """``proposal_of("purchaser")``: the id (a string, as ``target_id``) of a demo proposal
    that user owns (may edit), to attach documents to."""
    from caidan.projects.models import Proposal
    from caidan.projects.permissions import owns_proposal

    def _find(username: str, *, skip: int = 0) -> str:
        actor = world.actor(username)
        owned = [p for p in Proposal.objects.order_by("id") if owns_proposal(actor, p)]
        return str(owned[skip].pk)

    return _find
