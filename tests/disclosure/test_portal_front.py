"""The portal's front page (/open/) shows the latest public records — notices, tenders,
award notices, signed contracts — a few each, linked and dated, newest first, never a
draft; in a number of queries that does not grow with the data (issue 20)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caidan.disclosure.front import LATEST

pytestmark = pytest.mark.django_db

URL = "/open/"


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</section>', html, re.S)
    assert match, testid
    return match.group(1)


def _links(section: str) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', section)


def test_front_page_lists_the_latest_public_records_linked_and_dated(world, client):
    from caidan.contracts.models import Contract
    from caidan.demo.midyear import TITLES, seed_midyear
    from caidan.procurement.models import Award, Tender

    seed_midyear()
    resp = client.get(URL)
    assert resp.status_code == 200
    html = resp.content.decode()

    tenders = _links(_section(html, "latest-tenders"))
    expected = list(Tender.objects.public().order_by("-id")[:LATEST])
    assert [title for _, title in tenders] == [t.title for t in expected]
    assert tenders[0] == (f"/procurement/tenders/{expected[0].pk}/", expected[0].title)

    awards = _section(html, "latest-awards")
    newest = Award.objects.public().order_by("-notice_published_at", "-id")
    assert [t for _, t in _links(awards)] == [a.tender.title for a in newest[:LATEST]]
    first = newest.first()
    assert f"/procurement/tenders/{first.tender_id}/notice/" in awards
    assert first.bid.organization.name in awards
    assert f"{first.notice_published_at.astimezone():%Y-%m-%d}" in awards  # dated
    assert "¥" in awards  # with the price

    contracts = _section(html, "latest-contracts")
    signed = Contract.objects.public().order_by("-id")
    assert [t for _, t in _links(contracts)] == [c.title for c in signed[:LATEST]]
    assert signed.count() >= 3
    draft = Contract.objects.get(proposal__title=TITLES["contract_draft"])
    assert draft.status == "draft" and draft.title not in contracts  # never a draft

    assert "latest-notices" in html
    # the links work for a visitor
    for url, _title in [tenders[0], _links(awards)[0], _links(contracts)[0]]:
        assert client.get(url).status_code == 200, url


def test_at_most_a_few_of_each_kind(world, client):
    from caidan.disclosure.front import portal_latest
    from tests.procurement.factories import published_tender

    for _ in range(LATEST + 2):
        published_tender(world)
    latest = portal_latest()
    assert len(latest["tenders"]) == LATEST
    assert len(_links(_section(client.get(URL).content.decode(), "latest-tenders"))) == LATEST


def test_empty_kinds_say_so(world, client):
    html = client.get(URL).content.decode()
    assert "暂无中标公告" in _section(html, "latest-awards")
    assert "暂无已签合同" in _section(html, "latest-contracts")


def test_the_query_count_does_not_grow_with_the_data(world, client):
    from caidan.demo.midyear import seed_midyear

    client.get(URL)  # warm the caches (session, settings)
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    seed_midyear()
    client.get(URL)
    with CaptureQueriesContext(connection) as after:
        assert client.get(URL).status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries) <= 8
