"""Tenders in lots (分包, issue 21): each lot its own bids, opening, evaluation, award and
contract; fewer valid bids than the minimum fails that lot only; the cap on lots one
provider may win, applied in lot-number order and recorded with the award."""

from __future__ import annotations

import datetime as dt

import pytest

from caidan.common.errors import Conflict, ValidationError
from caidan.procurement.inputs import BidContentInput
from caidan.procurement.models import Award, Tender
from caidan.procurement.services import (
    award_confirm,
    bid_submit,
    open_due_tenders,
    recommended,
    tender_cancel,
    tender_publish,
    tender_update,
)
from caidan.procurement.services.lots import (
    award_order_problems,
    tender_lot_add,
    tender_lots_configure,
)

from .factories import make_bidders, next_working_deadline
from .lots_helpers import bid_and_open, lots_of, lotted_draft, publish

pytestmark = pytest.mark.django_db


# --- drafting and publication ---------------------------------------------------------------------


def test_lots_are_child_tenders_with_their_own_documents(world):
    parent = lotted_draft(world, budgets=("300000.00", "500000.00"))
    one, two = lots_of(parent)
    assert parent.has_lots and parent.parent_id is None
    assert (one.lot_number, two.lot_number) == (1, 2)
    assert one.parent_id == two.parent_id == parent.pk
    assert one.reference == f"{parent.reference}-01"
    assert (str(one.budget), str(two.budget)) == ("300000.00", "500000.00")
    assert one.method == parent.method and one.status == "draft"
    assert one.description == "第1包的服务内容"


def test_the_lots_budgets_together_stay_within_the_tenders(world):
    # 1,000,000.00 in all: 600,000.00 + 400,000.00 is exactly the budget (accepted) …
    parent = lotted_draft(world, budgets=("600000.00", "400000.00"))
    one, two = lots_of(parent)
    # … one cent more is refused, naming the budget, and nothing is saved
    with pytest.raises(ValidationError) as exc:
        tender_update(tender=two, changes={"budget": "400000.01"}, actor=world.actor("purchaser"))
    assert exc.value.field == "budget"
    two.refresh_from_db()
    assert str(two.budget) == "400000.00"
    with pytest.raises(ValidationError):
        tender_lot_add(
            tender=parent,
            changes={"title": "第3包", "budget": "0.01", "bid_security": "0"},
            actor=world.actor("purchaser"),
        )
    assert parent.lots.count() == 2


