"""Contracts test data through the services: an award won by the demo provider
(阳光家庭综合服务中心), its contract drafted by the demo purchaser, signed by both."""

from __future__ import annotations

import datetime as dt

from caidan.accounts.actor import Actor
from caidan.complaints.inputs import ComplaintInput
from caidan.contracts.inputs import ContractTermsInput
from tests.procurement.factories import Bidder, make_bidders, opened_tender


def demo_provider(world) -> Bidder:
    actor = world.actor("provider")
    return Bidder(org=actor.organization, user=actor.user, actor=actor)


def award_for(world, *, price="800000.00", budget="1000000.00", bidders=None):
    """A lowest-price tender won at ``price`` by the demo provider (or the first of
    ``bidders``, who bid ``price``, 900,000 and 950,000); the award confirmed.

    No contract may be drafted before the award's challenge window has closed (政府采购法
    §52), so the procurement is run in the past on a moved clock: published, bid and opened
    about a month ago, the award confirmed an hour after the opening, far enough back that
    its window (1 + 7 working days, holidays included) has closed by now.
    """
    import time_machine
    from django.utils import timezone

    from caidan.procurement.services import award_confirm

    now = timezone.now()
    for back in (30, 45, 60, 90):
        with time_machine.travel(now - dt.timedelta(days=back), tick=True):
            bidders = bidders or [demo_provider(world), *make_bidders(world, 2)]
            tender = opened_tender(
                world,
                prices=(price, "900000.00", "950000.00"),
                budget=budget,
                evaluation_method="lowest_price",
                bidders=bidders,
            )
            assert tender.status == "evaluated", tender.failed_reason
            award = award_confirm(
                tender=tender,
                actor=world.actor("purchaser"),
                now=tender.opened_at + dt.timedelta(hours=1),
            )
        if award.challenge_deadline < now:
            return award
    raise AssertionError("no past award whose challenge window has closed")  # pragma: no cover


def draft_contract(world, *, award=None, **terms):
    from caidan.contracts.services import contract_create

    award = award or award_for(world)
    return contract_create(
        award=award, actor=world.actor("purchaser"), data=ContractTermsInput.parse(**terms)
    )


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


def complained_draft(world):
    """A draft contract whose losing bidder challenged at the last instant of the window, was
    answered, and then complained to the finance department (投诉): the complaint is pending.
    Returns (contract, complaint, the complainant's actor)."""
    from caidan.accounts.actor import Actor
    from caidan.complaints.services import complaint_file
    from caidan.contracts.services import contract_create
    from caidan.procurement.models import Bid
    from caidan.procurement.services import challenge_answer, challenge_file

    award = award_for(world)
    loser = Bid.objects.filter(tender=award.tender, rank=2).select_related("organization").get()
    member = loser.organization.memberships.first()
    actor = Actor(user=member.user, membership=member)
    challenge = challenge_file(
        award=award,
        organization=loser.organization,
        grounds="价格异常",
        actor=actor,
        now=award.challenge_deadline,
    )
    challenge_answer(
        challenge=challenge, answer="报价经核实合理。", upheld=False, actor=world.actor("purchaser")
    )
    contract = contract_create(award=award, actor=world.actor("purchaser"))
    complaint = complaint_file(
        actor=actor,
        data=ComplaintInput.parse(
            challenges=challenge,
            matters="中标人报价低于成本，质疑答复未予核实。",
            request="认定中标结果无效。",
        ),
    )
    return contract, complaint, actor
