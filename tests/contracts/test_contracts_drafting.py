"""Contracts: drafting from the award with its defaults and bounds, signing by both parties
and publication (DOMAIN.md §3.5, §4.1)."""

import datetime as dt
from decimal import Decimal

import pytest

from caidan.common.calendar import add_working_days, end_of_day
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.contracts.models import ContractVersion
from caidan.contracts.services import contract_create, contract_sign, contract_update

from .factories import award_for, draft_contract
from .helpers import amounts

pytestmark = pytest.mark.django_db


# --- drafting -------------------------------------------------------------------------------------


def test_contract_from_the_award_with_its_defaults(world):
    award = award_for(world)
    c = contract_create(award=award, actor=world.actor("purchaser"))
    assert c.status == "draft" and c.reference.startswith("HT-")
    assert c.amount == award.amount == Decimal("800000.00")
    assert c.organization.name == "阳光家庭综合服务中心"
    assert c.sign_due == award.decided_at + dt.timedelta(days=30)
    assert c.payment_split == [50, 35, 15]
    assert amounts(c) == [Decimal("400000.00"), Decimal("280000.00"), Decimal("120000.00")]
    assert [i.gate for i in c.instalments.order_by("sequence")] == ["signature", "midterm", "final"]
    for field in (
        "settlement_method",
        "acceptance_criteria",
        "rights_obligations",
        "breach_liability",
        "quality_standards",
        "service_content",
    ):
        assert getattr(c, field)
    with pytest.raises(Conflict) as exc:
        contract_create(award=award, actor=world.actor("purchaser"))
    assert exc.value.code == "contract_exists"


def test_only_the_awarding_purchaser_drafts(world):
    award = award_for(world)
    with pytest.raises(PermissionDenied):
        contract_create(award=award, actor=world.actor("purchaser2"))
    with pytest.raises(PermissionDenied):
        contract_create(award=award, actor=world.actor("provider"))


def test_odd_contract_sum_splits_to_the_fen(world):
    c = draft_contract(world, award=award_for(world, price="100000.01"))
    assert sum(amounts(c)) == Decimal("100000.01")
    assert amounts(c)[0] in (Decimal("50000.00"), Decimal("50000.01"))


@pytest.mark.parametrize(("security", "ok"), [("80000.00", True), ("80000.01", False), ("0", True)])
def test_performance_security_at_most_ten_percent(world, security, ok):
    if ok:
        assert draft_contract(world, performance_security=security).performance_security == Decimal(
            security
        )
    else:
        with pytest.raises(ValidationError) as exc:
            draft_contract(world, performance_security=security)
        assert exc.value.field == "performance_security" and "§48" in exc.value.message


@pytest.mark.parametrize(
    ("split", "ok"),
    [
        ([50, 35, 15], True),
        ([50, 30, 20], True),
        ([50, 40, 10], True),
        ([60, 30, 10], False),
        ([50, 45, 5], False),
        ([50, 25, 25], False),
        ([50, 35, 10], False),
    ],
)
def test_payment_split_within_the_seeds_bounds(world, split, ok):
    if ok:
        c = draft_contract(world, payment_split=split)
        assert [i.percent for i in c.instalments.order_by("sequence")] == split
    else:
        with pytest.raises(ValidationError) as exc:
            draft_contract(world, payment_split=split)
        assert exc.value.field == "payment_split"


def test_required_terms_and_one_year_term(world):
    with pytest.raises(ValidationError) as exc:
        draft_contract(world, breach_liability="  ")
    assert exc.value.field == "breach_liability"
    award = award_for(world)
    start = award.tender.proposal.period_start
    with pytest.raises(ValidationError) as exc:
        draft_contract(
            world, award=award, period_end=start.replace(year=start.year + 1) + dt.timedelta(days=1)
        )
    assert exc.value.field == "period_end"
    with pytest.raises(ValidationError) as exc:
        draft_contract(world, amount="800000.01")
    assert exc.value.field == "amount"


def test_editing_a_draft_withdraws_a_given_signature(world):
    c = draft_contract(world)
    contract_sign(contract=c, actor=world.actor("provider"))
    c = contract_update(
        contract=c, changes={"quantity": "探访 2400 人次"}, actor=world.actor("purchaser")
    )
    assert c.provider_signed_at is None


# --- signing ------------------------------------------------------------------------------------


def test_both_parties_sign_then_it_is_published_and_the_first_gate_opens(world):
    c = draft_contract(world)
    contract_sign(contract=c, actor=world.actor("purchaser"))
    c.refresh_from_db()
    assert c.status == "draft" and c.purchaser_signed_at
    with pytest.raises(Conflict) as exc:
        contract_sign(contract=c, actor=world.actor("purchaser"))
    assert exc.value.code == "already_signed"
    with pytest.raises(PermissionDenied):
        contract_sign(contract=c, actor=world.actor("hub"))
    contract_sign(contract=c, actor=world.actor("provider"))
    c.refresh_from_db()
    assert c.status == "active" and c.signed_at
    assert c.published_at <= c.publish_due == end_of_day(add_working_days(c.signed_at, 2))
    first = c.instalments.get(sequence=1)
    assert first.gate_opened_at == c.signed_at
    assert not c.instalments.get(sequence=2).gate_opened_at
    assert ContractVersion.objects.get(contract=c, version=1).terms["amount"] == "800000.00"
    kinds = list(c.reports.values_list("kind", flat=True))
    assert kinds.count("midterm") == 1 and kinds.count("final") == 1 and "progress" in kinds


def test_signing_is_blocked_while_a_complaint_is_pending(world):
    """A complaint filed after the draft holds the signature until it ends (DOMAIN §4.7)."""
    from caidan.complaints.services import complaint_withdraw

    from .factories import complained_draft

    c, complaint, complainant = complained_draft(world)
    with pytest.raises(Conflict) as exc:
        contract_sign(contract=c, actor=world.actor("purchaser"))
    assert exc.value.code == "signing_blocked" and "投诉" in exc.value.message
    complaint_withdraw(complaint=complaint, actor=complainant)
    contract_sign(contract=c, actor=world.actor("purchaser"))


def test_public_sees_signed_contracts_only(world):
    from caidan.accounts.actor import Actor
    from caidan.accounts.permissions import can

    c = draft_contract(world)
    anyone = Actor.anonymous()
    assert not c.is_public
    assert can(world.actor("provider"), "contracts.view", c)
    assert not can(world.actor("purchaser2"), "contracts.view", c)
    contract_sign(contract=c, actor=world.actor("purchaser"))
    contract_sign(contract=c, actor=world.actor("provider"))
    c.refresh_from_db()
    assert c.is_public and anyone is not None