def test_a_lot_keeps_the_tenders_method_and_deadline(world):
    parent = lotted_draft(world)
    one = lots_of(parent)[0]
    with pytest.raises(ValidationError) as exc:
        tender_lot_add(
            tender=parent,
            changes={"title": "x", "budget": "1.00", "deadline": None},
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "deadline"
    with pytest.raises(ValidationError) as exc:
        tender_update(
            tender=one, changes={"method": "consultation"}, actor=world.actor("purchaser")
        )
    assert exc.value.field == "method"


def test_no_lots_of_lots_nor_of_a_single_source(world):
    parent = lotted_draft(world)
    with pytest.raises(Conflict) as exc:
        tender_lot_add(
            tender=lots_of(parent)[0],
            changes={"title": "x", "budget": "1.00"},
            actor=world.actor("purchaser"),
        )
    assert exc.value.code == "lots_not_allowed"


def test_the_cap_is_a_whole_number_from_one(world):
    parent = lotted_draft(world)
    purchaser = world.actor("purchaser")
    for bad in (0, -1, "2", True):
        with pytest.raises(ValidationError) as exc:
            tender_lots_configure(tender=parent, max_lots_per_provider=bad, actor=purchaser)
        assert exc.value.field == "max_lots_per_provider"
    tender_lots_configure(tender=parent, max_lots_per_provider=1, actor=purchaser)
    parent.refresh_from_db()
    assert parent.max_lots_per_provider == 1
    tender_lots_configure(tender=parent, max_lots_per_provider=None, actor=purchaser)
    parent.refresh_from_db()
    assert parent.max_lots_per_provider is None


def test_publishing_the_tender_publishes_its_lots_with_its_deadline(world):
    parent = publish(world, lotted_draft(world))
    one, two = lots_of(parent)
    assert parent.status == one.status == two.status == "published"
    assert one.deadline == two.deadline == parent.deadline
    assert one.published_at == parent.published_at
    assert one.draw_commitment and one.draw_commitment != two.draw_commitment
    assert one.wrapped_key and two.wrapped_key


def test_a_lot_is_not_published_alone(world):
    parent = lotted_draft(world)
    with pytest.raises(Conflict) as exc:
        tender_publish(tender=lots_of(parent)[0], actor=world.actor("purchaser"))
    assert exc.value.code == "published_with_lots"


def test_a_tender_in_lots_needs_two_lots(world):
    parent = lotted_draft(world, budgets=("400000.00",))
    with pytest.raises(Conflict) as exc:
        publish(world, parent)
    assert exc.value.code == "lots_too_few"
    parent.refresh_from_db()
    assert parent.status == "draft"
    assert lots_of(parent)[0].status == "draft"  # nothing half-published


def test_bids_go_to_a_lot_never_to_the_whole_tender(world):
    parent = publish(world, lotted_draft(world))
    (bidder,) = make_bidders(world, 1)
    content = BidContentInput.parse({"price": "100000.00", "plan": "方案", "team": "团队"})
    with pytest.raises(Conflict) as exc:
        bid_submit(tender=parent, organization=bidder.org, data=content, actor=bidder.actor)
    assert exc.value.code == "lots_not_allowed"
    bid = bid_submit(
        tender=lots_of(parent)[0], organization=bidder.org, data=content, actor=bidder.actor
    )
    assert bid.tender.parent_id == parent.pk


def test_the_tick_opens_the_lots_not_the_tender(world):
    parent = publish(world, lotted_draft(world))
    opened = open_due_tenders(parent.deadline + dt.timedelta(seconds=1))
    assert opened >= 2
    parent.refresh_from_db()
    assert parent.status == "published"  # the whole takes no bids and is never opened
    # no bids: each lot fails on its own
    assert {lot.status for lot in lots_of(parent)} == {"failed"}


def test_cancelling_the_tender_cancels_its_open_lots(world):
    parent = publish(world, lotted_draft(world))
    tender_cancel(tender=parent, reason="需求调整", actor=world.actor("purchaser"))
    assert {lot.status for lot in lots_of(parent)} == {"cancelled"}


# --- per-lot rules --------------------------------------------------------------------------------


def test_two_valid_bids_fail_that_lot_only_three_carry_the_other(world):
    parent = publish(world, lotted_draft(world))
    one, two = lots_of(parent)
    bidders = make_bidders(world, 3)
    # the same provider may bid for several lots
    one = bid_and_open(world, one, ("300000.00", "350000.00"), bidders[:2])
    two = bid_and_open(world, two, ("300000.00", "350000.00", "390000.00"), bidders)
    assert one.status == "failed", "2 valid bids < 3 (政府采购法 §36) fails lot 1"
    assert "3" in one.failed_reason
    assert two.status == "evaluated", two.failed_reason
    parent.refresh_from_db()
    assert parent.status == "published"


def _two_lots_same_leader(world, cap):
    """Lot 1 and lot 2 both ranked A (cheapest) > B > C."""
    parent = publish(world, lotted_draft(world, cap=cap))
    one, two = lots_of(parent)
    bidders = make_bidders(world, 3)
    prices = ("300000.00", "350000.00", "390000.00")
    one = bid_and_open(world, one, prices, bidders)
    two = bid_and_open(world, two, prices, bidders)
    assert one.status == two.status == "evaluated"
    return parent, one, two, bidders


def test_cap_one_passes_the_first_ranked_over_for_the_second_lot(world):
    parent, one, two, (a, b, _c) = _two_lots_same_leader(world, cap=1)
    purchaser = world.actor("purchaser")
    first = award_confirm(tender=one, actor=purchaser)
    assert first.bid.organization == a.org and first.cap_skipped == []
    # lot 2: A already won 1 lot = the cap, so B (ranked 2nd) is recommended and awarded
    assert [x.organization for x in recommended(two)] == [b.org]
    second = award_confirm(tender=two, actor=purchaser)
    assert second.bid.organization == b.org
    assert second.cap_skipped == [
        {
            "bid": second.cap_skipped[0]["bid"],
            "organization": a.org.pk,
            "name": a.org.name,
            "rank": 1,
            "lots": [1],
        }
    ]
    assert Award.objects.filter(tender__parent=parent, status="confirmed").count() == 2


def test_cap_two_lets_the_first_ranked_win_both(world):
    _parent, one, two, (a, _b, _c) = _two_lots_same_leader(world, cap=2)
    purchaser = world.actor("purchaser")
    assert award_confirm(tender=one, actor=purchaser).bid.organization == a.org
    second = award_confirm(tender=two, actor=purchaser)
    assert second.bid.organization == a.org and second.cap_skipped == []


def test_without_a_cap_lots_are_independent(world):
    _parent, one, two, (a, _b, _c) = _two_lots_same_leader(world, cap=None)
    purchaser = world.actor("purchaser")
    assert award_order_problems(two) == []
    # without a cap the order does not matter
    assert award_confirm(tender=two, actor=purchaser).bid.organization == a.org
    assert award_confirm(tender=one, actor=purchaser).bid.organization == a.org


def test_with_a_cap_lots_are_awarded_in_lot_order(world):
    _parent, one, two, _ = _two_lots_same_leader(world, cap=1)
    purchaser = world.actor("purchaser")
    with pytest.raises(Conflict) as exc:
        award_confirm(tender=two, actor=purchaser)
    assert exc.value.code == "lot_order"
    assert "第 1 包" in exc.value.message
    two.refresh_from_db()
    assert two.status == "evaluated" and not two.awards.exists()
    award_confirm(tender=one, actor=purchaser)
    assert award_order_problems(two) == []


def test_a_failed_earlier_lot_does_not_hold_the_next(world):
    parent = publish(world, lotted_draft(world, cap=1))
    one, two = lots_of(parent)
    bidders = make_bidders(world, 3)
    one = bid_and_open(world, one, ("300000.00", "350000.00"), bidders[:2])
    two = bid_and_open(world, two, ("300000.00", "350000.00", "390000.00"), bidders)
    assert one.status == "failed"
    award = award_confirm(tender=two, actor=world.actor("purchaser"))
    assert award.bid.organization == bidders[0].org and award.cap_skipped == []


def test_every_ranked_bidder_capped_leaves_no_candidate(world):
    parent = publish(world, lotted_draft(world, cap=1, budgets=("300000.00",) * 3))
    one, two, three = lots_of(parent)
    a, b, c = make_bidders(world, 3)
    purchaser = world.actor("purchaser")
    prices = ("200000.00", "250000.00", "290000.00")
    one = bid_and_open(world, one, prices, [a, b, c])
    two = bid_and_open(world, two, prices, [a, b, c])
    three = bid_and_open(world, three, prices, [a, b, c])
    assert award_confirm(tender=one, actor=purchaser).bid.organization == a.org
    assert award_confirm(tender=two, actor=purchaser).bid.organization == b.org
    third = award_confirm(tender=three, actor=purchaser)
    assert third.bid.organization == c.org
    assert [row["rank"] for row in third.cap_skipped] == [1, 2]


def test_two_lots_two_contracts(world):
    from caidan.contracts.services import contract_create

    _parent, one, two, (a, b, _c) = _two_lots_same_leader(world, cap=1)
    purchaser = world.actor("purchaser")
    awards = [
        award_confirm(tender=one, actor=purchaser),
        award_confirm(tender=two, actor=purchaser),
    ]
    after = max(a.challenge_deadline for a in awards) + dt.timedelta(seconds=1)
    contracts = [contract_create(award=x, actor=purchaser, now=after) for x in awards]
    assert [c.organization for c in contracts] == [a.org, b.org]
    assert [c.tender_id for c in contracts] == [one.pk, two.pk]
    assert [c.amount for c in contracts] == [awards[0].amount, awards[1].amount]
    assert Tender.objects.filter(pk__in=[one.pk, two.pk], contracts__isnull=False).count() == 2


def test_the_workbench_asks_to_publish_the_tender_not_each_lot(world):
    from django.utils import timezone

    from caidan.procurement.todo import tenders_to_publish

    parent = lotted_draft(world)
    keys = {e.key for e in tenders_to_publish(world.actor("purchaser"), timezone.localdate())}
    assert f"tender-{parent.pk}" in keys
    assert not keys & {f"tender-{lot.pk}" for lot in lots_of(parent)}


def test_the_tenders_budget_cannot_drop_below_its_lots(world):
    parent = lotted_draft(world, budgets=("400000.00", "400000.00"))
    purchaser = world.actor("purchaser")
    tender_update(tender=parent, changes={"budget": "800000.00"}, actor=purchaser)  # equal
    with pytest.raises(ValidationError) as exc:
        tender_update(tender=parent, changes={"budget": "799999.99"}, actor=purchaser)
    assert exc.value.field == "budget"
    parent.refresh_from_db()
    assert str(parent.budget) == "800000.00"


def test_an_amendment_pushing_the_tenders_deadline_moves_its_lots(world):
    from caidan.procurement.services import tender_amend

    parent = publish(world, lotted_draft(world))
    new = next_working_deadline(parent.deadline + dt.timedelta(days=6))
    tender_amend(
        tender=parent,
        summary="延长投标截止时间",
        affects_bids=False,
        new_deadline=new,
        actor=world.actor("purchaser"),
    )
    assert {lot.deadline for lot in lots_of(parent)} == {new}
