"""The changes feed (``caidan/disclosure/feed.py``, ``GET /api/v1/ocds/changes``): every public
process once, by its latest public change; a cursor that neither skips nor repeats, also when
writers commit out of order (PostgreSQL, interleaved transactions)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from caidan.disclosure.models import FeedEntry
from caidan.procurement.models import Tender, TenderStatus
from caidan.procurement.services import tender_amend
from caidan.projects.inputs import ProposalInput
from caidan.projects.models import Proposal, ProposalStatus
from tests.procurement.factories import approved_proposal, published_tender, submit_bids

pytestmark = pytest.mark.django_db

URL = "/api/v1/ocds/changes"


def ocid(pk: int) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{pk}"


def read_all(client, cursor=None, limit=7):
    """Page until caught up; returns (ocids in order, the cursor to resume from)."""
    seen = []
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, query).json()
        seen += [item["ocid"] for item in body["items"]]
        assert body["next_cursor"], "the feed always gives a cursor to resume from"
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor


def amend(world, tender, summary="补充说明服务地点"):
    return tender_amend(
        tender=tender, summary=summary, affects_bids=False, actor=world.actor("purchaser")
    )


def test_every_approved_process_is_in_the_feed_once(world, client):
    approved = set(
        Proposal.objects.filter(status=ProposalStatus.APPROVED).values_list("pk", flat=True)
    )
    assert approved, "the demo has approved projects"
    seen, _ = read_all(client)
    assert len(seen) == len(set(seen))
    assert set(seen) == {ocid(pk) for pk in approved}


def test_a_public_change_moves_the_process_to_the_end_and_polling_resumes(world, client):
    tender = Tender.objects.filter(status=TenderStatus.PUBLISHED).order_by("pk").first()
    _, end = read_all(client)
    empty = client.get(URL, {"cursor": end}).json()
    assert empty["items"] == [] and empty["next_cursor"] == end and not empty["has_more"]

    amend(world, tender)
    body = client.get(URL, {"cursor": end}).json()
    assert [i["ocid"] for i in body["items"]] == [ocid(tender.proposal_id)]
    assert body["items"][0]["record"].endswith(f"/api/v1/ocds/records/{ocid(tender.proposal_id)}")
    entry = FeedEntry.objects.get(proposal_id=tender.proposal_id)
    assert entry.last_kind == "tender.amended" and entry.changes >= 2

    # ... and it is still there once, now last, for someone reading from the start
    seen, _ = read_all(client)
    assert seen[-1] == ocid(tender.proposal_id) and seen.count(seen[-1]) == 1


def test_non_public_events_do_not_move_a_process(world, client):
    tender = published_tender(world)
    _, end = read_all(client)
    submit_bids(world, tender, ["900000.00"])  # sealed: its arrival is not public news
    assert client.get(URL, {"cursor": end}).json()["items"] == []


def test_projects_not_approved_never_enter_the_feed(world, client):
    from caidan.projects.services import proposal_create, proposal_submit

    before = FeedEntry.objects.count()
    made = approved_proposal(world)
    year = made.year
    draft = proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title="草稿项目",
            catalog_item=made.catalog_item,
            budget="100000.00",
            funding=[{"source": "fiscal", "amount": "100000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "100", "unit": "人次"}],
        ),
    )
    proposal_submit(proposal=draft, actor=world.actor("purchaser"))
    assert not FeedEntry.objects.filter(proposal=draft).exists()
    assert FeedEntry.objects.count() == before + 1  # only the approved one made above


def test_positions_never_go_back_even_when_a_server_clock_does(world, client, monkeypatch):
    tenders = list(Tender.objects.filter(status=TenderStatus.PUBLISHED).order_by("pk")[:2])
    amend(world, tenders[0])
    newest = FeedEntry.objects.get(proposal_id=tenders[0].proposal_id).modified
    _, end = read_all(client)
    slow = newest - dt.timedelta(minutes=5)  # another server, five minutes behind
    monkeypatch.setattr("caidan.audit.services.timezone.now", lambda: slow)
    amend(world, tenders[1])
    monkeypatch.undo()
    moved = FeedEntry.objects.get(proposal_id=tenders[1].proposal_id)
    assert moved.modified > newest
    assert [i["ocid"] for i in client.get(URL, {"cursor": end}).json()["items"]] == [
        ocid(tenders[1].proposal_id)
    ]


def test_a_page_costs_the_same_queries_at_any_size(world, client, django_assert_max_num_queries):
    for _ in range(3):
        approved_proposal(world)
    with django_assert_max_num_queries(2):
        small = client.get(URL, {"limit": 2}).json()
    with django_assert_max_num_queries(2):
        large = client.get(URL, {"limit": 100}).json()
    assert len(small["items"]) == 2 and len(large["items"]) > 2


def test_a_tampered_cursor_is_a_clear_400(world, client):
    resp = client.get(URL, {"cursor": "bm90LWEtY3Vyc29y"})
    assert resp.status_code == 400 and "游标" in resp.json()["message"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_interleaved_commits_are_neither_skipped_nor_repeated(world, client):
    """A writes first and commits last; B starts while A is open. A reader polling in between
    must later see A's change and B's, each once, in commit order."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections and row locks")
    t_a, t_b = Tender.objects.filter(status=TenderStatus.PUBLISHED).order_by("pk")[:2]
    _, cursor = read_all(client)
    a_written, release, b_done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def writer_a():
        try:
            with transaction.atomic():
                amend(world, t_a, "A 的澄清")
                a_written.set()
                assert release.wait(20)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def writer_b():
        try:
            assert a_written.wait(20)
            with transaction.atomic():
                amend(world, t_b, "B 的澄清")
            b_done.set()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for t in threads:
        t.start()
    assert a_written.wait(20)
    time.sleep(0.5)  # B is now waiting to commit behind A
    body = client.get(URL, {"cursor": cursor}).json()
    assert body["items"] == [], "nothing uncommitted is visible, and nothing moved the cursor"
    assert not b_done.is_set(), "B cannot take a position while A holds the chain"
    cursor = body["next_cursor"]

    release.set()
    for t in threads:
        t.join(30)
    assert not errors, errors
    seen, _ = read_all(client, cursor=cursor)
    assert seen == [ocid(t_a.proposal_id), ocid(t_b.proposal_id)]
