"""Redaction over everything the public can reach (issue 8 acceptance): an anonymous visitor
crawls every public page and download linked from the portal — HTML, JSON, CSV, Excel — and
none holds a phone number, an ID number, a contact person or legal representative, nor
anything of a sealed bid before its tender's opening."""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.disclosure.test_ocds import ID_NUMBER, PHONE, full_lifecycle, sealed_tender

pytestmark = pytest.mark.django_db

START = [
    "/",
    "/open/",
    "/open/data/",
    "/open/notices/",
    "/open/search/?q=服务",
    "/stats/",
    "/stats/flags/",
    "/catalog/",
    "/orgs/",
    "/orgs/directory/",
    "/projects/",
    "/procurement/",
    "/contracts/",
    "/evaluations/",
    "/api/v1/ocds/releases?limit=100",
    "/api/v1/ocds/changes?limit=100",
]
# Not public content: the login and language forms, the admin, the API's own docs.
SKIP = re.compile(r"^/(login|logout|i18n|django-admin|accounts|me|dashboard|api/v1/docs)")
MAX_PAGES = 700
SEALED_PRICES = ("812345.67", "923456.78", "934567.89")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(urldefrag(href)[0])


def _text(resp) -> str:
    kind = resp.get("Content-Type", "")
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind or "zip" in kind or "gzip" in kind or "octet-stream" in kind:
        return ""  # binary: the PDF redaction is tested in tests/contracts
    return body.decode("utf-8-sig", errors="replace")


def _personal_values():
    from caidan.accounts.models import User
    from caidan.orgs.models import Organization

    values = set()
    for phone in User.objects.exclude(phone="").values_list("phone", flat=True):
        values.add(phone)
    for row in Organization.objects.values_list(
        "contact_name", "contact_phone", "legal_representative"
    ):
        values.update(v for v in row if v and len(v) >= 2)
    # 刘博 the legal representative of 刘博士心理阳光工作室 is part of a public name
    names = list(Organization.objects.values_list("name", flat=True))
    return {v for v in values if not any(v in name for name in names)}


def test_nothing_personal_or_sealed_on_any_public_page_or_download(world, client):
    from caidan.orgs.models import Organization

    full_lifecycle(world)
    tender = sealed_tender(world)  # three sealed bids at the prices above, not yet opened
    org = Organization.objects.order_by("pk").first()
    org.contact_name, org.contact_phone, org.legal_representative = (
        "联系人甲乙",
        "13912345678",
        "法人丙丁",
    )
    org.save()
    personal = _personal_values()
    assert {"13912345678", "联系人甲乙", "法人丙丁"} <= personal

    seen: set[str] = set()
    queue = deque(START)
    leaks = []
    kinds = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or SKIP.match(path):
            continue
        seen.add(url)
        resp = client.get(url)
        if resp.status_code != 200:
            assert resp.status_code in (302, 403, 404), (url, resp.status_code)
            continue
        kind = resp.get("Content-Type", "").split(";")[0]
        kinds.add(kind)
        text = _text(resp)
        for pattern in (PHONE, ID_NUMBER):
            if match := pattern.search(text):
                leaks.append((url, match.group(0)))
        for value in personal:
            if value in text:
                leaks.append((url, value))
        if tender.opened_at is None:
            for price in SEALED_PRICES:
                for shown in (price, f"{float(price):,.2f}"):
                    if shown in text:
                        leaks.append((url, f"sealed price {shown}"))
        if kind == "text/html":
            parser = _Links()
            parser.feed(text)
            queue.extend(link for link in parser.links if link not in seen)
    assert not leaks, leaks[:20]
    assert len(seen) > 60, f"the crawl reached only {len(seen)} pages"
    assert {"text/html", "application/json"} <= kinds, kinds
