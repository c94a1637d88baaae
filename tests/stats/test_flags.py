"""Each integrity flag raised, and not raised, on data made through the services."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from caidan.stats.flags import flag_counts, integrity_flags

pytestmark = pytest.mark.django_db


def codes(**kwargs):
    return [f.code for f in integrity_flags(**kwargs)]


def test_no_flags_on_a_clean_process(world):
    from tests.contracts.helpers import pay
    from tests.evaluations.factories import scheduled

    e = scheduled(world, "mid")  # 800,000 of 1,000,000; three valid bids; 30-day period
    pay(world, e.contract, 1)
    assert codes() == []
    assert flag_counts(integrity_flags()) == dict.fromkeys(flag_counts([]), 0)


def test_single_valid_bid(world):
    from tests.procurement.factories import opened_tender

    t = opened_tender(world, prices=("800000.00",))
    flags = [f for f in integrity_flags() if f.code == "single_bid"]
    assert [f.url for f in flags] == [f"/procurement/tenders/{t.pk}/"]
    assert t.reference in flags[0].evidence


def test_single_source_with_one_bid_is_not_flagged(world):
    from tests.procurement.factories import make_bidder, opened_tender

    invited = make_bidder(world)
    opened_tender(
        world,
        prices=("800000.00",),
        method="single_source",
        invited_organization=invited.org,
        bidders=[invited],
        justification="唯一具备该项服务专业资质的机构。",
    )
    assert "single_bid" not in codes()


def test_bidding_period_at_the_minimum(world):
    from caidan.procurement.services import tender_publish, tender_update
    from tests.procurement.factories import draft_tender, next_working_deadline

    t = draft_tender(world)
    deadline = next_working_deadline(timezone.now() + dt.timedelta(days=25))
    tender_update(tender=t, changes={"deadline": deadline}, actor=world.actor("purchaser"))
    tender_publish(tender=t, actor=world.actor("purchaser"), now=deadline - dt.timedelta(days=20))
    flags = [f for f in integrity_flags() if f.code == "minimum_period"]
    assert len(flags) == 1 and "法定最低 20 日" in flags[0].evidence


def _award_at(world, lowest):
    from caidan.procurement.services import award_confirm
    from tests.procurement.factories import opened_tender

    tender = opened_tender(
        world, prices=(lowest, "985000.00", "990000.00"), evaluation_method="lowest_price"
    )
    return award_confirm(tender=tender, actor=world.actor("purchaser"))


def test_award_price_near_budget(world):
    award = _award_at(world, "980000.00")
    flags = [f for f in integrity_flags() if f.code == "price_near_budget"]
    assert len(flags) == 1 and "98.0%" in flags[0].evidence
    assert flags[0].url == f"/procurement/tenders/{award.tender_id}/notice/"


def test_award_price_below_98_percent_is_not_flagged(world):
    _award_at(world, "979999.99")
    assert "price_near_budget" not in codes()


def test_contract_signed_late(world):
    from caidan.contracts.services import contract_sign
    from tests.contracts.factories import draft_contract

    c = draft_contract(world)
    with mock.patch("django.utils.timezone.now", return_value=c.sign_due + dt.timedelta(days=2)):
        contract_sign(contract=c, actor=world.actor("purchaser"))
        contract_sign(contract=c, actor=world.actor("provider"))
    flags = [f for f in integrity_flags() if f.code == "signed_late"]
    assert [f.url for f in flags] == [f"/contracts/{c.pk}/"]


def test_one_provider_winning_most_contracts(world):
    from tests.contracts.factories import signed_contract

    signed_contract(world)
    signed_contract(world)
    assert "dominant_provider" not in codes()  # two are not yet a pattern
    signed_contract(world)
    flags = [f for f in integrity_flags() if f.code == "dominant_provider"]
    assert len(flags) == 1 and "3 份合同中有 3 份" in flags[0].evidence


def test_evaluation_overdue(world):
    from tests.evaluations.factories import scheduled

    e = scheduled(world, "final")
    due = timezone.make_aware(dt.datetime.combine(e.due_on, dt.time(12)))
    assert "evaluation_overdue" not in codes(now=due)
    assert codes(now=due + dt.timedelta(days=1)).count("evaluation_overdue") == 1


def test_payment_before_its_gate(world):
    """Services never allow it; imported or corrected records might — the flag finds them."""
    from caidan.contracts.models import Instalment
    from tests.contracts.factories import signed_contract
    from tests.contracts.helpers import pay

    c = signed_contract(world)
    pay(world, c, 1)
    assert "paid_before_gate" not in codes()
    Instalment.objects.filter(contract=c, sequence=1).update(
        gate_opened_at=timezone.now() + dt.timedelta(days=1)
    )
    flags = [f for f in integrity_flags() if f.code == "paid_before_gate"]
    assert len(flags) == 1 and "第 1 期" in flags[0].evidence


def test_flags_page_details_for_the_finance_bureau_counts_for_everyone(world, client, login):
    from tests.procurement.factories import opened_tender

    t = opened_tender(world, prices=("800000.00",))
    public = client.get("/stats/flags/").content.decode()
    assert 'data-testid="flag-counts"' in public and "仅一家有效投标" in public
    assert 'data-testid="flag-detail"' not in public and t.reference not in public
    login("admin")
    detail = client.get("/stats/flags/").content.decode()
    assert f"/procurement/tenders/{t.pk}/" in detail and t.reference in detail
    login("purchaser")
    assert 'data-testid="flag-detail"' not in client.get("/stats/flags/").content.decode()
