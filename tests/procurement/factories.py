"""Procurement test data, made through the services as users would make it.

``approved_proposal`` runs a proposal through drafting, submission and the review committee;
``make_bidders`` registers eligible organizations with a provider account each;
``published_tender`` drafts and publishes a tender (``now`` set back so the legal period
has already run when needed); ``opened_tender`` adds sealed bids and opens them with the
tick at the deadline; ``make_expert_pool`` fills the expert pool.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role
from caidan.common.calendar import WorkingCalendar
from caidan.common.identifiers import make_uscc
from caidan.orgs.inputs import OrganizationInput
from caidan.procurement.inputs import BidContentInput, ExpertInput, SheetVerdictsInput, TenderInput
from caidan.projects.inputs import ProposalInput

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def approved_proposal(
    world,
    *,
    budget="1000000.00",
    method="open_tender",
    unit="310105-001",
    title="独居老人探访服务",
    **overrides,
):
    """An approved project (立项) of 江苏路街道 for next year, through the real review."""
    from caidan.catalog.models import CatalogItem
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import (
        agenda_item_decide,
        budget_ceiling_set,
        proposal_create,
        proposal_submit,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
        vote_cast,
    )

    year = timezone.localdate().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    budget = Decimal(budget)
    unit_obj = world.unit(unit)
    purchaser = world.actor("purchaser") if unit == "310105-001" else world.actor("purchaser2")
    admin = world.actor("admin")
    ceiling = BudgetCeiling.objects.filter(unit=unit_obj, year=year).first()
    needed = (ceiling.amount if ceiling else Decimal(0)) + budget
    budget_ceiling_set(unit=unit_obj, year=year, amount=str(needed), actor=admin)
    data = {
        "title": title,
        "catalog_item": item,
        "budget": str(budget),
        "funding": [{"source": "fiscal", "amount": str(budget)}],
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
        "purchase_mode": "post" if method == "post_purchase" else "outsourcing",
        "procurement_method": method,
        "grade_policy": "none",
        "outputs": [{"name": "上门探访", "target": "1200", "unit": "人次"}],
    }
    data.update(overrides)
    proposal = proposal_create(actor=purchaser, unit=unit_obj, data=ProposalInput.parse(**data))
    proposal_submit(proposal=proposal, actor=purchaser)
    committee = world.actor("committee")
    session = review_session_create(
        title=f"审定会议 {_n()}",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=[world.user("committee")],
        actor=admin,
    )
    item_ = review_session_add_proposal(session=session, proposal=proposal, actor=admin)
    review_session_open(session=session, actor=admin)
    vote_cast(item=item_, choice="yes", actor=committee)
    agenda_item_decide(item=item_, actor=admin)
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    return proposal


@dataclass
class Bidder:
    org: object
    user: object
    actor: Actor


def make_bidder(world, *, name=None, fields=("elderly",), grade=4, rep=None, hub=False) -> Bidder:
    """A registered, graded organization with a provider account."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.services import grade_record, organization_create

    registrar = world.actor("registrar")
    n = _n()
    org = organization_create(
        actor=registrar,
        data=OrganizationInput.parse(
            name=name or f"测试养老服务社{n}",
            uscc=make_uscc(f"52310105MJT{n:06d}"),
            legal_form="service_institution",
            fields=list(fields),
            is_hub=hub,
            registration_date=dt.date(2015, 1, 1),
            legal_representative=rep or f"代表人{n}",
        ),
    )
    if grade:
        grade_record(
            organization=org,
            level=grade,
            assessed_on=timezone.localdate() - dt.timedelta(days=365),
            actor=registrar,
        )
    user = user_create(
        username=f"bidder{n}",
        password="x",
        display_name=f"投标人{n}",
        actor=world.system,
        validate_password=False,
    )
    membership = membership_grant(
        user=user, role=Role.HUB if hub else Role.PROVIDER, organization=org, actor=world.system
    )
    return Bidder(org=org, user=user, actor=Actor(user=user, membership=membership))


def make_bidders(world, n: int, **kwargs) -> list[Bidder]:
    return [make_bidder(world, **kwargs) for _ in range(n)]


def next_working_deadline(after: dt.datetime, *, hour: int = 10) -> dt.datetime:
    """10:00 (local) on the first working day on or after ``after``'s date + 1 day."""
    calendar = WorkingCalendar()
    day = timezone.localtime(after).date() + dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def tender_data(**overrides) -> dict:
    data = {
        "price_points": 30,
        "factors": [
            {"id": "plan", "name": "服务方案", "max": 40},
            {"id": "team", "name": "团队与资质", "max": 20},
            {"id": "experience", "name": "同类项目经验", "max": 10},
        ],
        "bid_security": "10000.00",
    }
    data.update(overrides)
    return data


def draft_tender(world, *, proposal=None, budget="1000000.00", method="open_tender", **overrides):
    from caidan.procurement.services import tender_create

    proposal = proposal or approved_proposal(world, budget=budget, method=method)
    return tender_create(
        actor=world.actor("purchaser"),
        data=TenderInput.parse(proposal=proposal, **tender_data(**overrides)),
    )


