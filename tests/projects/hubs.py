"""Hub bundle test data through the services (issue 21): a hub with two member groups, their
proposals bundled by the hub, the bundle approved, tendered, won by the hub and contracted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role
from caidan.common.identifiers import make_uscc
from caidan.orgs.inputs import OrganizationInput
from caidan.projects.inputs import ProposalInput
from tests.procurement.factories import Bidder, _n, make_bidder, make_bidders, opened_tender


@dataclass
class HubWorld:
    hub: Bidder
    members: list[Bidder]


def make_hub(world, *, members=2) -> HubWorld:
    """A graded hub (its own HUB account) and ``members`` registered member groups, each
    with a provider account."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.services import organization_create

    hub = make_bidder(world, name=f"测试枢纽协会{_n()}", hub=True)
    out = []
    for i in range(members):
        n = _n()
        org = organization_create(
            actor=world.actor("registrar"),
            data=OrganizationInput.parse(
                name=f"测试基层服务队{n}",
                uscc=make_uscc(f"52310105MJM{n:06d}"),
                legal_form="social_group",
                fields=["elderly"],
                registration_date=dt.date(2020, 1, 1),
                legal_representative=f"队长{n}",
            ),
            hub=hub.org,
        )
        user = user_create(
            username=f"member{n}_{i}", password="x", actor=world.system, validate_password=False
        )
        membership_grant(user=user, role=Role.PROVIDER, organization=org, actor=world.system)
        actor = Actor(user=user, membership=Membership.objects.get(user=user))
        out.append(Bidder(org=org, user=user, actor=actor))
    return HubWorld(hub=hub, members=out)


def member_draft(world, member: Bidder, *, budget: str, title: str | None = None):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return proposal_create(
        actor=member.actor,
        unit=world.unit("310105-001"),
        proposing_organization=member.org,
        data=ProposalInput.parse(
            title=title or f"{member.org.name}的服务",
            catalog_item=item,
            budget=budget,
            funding=[{"source": "fiscal", "amount": budget}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "600", "unit": "人次"}],
        ),
    )


def approved_bundle(world, hw: HubWorld, *, budgets=("600000.00", "400000.00")):
    """The members' proposals bundled and submitted by the hub, then approved."""
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import (
        agenda_item_decide,
        budget_ceiling_set,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
        vote_cast,
    )
    from caidan.projects.services.bundles import proposal_bundle

    unit = world.unit("310105-001")
    year = timezone.localdate().year + 1
    admin = world.actor("admin")
    ceiling = BudgetCeiling.objects.filter(unit=unit, year=year).first()
    total = sum((Decimal(b) for b in budgets), Decimal(0))
    budget_ceiling_set(
        unit=unit,
        year=year,
        amount=str((ceiling.amount if ceiling else Decimal(0)) + total),
        actor=admin,
    )
    drafts = [member_draft(world, m, budget=b) for m, b in zip(hw.members, budgets, strict=False)]
    bundle = proposal_bundle(
        hub=hw.hub.org,
        title=f"{hw.hub.org.name}打包项目",
        rows=[{"part": str(p.pk), "amount": ""} for p in drafts],
        submit=True,
        actor=hw.hub.actor,
    )
    session = review_session_create(
        title=f"审定会议 {_n()}",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=[world.user("committee")],
        actor=admin,
    )
    item = review_session_add_proposal(session=session, proposal=bundle, actor=admin)
    review_session_open(session=session, actor=admin)
    vote_cast(item=item, choice="yes", actor=world.actor("committee"))
    agenda_item_decide(item=item, actor=admin)
    bundle.refresh_from_db()
    assert bundle.status == "approved"
    return bundle


def bundle_award(world, hw: HubWorld, *, price="800000.00"):
    """The bundle tendered (lowest price) and won by the hub at ``price``, the award
    confirmed long enough ago that a contract may be drafted (as ``award_for``)."""
    import time_machine

    from caidan.procurement.services import award_confirm

    now = timezone.now()
    for back in (30, 45, 60, 90):
        with time_machine.travel(now - dt.timedelta(days=back), tick=True):
            bundle = approved_bundle(world, hw)
            tender = opened_tender(
                world,
                proposal=bundle,
                prices=(price, "900000.00", "950000.00"),
                evaluation_method="lowest_price",
                bidders=[hw.hub, *make_bidders(world, 2)],
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


def bundle_contract(world, hw: HubWorld, *, price="800000.00", sign=True):
    from caidan.contracts.inputs import ContractTermsInput
    from caidan.contracts.services import contract_create, contract_sign

    award = bundle_award(world, hw, price=price)
    contract = contract_create(
        award=award, actor=world.actor("purchaser"), data=ContractTermsInput.parse()
    )
    if sign:
        contract_sign(contract=contract, actor=world.actor("purchaser"))
        contract_sign(contract=contract, actor=hw.hub.actor)
        contract.refresh_from_db()
    return contract


def scheduled_final(world, contract):
    """The bundle contract's final evaluation, scheduled: the demo evaluator appointed."""
    from caidan.evaluations.services import evaluation_schedule, evaluator_appoint

    evaluator_appoint(
        contract=contract,
        organization=world.actor("evaluator").organization,
        actor=world.actor("purchaser"),
    )
    contract.refresh_from_db()
    return evaluation_schedule(contract=contract, stage="final", actor=world.actor("purchaser"))


def published_final(world, contract, part_scores: dict[int, str] | None = None, *, summary="良好"):
    """The bundle contract's final evaluation: the demo evaluator appointed, every indicator
    scored in full, each member's part scored as ``part_scores`` ({position: score}; a part
    left out takes the total), the missing subjects waived, published."""
    from caidan.evaluations.inputs import ScoresInput
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from caidan.evaluations.services.parts import evaluation_parts_score
    from tests.evaluations.factories import full_scores, waive_missing

    e = scheduled_final(world, contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e), summary=summary),
    )
    if part_scores:
        parts = {p.position: p for p in contract.parts.all()}
        evaluation_parts_score(
            evaluation=e,
            rows=[
                {"part": str(parts[pos].pk), "score": score, "outputs": f"第 {pos} 部分的产出"}
                for pos, score in part_scores.items()
            ],
            actor=world.actor("evaluator"),
        )
    waive_missing(world, e)
    return evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
