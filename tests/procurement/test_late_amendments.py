"""A late amendment (实施条例 §31: one that affects bids, less than ``late_amendment_days`` =
15 days before the deadline) postpones the deadline — the deadline's clock time on the first
working day at least 15 days after the amendment. A tender in lots has one deadline (and
opening) for itself and all its lots (docs/procurement.md, "Lots"): an amendment to ONE lot
that forces the postponement moves the tender's and every lot's deadline together, is
recorded on the tender too, tells whoever asked or bid on any lot, and is released in OCDS
with the tender's new period, as the single tender's amendment is.

Dates: the deadline is Thursday 30 September 2027, 10:00; 1–7 October is the National Day
holiday (as in test_tenders.py), 9–10 October a weekend. The 15-day line is 15 September,
10:00: an amendment the day before (16 days left) or exactly at the line leaves the deadline;
one a second after the line, or the day after it, postpones it past the holiday to Friday
8 October, 10:00."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.disclosure import ocds
from caidan.notifications.models import Notification
from caidan.procurement import selectors
from caidan.procurement.services import tender_amend, tender_publish, tender_update

from .factories import draft_tender, make_bidders, submit_bids
from .lots_helpers import lots_of, lotted_draft

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
DEADLINE = dt.datetime(2027, 9, 30, 10, 0, tzinfo=SH)
POSTPONED = dt.datetime(2027, 10, 8, 10, 0, tzinfo=SH)  # 1–7 Oct holiday: the next working day
LINE = DEADLINE - dt.timedelta(days=15)


@pytest.fixture
def golden_week(world):
    from caidan.jurisdiction.services import calendar_day_set

    for day in range(1, 8):
        calendar_day_set(
            date=dt.date(2027, 10, day), kind="holiday", name="国庆节", actor=world.actor("admin")
        )


def _published(world, kind):
    """(the tender amended, the tender in lots or None, the other lot or None)."""
    purchaser = world.actor("purchaser")
    tender = draft_tender(world) if kind == "single" else lotted_draft(world)
    tender_update(tender=tender, changes={"deadline": DEADLINE}, actor=purchaser)
    tender_publish(tender=tender, actor=purchaser, now=DEADLINE - dt.timedelta(days=40))
    tender.refresh_from_db()
    if kind == "single":
        return tender, None, None
    one, two = lots_of(tender)
    return one, tender, two


def _bid(world, tender, bidder) -> str:
    """One bid (a single bidder replaces its own) at the travelled clock."""
    from caidan.common.errors import Conflict

    try:
        submit_bids(world, tender, ["300000.00"], bidders=[bidder])
    except Conflict as exc:
        return str(exc.code)
    return "accepted"


@pytest.mark.parametrize("kind", ["single", "lot"])
@pytest.mark.parametrize(
    "at, expected",
    [
        (LINE - dt.timedelta(days=1), DEADLINE),  # the day before the line: 16 days left
        (LINE, DEADLINE),  # exactly 15 days left
        (LINE + dt.timedelta(seconds=1), POSTPONED),  # the same day, a second late
        (LINE + dt.timedelta(days=1), POSTPONED),  # the day after: 14 days left
    ],
    ids=["day-before", "at-the-line", "a-second-after", "day-after"],
)
def test_a_late_amendment_moves_one_deadline_for_the_tender_and_all_its_lots(
    world, golden_week, kind, at, expected
):
    amended, parent, other = _published(world, kind)
    amendment = tender_amend(
        tender=amended,
        summary="服务人数由 200 人调整为 240 人。",
        affects_bids=True,
        actor=world.actor("purchaser"),
        now=at,
    )
    assert (amendment.old_deadline, amendment.new_deadline) == (DEADLINE, expected)
    moved = [amended, parent, other] if parent else [amended]
    for t in moved:
        t.refresh_from_db()
    assert {t.deadline for t in moved} == {expected}  # one deadline, the opening with it
    assert expected - at >= dt.timedelta(days=15)


def test_a_lots_postponement_lets_no_lot_take_bids_the_tender_says_are_closed(
    world, golden_week, client
):
    """Postponed by lot 1's amendment: at the old deadline lot 2 still takes bids and the
    tender's page says so; at the new one both lots and the tender close together. Lot 2's
    bidder is told, the tender's history records the move, and OCDS releases the tender's
    new period with the amendment."""
    amended, parent, other = _published(world, "lot")
    (bidder,) = make_bidders(world, 1)
    with time_machine.travel(LINE, tick=False):
        submit_bids(world, other, ["300000.00"], bidders=[bidder])
    tender_amend(
        tender=amended,
        summary="第1包服务人数由 200 人调整为 240 人。",
        actor=world.actor("purchaser"),
        now=LINE + dt.timedelta(days=1),
    )
    for t in (amended, parent, other):
        t.refresh_from_db()
    late = make_bidders(world, 2)
    for moment, open_ in [
        (DEADLINE, True),
        (POSTPONED - dt.timedelta(seconds=1), True),
        (POSTPONED, False),
    ]:
        with time_machine.travel(moment, tick=False):
            now = timezone.now()
            assert {t.phase_at(now).bidding_open for t in (amended, parent, other)} == {open_}
            for lot, who in zip((amended, other), late, strict=True):
                assert _bid(world, lot, who) == ("accepted" if open_ else "deadline_passed")
    told = Notification.objects.filter(recipient=bidder.user, kind="tender.amended")
    assert any("2027-10-08 10:00" in n.body and "第 1 包" in n.body for n in told)
    history = AuditEvent.objects.filter(
        kind="tender.amended", target_type="procurement.tender", target_id=str(parent.pk)
    )
    (event,) = history
    assert dt.datetime.fromisoformat(event.old["deadline"]) == DEADLINE
    assert dt.datetime.fromisoformat(event.new["deadline"]) == POSTPONED
    assert event.new["lot"] == 1

    releases = ocds.releases_for(parent.proposal)
    (release,) = [r for r in releases if r["tag"] == ["tenderAmendment"]]
    assert release["tender"]["id"] == parent.reference
    assert release["tender"]["tenderPeriod"]["endDate"] == ocds.when(POSTPONED)
    (listed,) = release["tender"]["amendments"]
    assert "全部分包" in listed["rationale"] and ocds.when(POSTPONED) in listed["rationale"]
    announced = next(r for r in releases if r["tag"] == ["tender"] and "lots" not in r["tender"])
    assert announced["tender"]["tenderPeriod"]["endDate"] == ocds.when(DEADLINE)
    compiled = ocds.record_for(parent.proposal)["compiledRelease"]["tender"]
    assert compiled["tenderPeriod"]["endDate"] == ocds.when(POSTPONED)
    if ocds.schema_available():
        assert ocds.validation_errors(ocds.release_package(releases), "release") == []


# --- who is told, what is recorded -------------------------------------------------------------------


@pytest.mark.parametrize("amend", ["lot", "tender"])
def test_a_late_amendment_is_told_once_to_each_and_recorded_on_each_tender_moved(
    world, golden_week, amend
):
    """Lot 1's bidder, lot 2's bidder, and one that asked on lot 1 and bid on lot 2: each is
    told once — the amended lot's people by the amendment's notice, which says the deadline
    moved; the others by the postponement's (before, lot 1's people got both). The tender
    and each lot whose deadline moved has its own ``tender.amended`` record (old and new
    deadline, the amendment, the lot whose amendment forced it)."""
    from caidan.procurement.services import clarification_ask

    one, parent, two = _published(world, "lot")
    on_one, on_two, on_both = make_bidders(world, 3)
    with time_machine.travel(LINE, tick=False):
        submit_bids(world, one, ["300000.00"], bidders=[on_one])
        submit_bids(world, two, ["300000.00"], bidders=[on_two])
        submit_bids(world, two, ["300000.00"], bidders=[on_both])
    clarification_ask(
        tender=one, organization=on_both.org, question="人数？", actor=on_both.actor, now=LINE
    )
    amended = one if amend == "lot" else parent
    amendment = tender_amend(
        tender=amended,
        summary="服务人数由 200 人调整为 240 人。",
        actor=world.actor("purchaser"),
        now=LINE + dt.timedelta(days=1),
    )
    assert amendment.new_deadline == POSTPONED

    for bidder in (on_one, on_two, on_both):
        (notice,) = Notification.objects.filter(recipient=bidder.user, kind="tender.amended")
        assert "2027-09-30 10:00 顺延至 2027-10-08 10:00" in notice.body
        assert "全部分包" in notice.body
        if amend == "lot" and bidder is on_two:
            assert notice.title.startswith("投标截止时间顺延") and "第 1 包" in notice.body
        else:
            assert notice.title.startswith("澄清修改") and amendment.summary in notice.body

    for t in (one, parent, two):
        (event,) = AuditEvent.objects.filter(
            kind="tender.amended", target_type="procurement.tender", target_id=str(t.pk)
        )
        assert dt.datetime.fromisoformat(event.old["deadline"]) == DEADLINE
        assert dt.datetime.fromisoformat(event.new["deadline"]) == POSTPONED
        assert event.new["amendment"] == amendment.pk
        if t.pk != amended.pk:
            assert event.new["lot"] == amended.lot_number


# --- where a lot's amendment is published ---------------------------------------------------------


def _rows(html: str) -> list[str]:
    """The 澄清修改公告 rows of a tender's page, as text."""
    import re

    rows = re.findall(r'<tr data-testid="amendment">(.*?)</tr>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", r) for r in rows]


def test_a_lots_amendment_is_published_on_the_tenders_page_and_the_lots_it_moved(
    world, golden_week, client, django_assert_num_queries
):
    """实施条例 §31: the clarification or change is published where the notice is. A tender
    in lots is one notice with one deadline: its page (and API) lists its own and every
    lot's amendments, each lot's naming the lot; lot 2's page lists the tender's and the
    lot-1 amendment that moved lot 2's deadline too, not lot 1's amendment that changed lot 1
    only; lot 1's page lists its own. One query however many lots."""
    from .api_helpers import get
    from .view_helpers import _html

    one, parent, two = _published(world, "lot")
    purchaser = world.actor("purchaser")
    only_one = tender_amend(
        tender=one,
        summary="第1包联系电话更正。",
        affects_bids=False,
        actor=purchaser,
        now=LINE - dt.timedelta(days=5),
    )
    whole = tender_amend(
        tender=parent,
        summary="开标地点更正。",
        affects_bids=False,
        actor=purchaser,
        now=LINE - dt.timedelta(days=4),
    )
    moving = tender_amend(
        tender=one,
        summary="服务人数由 200 人调整为 240 人。",
        actor=purchaser,
        now=LINE + dt.timedelta(days=1),
    )
    assert (only_one.new_deadline, moving.new_deadline) == (DEADLINE, POSTPONED)

    expected = {
        parent: [only_one, whole, moving],
        one: [only_one, whole, moving],
        two: [whole, moving],
    }
    for t, amendments in expected.items():
        with django_assert_num_queries(1):
            listed = selectors.amendments_of(t)
        assert [a.pk for a in listed] == [a.pk for a in amendments], t.lot_number

        rows = _rows(_html(client.get(f"/procurement/tenders/{t.pk}/")))  # anonymous
        assert len(rows) == len(amendments)
        for row, a in zip(rows, amendments, strict=True):
            assert a.summary in row
            assert row.strip().split("：")[0].endswith("第 1 包") == (a.tender_id == one.pk)
        assert "2027-09-30 10:00 → 2027-10-08 10:00" in rows[-1]

        api = get(client, f"/tenders/{t.pk}").json()["amendments"]
        assert [(a["id"], a["tender_id"], a["lot_number"]) for a in api] == [
            (a.pk, a.tender_id, 1 if a.tender_id == one.pk else None) for a in amendments
        ]
    # the lot's page links a lot's amendment to the lot
    assert f'href="/procurement/tenders/{one.pk}/"' in _html(
        client.get(f"/procurement/tenders/{two.pk}/")
    )


# --- an amendment racing the opening ---------------------------------------------------------------


def _amend(world, tender, now, *, document=False):
    """Lot 1's late amendment: written, or a document added (published as one)."""
    if document:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from caidan.procurement.services.tenders import tender_document_add

        return tender_document_add(
            tender=tender,
            file=SimpleUploadedFile("补充说明.pdf", b"%PDF-1.4\n%x\n"),
            actor=world.actor("purchaser"),
            now=now,
        )
    return tender_amend(
        tender=tender,
        summary="服务人数由 200 人调整为 240 人。",
        actor=world.actor("purchaser"),
        now=now,
    )


@pytest.mark.parametrize("amend", ["lot", "tender", "document"])
def test_no_amendment_once_the_tick_has_opened_a_lot(world, golden_week, amend):
    """The tick opened lot 2 at the deadline; an amendment dated a moment before it (the
    purchaser pressed the button at 09:59:59) would move the deadline of a lot already
    opened. Refused (409 ``lot_opened``, naming the lot) and nothing written: no amendment,
    no document, no deadline moved, no audit record, nobody told."""
    from caidan.common.errors import Conflict
    from caidan.documents.models import Document
    from caidan.procurement.models import Amendment
    from caidan.procurement.services.bids import tender_open

    one, parent, two = _published(world, "lot")
    assert tender_open(tender=two, now=DEADLINE)
    two.refresh_from_db()
    assert two.status != "published"
    events, told = AuditEvent.objects.count(), Notification.objects.count()
    documents = Document.objects.count()
    with pytest.raises(Conflict) as refused:
        _amend(
            world,
            parent if amend == "tender" else one,
            DEADLINE - dt.timedelta(seconds=1),
            document=amend == "document",
        )
    assert refused.value.code == "lot_opened" and "第 2 包" in str(refused.value)
    assert not Amendment.objects.exists() and Document.objects.count() == documents
    for t in (one, parent, two):
        t.refresh_from_db()
        assert t.deadline == DEADLINE
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, told)


