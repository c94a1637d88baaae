"""Sealed bids: sealing against a database reader, receipts, deadline by the server clock,
eligibility at submission and at opening, and opening by the idempotent tick."""

import datetime as dt
import random
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, ValidationError
from caidan.common.tick import run_tick
from caidan.procurement import sealing
from caidan.procurement.inputs import BidContentInput
from caidan.procurement.models import Bid, Tender
from caidan.procurement.services import (
    bid_submit,
    bid_withdraw,
    receipt_verify,
    tender_open,
)

from .factories import (
    make_bidder,
    make_bidders,
    open_now,
    past_deadline_tender,
    published_tender,
    submit_bids,
)

pytestmark = pytest.mark.django_db

PRICE = "876543.21"


def content(price=PRICE, plan="由 5 名持证社工按独门七步法上门"):
    return {"price": price, "plan": plan, "team": "社工 5 名"}


def raw_rows(table: str) -> str:
    """Every column of every row, as text — what someone holding a dump would see."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
        rows = cur.fetchall()
    out = []
    for row in rows:
        for value in row:
            if isinstance(value, memoryview | bytes):
                out.append(bytes(value).decode("latin-1"))
                out.append(bytes(value).hex())
            else:
                out.append(str(value))
    return "\n".join(out)


def test_sealed_content_is_absent_from_a_raw_database_read_before_opening(world):
    t = published_tender(world)
    bidder = make_bidder(world)
    bid = bid_submit(
        tender=t, organization=bidder.org, data=BidContentInput.parse(content()), actor=bidder.actor
    )
    assert bid.price is None and bid.content is None
    for table in (
        "procurement_bid",
        "procurement_tender",
        "audit_auditevent",
        "notifications_notification",
    ):
        text = raw_rows(table)
        assert PRICE not in text and "876543" not in text, table
        assert "独门七步法" not in text, table
    # And the data key is stored only wrapped: the raw column is not a usable AES key.
    raw_key = bytes(Tender.objects.get(pk=t.pk).wrapped_key)
    assert len(raw_key) == 12 + 32 + 16  # nonce + encrypted key + tag


def test_nobody_can_unwrap_before_the_deadline(world):
    t = published_tender(world)
    with pytest.raises(Conflict) as exc:
        sealing.open_key(t, now=t.deadline - dt.timedelta(seconds=1))
    assert exc.value.code == "sealed"
    assert sealing.open_key(t, now=t.deadline)  # at the deadline it opens


def test_a_database_without_the_environment_key_cannot_open_bids(world, settings):
    t = published_tender(world)
    bidder = make_bidder(world)
    bid_submit(
        tender=t, organization=bidder.org, data=BidContentInput.parse(content()), actor=bidder.actor
    )
    settings.BID_SEALING_KEYS = f"other:{sealing.new_sealing_key()}"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        sealing.open_key(t, now=t.deadline)
    # A key with the same id but different bytes fails authentication.
    settings.BID_SEALING_KEYS = f"{t.key_id}:{sealing.new_sealing_key()}"
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        sealing.open_key(t, now=t.deadline)


def test_key_rotation_keeps_old_tenders_openable(world, settings):
    old = settings.BID_SEALING_KEYS
    t = published_tender(world)
    settings.BID_SEALING_KEYS = f"k2:{sealing.new_sealing_key()},{old}"
    assert sealing.open_key(t, now=t.deadline)
    t2 = published_tender(world)
    assert t2.key_id == "k2"


def test_receipt_is_audited_and_verifies_the_opened_bid(world):
    t = published_tender(world)
    bidders, bids = submit_bids(world, t, ["800000.00", "900000.00", PRICE])
    receipt = bids[2].receipt
    assert receipt.split(":")[0] in ("sm3", "sha256") and len(receipt.split(":")[1]) == 64
    event = AuditEvent.objects.get(kind="bid.submitted", new__receipt=receipt)
    assert event.actor_id == bidders[2].user.pk
    t = open_now(t)
    opened = Bid.objects.get(receipt=receipt)
    assert str(opened.price) == PRICE and opened.status == "valid"
    assert receipt_verify(opened)
    assert AuditEvent.objects.filter(kind="bid.opened", target_id=str(t.pk)).count() == 1


def test_a_tampered_sealed_blob_fails_its_receipt_and_is_invalid(world):
    t = published_tender(world)
    _, bids = submit_bids(world, t, ["800000.00", "900000.00", "950000.00", PRICE])
    victim = bids[3]
    blob = bytearray(bytes(Bid.objects.get(pk=victim.pk).sealed))
    blob[0] ^= 0xFF
    Bid.objects.filter(pk=victim.pk).update(sealed=bytes(blob))
    assert not receipt_verify(Bid.objects.get(pk=victim.pk))
    open_now(t)
    victim.refresh_from_db()
    assert victim.status == "invalid"
    assert "回执" in victim.invalid_reasons[0]


def test_resubmission_replaces_and_withdrawal_removes(world):
    t = published_tender(world)
    bidder = make_bidder(world)
    first = bid_submit(
        tender=t,
        organization=bidder.org,
        data=BidContentInput.parse(content("900000.00")),
        actor=bidder.actor,
    )
    second = bid_submit(
        tender=t,
        organization=bidder.org,
        data=BidContentInput.parse(content("850000.00")),
        actor=bidder.actor,
    )
    first.refresh_from_db()
    assert first.status == "replaced" and second.replaces == first
    assert first.receipt != second.receipt
    other = make_bidder(world)
    gone = bid_submit(
        tender=t, organization=other.org, data=BidContentInput.parse(content()), actor=other.actor
    )
    bid_withdraw(bid=gone, actor=other.actor)
    with pytest.raises(Conflict):
        bid_withdraw(bid=gone, actor=other.actor)
    submit_bids(world, t, ["700000.00", "750000.00"])
    open_now(t)
    statuses = dict(Bid.objects.filter(tender=t).values_list("pk", "status"))
    assert statuses[first.pk] == "replaced" and statuses[gone.pk] == "withdrawn"
    assert Bid.objects.get(pk=second.pk).price is not None
    assert Bid.objects.get(pk=first.pk).price is None  # a replaced bid is never opened


def test_another_organizations_officer_cannot_bid_for_it(world):
    from caidan.common.errors import PermissionDenied

    t = published_tender(world)
    a, b = make_bidders(world, 2)
    with pytest.raises(PermissionDenied):
        bid_submit(
            tender=t, organization=a.org, data=BidContentInput.parse(content()), actor=b.actor
        )


def test_late_bid_refused_with_the_server_time(world):
    t = past_deadline_tender(world)
    bidder = make_bidder(world)
    with pytest.raises(Conflict) as exc:
        bid_submit(
            tender=t,
            organization=bidder.org,
            data=BidContentInput.parse(content()),
            actor=bidder.actor,
        )
    assert exc.value.code == "deadline_passed"
    assert "服务器时间" in exc.value.message
    server = dt.datetime.fromisoformat(exc.value.detail["server_time"])
    assert abs((server - timezone.now()).total_seconds()) < 60
    assert not Bid.objects.filter(tender=t).exists()


def test_bad_bid_content_names_the_field(world):
    t = published_tender(world)
    bidder = make_bidder(world)
    with pytest.raises(ValidationError) as exc:
        bid_submit(
            tender=t,
            organization=bidder.org,
            data=BidContentInput.parse({"price": 800000.5, "plan": "x"}),
            actor=bidder.actor,
        )
    assert exc.value.field == "price"
    with pytest.raises(ValidationError) as exc:
        bid_submit(
            tender=t,
            organization=bidder.org,
            data=BidContentInput.parse({"price": "800000", "plan": ""}),
            actor=bidder.actor,
        )
    assert exc.value.field == "plan"


def test_ineligible_provider_refused_at_submission(world):
    from caidan.orgs.services.credit import provider_bar_create as bar_create

    t = published_tender(world, grade_policy="required")
    ungraded = make_bidder(world, grade=None)
    with pytest.raises(ValidationError) as exc:
        bid_submit(
            tender=t,
            organization=ungraded.org,
            data=BidContentInput.parse(content()),
            actor=ungraded.actor,
        )
    assert exc.value.code == "ineligible" and "3A" in exc.value.message
    barred = make_bidder(world)
    bar_create(
        organization=barred.org,
        reason="上年度绩效评价为差",
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        ends_on=timezone.localdate() + dt.timedelta(days=700),
        actor=world.actor("registrar"),
    )
    with pytest.raises(ValidationError) as exc:
        bid_submit(
            tender=t,
            organization=barred.org,
            data=BidContentInput.parse(content()),
            actor=barred.actor,
        )
    assert "负面清单" in exc.value.message


def test_eligibility_is_checked_again_at_opening(world):
    from caidan.orgs.services.credit import provider_bar_create as bar_create

    t = published_tender(world)
    bidders, bids = submit_bids(world, t, ["800000.00", "850000.00", "900000.00", "950000.00"])
    bar_create(
        organization=bidders[0].org,
        reason="严重违约",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=700),
        actor=world.actor("registrar"),
    )
    open_now(t)
    bids[0].refresh_from_db()
    assert bids[0].status == "invalid" and any("负面清单" in r for r in bids[0].invalid_reasons)
    assert Bid.objects.filter(tender=t, status="valid").count() == 3


def test_same_legal_representative_invalidates_both(world):
    t = published_tender(world)
    twins = [make_bidder(world, rep="张同一"), make_bidder(world, rep="张同一")]
    _, bids = submit_bids(world, t, ["800000.00", "810000.00"], bidders=twins)
    submit_bids(world, t, ["820000.00", "830000.00", "840000.00"])
    open_now(t)
    for b in bids:
        b.refresh_from_db()
        assert b.status == "invalid" and "实施条例 §18" in b.invalid_reasons[0]


def test_the_projects_designer_may_not_bid(world):
    designer = make_bidder(world)
    t = published_tender(world, designer_organization=designer.org)
    with pytest.raises(ValidationError) as exc:
        bid_submit(
            tender=t,
            organization=designer.org,
            data=BidContentInput.parse(content()),
            actor=designer.actor,
        )
    assert "§18" in exc.value.message


def test_only_the_invited_provider_answers_a_single_source_tender(world):
    invited, stranger = make_bidders(world, 2)
    t = published_tender(
        world,
        method="single_source",
        invited_organization=invited.org,
        justification="唯一具备专业资质的机构，且需保持服务连续性。",
    )
    with pytest.raises(ValidationError):
        bid_submit(
            tender=t,
            organization=stranger.org,
            data=BidContentInput.parse(content()),
            actor=stranger.actor,
        )
    bid_submit(
        tender=t,
        organization=invited.org,
        data=BidContentInput.parse(content("990000.00")),
        actor=invited.actor,
    )
    t = open_now(t)
    assert t.status == "evaluated"
    assert Bid.objects.get(tender=t).rank == 1


def test_post_purchase_bids_are_per_post_prices(world):
    t = published_tender(
        world,
        method="post_purchase",
        posts=10,
        post_requirements="持证社工",
        post_price_cap="90000.00",
    )
    _, bids = submit_bids(world, t, ["80000.00", "85000.00", "90000.00", "95000.00"])
    open_now(t)
    prices = {b.pk: (b.price, b.status) for b in Bid.objects.filter(tender=t)}
    assert str(prices[bids[0].pk][0]) == "800000.00" and prices[bids[0].pk][1] == "valid"
    assert prices[bids[3].pk][1] == "invalid"  # over the per-post cap


# --- opening -------------------------------------------------------------------------------------


def test_opening_waits_for_the_deadline_and_happens_once(world):
    t = published_tender(world, days=21)  # before the demo tenders' deadlines
    submit_bids(world, t, ["800000.00", "900000.00", "1000000.00"])
    early = run_tick(now=t.deadline - dt.timedelta(seconds=1), only=["procurement.open_bids"])
    assert early[0].changed == 0 and Tender.objects.get(pk=t.pk).status == "published"
    first = run_tick(now=t.deadline, only=["procurement.open_bids"])
    second = run_tick(now=t.deadline + dt.timedelta(minutes=1), only=["procurement.open_bids"])
    assert (first[0].changed, second[0].changed) == (1, 0)
    t.refresh_from_db()
    assert t.status == "evaluating" and t.opened_at == t.deadline
    assert AuditEvent.objects.filter(kind="bid.opened", target_id=str(t.pk)).count() == 1
    assert not tender_open(tender=t, now=t.deadline + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("prices", "reason"),
    [
        (["800000.00", "900000.00"], "仅 2 家"),
        (["1000000.01", "1200000.00", "1100000.00"], "均超过采购预算"),
        (["800000.00", "900000.00", "1000000.01"], "仅 2 家"),
    ],
)
def test_too_few_valid_bids_or_all_over_budget_fail_the_tender(world, prices, reason):
    t = published_tender(world)
    submit_bids(world, t, prices)
    t = open_now(t)
    assert t.status == "failed" and reason in t.failed_reason


def test_consultation_proceeds_with_two_bids(world):
    t = published_tender(
        world,
        method="consultation",
        price_points=20,
        committee_size=3,
        factors=[{"id": "plan", "name": "方案", "max": 80}],
    )
    submit_bids(world, t, ["800000.00", "900000.00"])
    assert open_now(t).status == "evaluating"


def test_consultation_with_one_bid_terminates(world):
    t = published_tender(
        world,
        method="consultation",
        price_points=20,
        committee_size=3,
        factors=[{"id": "plan", "name": "方案", "max": 80}],
    )
    submit_bids(world, t, ["800000.00"])
    t = open_now(t)
    assert t.status == "failed" and "2 家" in t.failed_reason


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


def _pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def _working_today(world):
    from caidan.common.calendar import WorkingCalendar
    from caidan.jurisdiction.services import calendar_day_set

    today = timezone.localdate()
    if not WorkingCalendar().is_working_day(today):
        calendar_day_set(date=today, kind="workday", name="测试", actor=world.actor("admin"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hundreds_of_last_second_bids_are_all_kept(world):
    """150 bidders submit in the final second while the tick opens at the deadline: every
    bid that got a receipt is opened, every other one was refused as late — none lost."""
    _pg_only()
    _working_today(world)
    bidders = make_bidders(world, 150)
    deadline = timezone.now() + dt.timedelta(seconds=6)
    t = published_tender(world, deadline=deadline)
    receipts, late, errors = [], [], []
    barrier = threading.Barrier(len(bidders) + 1)

    def submit(b):
        try:
            barrier.wait()
            # Spread over the final three seconds, a few landing just after the deadline.
            delay = (deadline - timezone.now()).total_seconds() - 3 + 3.3 * random.random()  # noqa: S311
            time.sleep(max(0.0, delay))
            bid = bid_submit(
                tender=t,
                organization=b.org,
                data=BidContentInput.parse({"price": "900000.00", "plan": "方案"}),
                actor=b.actor,
            )
            receipts.append(bid.receipt)
        except Conflict as exc:
            (late if exc.code in ("deadline_passed", "not_open") else errors).append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    def ticker():
        try:
            barrier.wait()
            while timezone.now() < deadline + dt.timedelta(seconds=1):
                run_tick(only=["procurement.open_bids"])
                time.sleep(0.05)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(b,)) for b in bidders]
    threads.append(threading.Thread(target=ticker))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(receipts) + len(late) == 150
    assert len(receipts) >= 25  # many arrive in time: the test is not vacuous
    t.refresh_from_db()
    assert t.status == "evaluating"
    opened = set(
        Bid.objects.filter(tender=t, opened_at__isnull=False).values_list("receipt", flat=True)
    )
    assert opened == set(receipts)
    assert not Bid.objects.filter(tender=t, status="submitted").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_servers_ticking_together_open_once(world):
    _pg_only()
    t = published_tender(world, days=21)  # before the demo tenders' deadlines
    submit_bids(world, t, ["800000.00", "900000.00", "1000000.00"])
    barrier = threading.Barrier(2)
    results = []

    def tick():
        try:
            barrier.wait()
            results.append(run_tick(now=t.deadline, only=["procurement.open_bids"])[0].changed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [0, 1]
    assert AuditEvent.objects.filter(kind="bid.opened", target_id=str(t.pk)).count() == 1