def published_tender(world, *, deadline=None, days=25, **kwargs):
    """A published tender whose deadline is ``deadline`` (default: the next working day
    ``days`` days from now at 10:00); the announcement is dated ``days + 1`` days before."""
    from caidan.procurement.services import tender_publish, tender_update

    tender = draft_tender(world, **kwargs)
    now = timezone.now()
    deadline = deadline or next_working_deadline(now + dt.timedelta(days=days - 1))
    tender_update(tender=tender, changes={"deadline": deadline}, actor=world.actor("purchaser"))
    published_at = min(now, deadline - dt.timedelta(days=30))
    return tender_publish(tender=tender, actor=world.actor("purchaser"), now=published_at)


def past_deadline_tender(world, **kwargs):
    """A published tender whose deadline passed (in real time) an hour or more ago."""
    from caidan.common.calendar import local_date

    calendar = WorkingCalendar()
    day = local_date(timezone.now()) - dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    deadline = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return published_tender(world, deadline=deadline, **kwargs)


def submit_bids(world, tender, prices, *, bidders=None, fields=("elderly",)):
    from caidan.procurement.services import bid_submit

    bidders = bidders or make_bidders(world, len(prices), fields=fields)
    bids = []
    for bidder, price in zip(bidders, prices, strict=True):
        content = {"plan": f"{bidder.org.name}的服务方案", "team": "社工 5 名"}
        if tender.method == "post_purchase":
            content["per_post_price"] = price
        else:
            content["price"] = price
        bids.append(
            bid_submit(
                tender=tender,
                organization=bidder.org,
                data=BidContentInput.parse(content),
                actor=bidder.actor,
            )
        )
    return bidders, bids


def open_now(tender):
    """Open this tender as the tick would, one second after its deadline (only this one:
    the demo's tenders stay sealed)."""
    from caidan.procurement.services import tender_open

    tender_open(tender=tender, now=tender.deadline + dt.timedelta(seconds=1))
    tender.refresh_from_db()
    return tender


def opened_tender(
    world,
    *,
    prices=("800000.00", "900000.00", "1000000.00"),
    budget="1000000.00",
    method="open_tender",
    evaluation_method="comprehensive",
    aggregate="mean",
    factors=None,
    committee_size=5,
    bidders=None,
    **overrides,
):
    """A tender with sealed bids at ``prices``, opened by the tick (status "evaluating"
    when experts score; "evaluated" or "failed" otherwise). Under the lowest-price method
    the committee is drawn and passes every bid (``committee_passes_all``), so the tender
    is ranked by price; ``review=False`` leaves it evaluating, before the review."""
    review = overrides.pop("review", True)
    extra = dict(overrides)
    if factors is not None:
        extra["factors"] = factors
    if committee_size and method in ("open_tender", "consultation", "post_purchase"):
        extra["committee_size"] = committee_size
    tender = published_tender(
        world,
        budget=budget,
        method=method,
        evaluation_method=evaluation_method,
        aggregate=aggregate,
        **extra,
    )
    submit_bids(world, tender, prices, bidders=bidders)
    tender = open_now(tender)
    if review and tender.evaluation_method == "lowest_price" and tender.status == "evaluating":
        committee_passes_all(world, tender)
    return tender


def committee_passes_all(world, tender, *, fails=None):
    """Lowest-price method (87号令 §45–47, §50): draw the committee (building a pool if the
    active one is short), every member declares no conflict and passes each bid — except
    ``fails = {bid: reason}``, which every member fails. Returns the refreshed tender."""
    from caidan.common.errors import Conflict
    from caidan.procurement.selectors_experts import panel_for
    from caidan.procurement.services import panel_declare, panel_draw
    from caidan.procurement.services.evaluation import (
        scorable_bids,
        scores_submit,
        verdicts_save,
    )

    fails = fails or {}
    try:
        panel_draw(tender=tender, actor=world.actor("purchaser"))
    except Conflict as exc:
        if exc.code != "not_enough_experts":
            raise
        make_expert_pool(world, tender.committee_size + tender.reserve_count)
        panel_draw(tender=tender, actor=world.actor("purchaser"))
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    bids = scorable_bids(tender)
    for m in members:
        actor = expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        verdicts = {str(b.pk): {"pass": True} for b in bids}
        for bid, reason in fails.items():
            verdicts[str(bid.pk)] = {"pass": False, "reason": reason}
        verdicts_save(member=m, data=SheetVerdictsInput.parse(verdicts=verdicts), actor=actor)
        scores_submit(member=m, actor=actor)
    tender.refresh_from_db()
    return tender


def make_expert_pool(world, n=9, specialties=("elderly",)):
    """``n`` experts in the pool, each with a login holding the expert role."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.procurement.services.experts import expert_create

    admin = world.actor("admin")
    experts = []
    for _ in range(n):
        k = _n()
        user = user_create(
            username=f"pool-expert-{k}",
            password="x",
            display_name=f"专家{k}",
            actor=world.system,
            validate_password=False,
        )
        membership_grant(user=user, role=Role.EXPERT, actor=world.system)
        experts.append(
            expert_create(
                actor=admin,
                data=ExpertInput.parse(
                    name=f"专家{k}",
                    specialties=list(specialties),
                    title="高级社工师",
                    employer_name=f"某大学{k}",
                    user=user,
                ),
            )
        )
    return experts


def expert_actor(expert) -> Actor:
    membership = Membership.objects.get(user=expert.user, role=Role.EXPERT)
    return Actor(user=expert.user, membership=membership)