def test_a_cancelled_lot_is_neither_moved_nor_in_the_way(world, golden_week):
    from caidan.procurement.services import tender_cancel

    one, parent, two = _published(world, "lot")
    tender_cancel(
        tender=two,
        reason="需求取消",
        actor=world.actor("purchaser"),
        now=LINE - dt.timedelta(days=2),
    )
    tender_amend(
        tender=one,
        summary="服务人数由 200 人调整为 240 人。",
        actor=world.actor("purchaser"),
        now=LINE + dt.timedelta(days=1),
    )
    for t in (one, parent, two):
        t.refresh_from_db()
    assert (one.deadline, parent.deadline, two.deadline) == (POSTPONED, POSTPONED, DEADLINE)
    assert two.status == "cancelled"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("document", [False, True], ids=["amendment", "document"])
def test_an_amendment_racing_the_tick_waits_for_the_opening_and_is_refused(
    world, golden_week, document
):
    """PostgreSQL, two connections: the tick has locked and opened lot 2 and not yet
    committed; lot 1's amendment (or a document added to lot 1), dated a second before the
    deadline, waits for lot 2's lock (it locks every lot before writing) and, once the
    opening commits, is refused. Before the fix it read lot 2 unlocked as still published
    and wrote the postponed deadline onto it."""
    import threading

    from django.db import connection, connections, transaction

    from caidan.common.errors import Conflict
    from caidan.procurement.models import Amendment
    from caidan.procurement.services.bids import tender_open

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    one, parent, two = _published(world, "lot")
    opened, commit = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def tick():
        try:
            with transaction.atomic():
                outcome["tick"] = str(tender_open(tender=two, now=DEADLINE))
                opened.set()
                commit.wait(20)
        finally:
            opened.set()
            connections.close_all()

    def amend():
        try:
            opened.wait(20)
            _amend(world, one, DEADLINE - dt.timedelta(seconds=1), document=document)
            outcome["amend"] = "published"
        except Conflict as exc:
            outcome["amend"] = str(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick), threading.Thread(target=amend)]
    for th in threads:
        th.start()
    threads[1].join(1.5)
    waited = threads[1].is_alive()  # blocked on lot 2 while the opening is uncommitted
    commit.set()
    for th in threads:
        th.join(30)
    assert waited and outcome == {"tick": "True", "amend": "lot_opened"}
    two.refresh_from_db()
    assert two.status != "published" and two.deadline == DEADLINE
    assert not Amendment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_document_added_while_the_tender_is_being_published_is_an_amendment(world):
    """PostgreSQL, two connections: the purchaser adds a document to the draft while the
    publication (not yet committed) is under way. The addition checks the status on the
    locked row, so it waits and, the tender being published, publishes the document with an
    amendment. Before, it read the draft unlocked and attached the file silently to what was
    by then a published tender — a change without a 澄清修改公告."""
    import threading

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, connections, transaction

    from caidan.procurement.models import Amendment
    from caidan.procurement.services.tenders import tender_document_add

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    purchaser = world.actor("purchaser")
    tender = draft_tender(world)
    tender_update(tender=tender, changes={"deadline": DEADLINE}, actor=purchaser)
    publishing, commit = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def publish():
        try:
            with transaction.atomic():
                tender_publish(tender=tender, actor=purchaser, now=DEADLINE - dt.timedelta(days=40))
                publishing.set()
                commit.wait(20)
            outcome["publish"] = "done"
        finally:
            publishing.set()
            connections.close_all()

    def add():
        try:
            publishing.wait(20)
            tender_document_add(
                tender=tender,
                file=SimpleUploadedFile("补充说明.pdf", b"%PDF-1.4\n%x\n"),
                actor=purchaser,
                now=DEADLINE - dt.timedelta(days=30),
            )
            outcome["add"] = "done"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish), threading.Thread(target=add)]
    for th in threads:
        th.start()
    threads[1].join(1.5)
    waited = threads[1].is_alive()
    commit.set()
    for th in threads:
        th.join(30)
    assert waited and outcome == {"publish": "done", "add": "done"}
    (amendment,) = Amendment.objects.filter(tender=tender)
    assert "补充说明.pdf" in amendment.summary
