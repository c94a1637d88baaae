"""The public portal (/open/), reading: what the public sees of notices and policies (never a
draft), the paginated list, the print stylesheet, and attachments public exactly when their
notice is.

Data is set up through the services (the demo jurisdiction is seeded once by the root
conftest).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from caidan.common.errors import Conflict, PermissionDenied
from caidan.disclosure import notices
from caidan.disclosure.inputs import NoticeWithdrawalInput

from .helpers import make_notice

# --- the public side ---------------------------------------------------------------------------


@pytest.mark.parametrize("user", [None, "purchaser", "auditor"])
def test_drafts_are_invisible_to_the_public(world, client, login, token_for, user):
    draft = make_notice(world, "draft", title="尚未发布的草稿公告")
    if user:
        login(user)
    assert client.get(f"/open/notices/{draft.pk}/").status_code == 404
    assert "尚未发布的草稿公告" not in client.get("/open/notices/").content.decode()
    headers = token_for(user) if user else {}
    assert client.get(f"/api/v1/notices/{draft.pk}", **headers).status_code == 404
    titles = [n["title"] for n in client.get("/api/v1/notices", **headers).json()["items"]]
    assert "尚未发布的草稿公告" not in titles


def test_the_admin_sees_a_draft_marked(world, login):
    draft = make_notice(world, "draft")
    client = login("admin")
    resp = client.get(f"/open/notices/{draft.pk}/")
    assert resp.status_code == 200
    assert "草稿：尚未发布" in resp.content.decode()


def test_withdrawn_notice_stays_at_its_url_marked(world, client):
    notice = make_notice(world, "withdrawn", title="已被撤回的通知")
    resp = client.get(f"/open/notices/{notice.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="withdrawn"' in html and "已撤回" in html
    assert "政策已废止，以新文件为准。" in html
    listing = client.get("/open/notices/").content.decode()
    assert "已被撤回的通知" in listing
    api = client.get(f"/api/v1/notices/{notice.pk}").json()
    assert api["status"] == "withdrawn" and api["withdraw_reason"] == "政策已废止，以新文件为准。"


def test_body_is_plain_text_escaped_with_paragraphs(world, client):
    notice = make_notice(
        world, "published", body='<script>alert("x")</script>第一段\n\n第二段<b>粗</b>'
    )
    html = client.get(f"/open/notices/{notice.pk}/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>粗</b>" not in html
    body = html.split('class="notice-body"', 1)[1]
    assert body.count("<p>") >= 2


def test_public_list_is_paginated_and_filtered(world, client, django_assert_max_num_queries):
    for i in range(23):
        make_notice(world, "published", title=f"分页测试公告{i:02d}", category="announcement")
    make_notice(world, "published", title="分页测试办事指南", category="guide")
    make_notice(world, "draft", title="分页测试草稿")
    with django_assert_max_num_queries(2):
        resp = client.get("/open/notices/?q=分页测试")
    page1 = resp.content.decode()
    titles1 = re.findall(r">(分页测试[^<]*)</a>", page1)
    assert len(titles1) == 20
    assert "分页测试草稿" not in page1
    assert "分页测试办事指南" in page1  # newest first
    cursor = re.search(r"cursor=([\w-]+)", page1).group(1)
    page2 = client.get(f"/open/notices/?q=分页测试&cursor={cursor}").content.decode()
    titles2 = re.findall(r">(分页测试[^<]*)</a>", page2)
    assert len(titles2) == 4 and not set(titles1) & set(titles2)
    assert 'data-testid="next-page"' not in page2
    guides = client.get("/open/notices/?category=guide&q=分页测试").content.decode()
    assert "分页测试办事指南" in guides and "分页测试公告00" not in guides
    api = client.get("/api/v1/notices?q=分页测试&limit=10").json()
    assert len(api["items"]) == 10 and api["next_cursor"]
    assert client.get("/open/notices/?cursor=not-a-cursor").status_code == 400


def test_print_stylesheet_hides_the_chrome(world, client):
    path = finders.find("caidan/site.css")
    css = Path(path).read_text(encoding="utf-8")
    print_rules = " ".join(re.findall(r"@media print\s*\{(.*?)\n\}", css, flags=re.S))
    for selector in (".topbar", ".foot", ".no-print", "button", ".actions"):
        assert selector in print_rules, selector
    notice = make_notice(world, "published")
    html = client.get(f"/open/notices/{notice.pk}/").content.decode()
    assert "caidan/site.css" in html
    assert 'class="actions no-print"' in html  # the print and editor buttons


# --- attachments ---------------------------------------------------------------------------------


def test_attachments_are_public_exactly_when_the_notice_is(world, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    notice = make_notice(world, "draft")
    document = notices.notice_attach(
        notice=notice,
        file=SimpleUploadedFile("实施细则.pdf", b"%PDF-1.4\n%x\n"),
        description="正式文本",
        actor=world.actor("admin"),
    )
    url = f"/open/notices/{notice.pk}/files/{document.pk}/"
    assert client.get(url).status_code == 404  # a draft's files are not public
    assert client.get(f"/documents/{document.pk}/download/").status_code != 200
    notices.notice_publish(notice=notice, actor=world.actor("admin"))
    resp = client.get(url)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content).startswith(b"%PDF-1.4")
    assert url in client.get(f"/open/notices/{notice.pk}/").content.decode()
    api = client.get(f"/api/v1/notices/{notice.pk}").json()
    assert api["attachments"][0]["url"] == url and api["attachments"][0]["name"] == "实施细则.pdf"
    other = make_notice(world, "published", title="另一则公告")
    assert client.get(f"/open/notices/{other.pk}/files/{document.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        notices.notice_attach(
            notice=notice,
            file=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"),
            actor=world.actor("purchaser"),
        )
    notices.notice_withdraw(
        notice=notice,
        actor=world.actor("admin"),
        data=NoticeWithdrawalInput.parse(reason="已废止。"),
    )
    assert client.get(url).status_code == 200  # withdrawn: still at its URL
    with pytest.raises(Conflict):
        notices.notice_attach(
            notice=notice,
            file=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"),
            actor=world.actor("admin"),
        )


def test_attach_through_the_editor(world, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    notice = make_notice(world, "draft")
    client = login("admin")
    resp = client.post(
        f"/open/notices/{notice.pk}/attach/",
        {"file": SimpleUploadedFile("申请表.txt", "申请表内容".encode()), "description": ""},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/open/notices/{notice.pk}/edit/"
    assert "申请表.txt" in client.get(resp["Location"]).content.decode()
    resp = client.post(
        f"/open/notices/{notice.pk}/attach/", {"file": SimpleUploadedFile("x.exe", b"MZ\x00")}
    )
    assert resp.status_code == 200 and "has-error" in resp.content.decode()
    login("purchaser")
    resp = client.post(
        f"/open/notices/{notice.pk}/attach/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")}
    )
    assert resp.status_code == 403


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/open/notices/99999999999999999999/", 404),
        ("/api/v1/notices/99999999999999999999", 404),
        ("/api/v1/notices?category=rumour", 400),
        ("/api/v1/notices?limit=1000", 400),
        ("/api/v1/notices?cursor=WyJJbmZpbml0eSJd", 400),
        ("/open/notices/?cursor=WyJJbmZpbml0eSIsMV0", 400),
        ("/open/notices/?category=rumour", 200),
    ],
)
def test_bad_input_is_4xx(world, client, path, expected):
    assert client.get(path).status_code == expected
