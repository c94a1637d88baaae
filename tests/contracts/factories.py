"""Contracts test data through the services: an award won by the demo provider
(阳光家庭综合服务中心), its contract drafted by the demo purchaser, signed by both."""

from __future__ import annotations

from caidan.accounts.actor import Actor
from tests.procurement.factories import Bidder, make_bidders, opened_tender


def demo_provider(world) -> Bidder:
    actor = world.actor("provider")
    return Bidder(org=actor.organization, user=actor.user, actor=actor)


def award_for(world, *, price="800000.00", budget="1000000.00"):
    """A lowest-price tender won by the demo provider at ``price``; the award confirmed."""
    from caidan.procurement.services import award_confirm

    bidders = [demo_provider(world), *make_bidders(world, 2)]
    tender = opened_tender(
        world,
        prices=(price, "900000.00", "950000.00"),
        budget=budget,
        evaluation_method="lowest_price",
        bidders=bidders,
    )
    assert tender.status == "evaluated", tender.failed_reason
    return award_confirm(tender=tender, actor=world.actor("purchaser"))


def draft_contract(world, *, award=None, **terms):
    from caidan.contracts.services import contract_create

    award = award or award_for(world)
    return contract_create(award=award, actor=world.actor("purchaser"), **terms)


def signed_contract(world, **terms):
    from caidan.contracts.services import contract_sign

    contract = draft_contract(world, **terms)
    contract_sign(contract=contract, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=world.actor("provider"))
    contract.refresh_from_db()
    assert contract.status == "active"
    return contract


def provider_actor(world) -> Actor:
    return world.actor("provider")
