"""The mid-year demo's procurement steps, through the services: a drafted proposal, a
tender published three weeks before its deadline, sealed bids the day before, the opening
one second after the deadline (as the tick would open it), the lowest-price compliance
review, and the award an hour after the opening. The steps are generators for
``timeline.run_in_order``: each yields the moment of its next step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from caidan.accounts.actor import Actor
from caidan.accounts.models import Role, Unit
from caidan.procurement.inputs import BidContentInput, SheetVerdictsInput, TenderInput
from caidan.projects.inputs import ProposalInput

from .helpers import actor_for, service_period
from .plan import FACTORS, TITLES
from .timeline import Stage, at, working_on_or_before

BIDDING_DAYS = 21  # the announcement runs at least 20 days before the deadline (87号令 §16)


def drafted_proposal(key: str, budget: str, purchaser: Actor, unit: Unit, item, today: dt.date):
    """The stage's proposal, its service period placed around ``today`` (the real day of
    seeding, not the clock's)."""
    from caidan.projects.services import proposal_create

    title = TITLES[key]
    start, end = service_period(key, today)
    return proposal_create(
        actor=purchaser,
        unit=unit,
        data=ProposalInput.parse(
            title=title,
            catalog_item=item,
            description=f"{title}：面向江苏路街道辖区老年人及其家庭，由专业社会组织提供服务，"
            f"按季度报送进度、接受第三方绩效评价。",
            service_targets="江苏路街道辖区 60 岁以上老年人，优先困难、独居、高龄老人",
            target_groups=["老年人"],
            budget=budget,
            funding=[{"source": "fiscal", "amount": budget}],
            period_start=start,
            period_end=end,
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="preferred",
            required_fields=["elderly"],
            outputs=[{"name": "服务人次", "target": "2400", "unit": "人次"}],
            outcomes=[{"name": "服务对象满意度", "target": "90", "unit": "%"}],
        ),
    )


def draft_tender(proposal, purchaser: Actor, *, evaluation_method: str, deadline: dt.datetime):
    from caidan.procurement.services import tender_create, tender_update

    tender = tender_create(
        actor=purchaser,
        data=TenderInput.parse(
            proposal=proposal,
            evaluation_method=evaluation_method,
            price_points=30,
            factors=[dict(f) for f in FACTORS],
            bid_security=str((proposal.budget * Decimal("0.01")).quantize(Decimal("0.01"))),
        ),
    )
    return tender_update(tender=tender, changes={"deadline": deadline}, actor=purchaser)


PLANS = {
    "provider": (
        "组建 6 人社工团队，按居委分片服务，建立服务对象档案，每月回访。",
        "持证社工 4 名，护理员 2 名",
    ),
    "provider2": ("依托乐龄服务站点，护理员上门服务，服务记录当日上传。", "护理员 8 名，社工 1 名"),
    "provider3": (
        "社工 + 志愿者双轨服务，设立 24 小时应急联络电话。",
        "持证社工 3 名，志愿者 20 名",
    ),
}


def past_deadline(today: dt.date, days_ago: int) -> dt.datetime:
    """9:30 on the working day ``days_ago`` days before ``today`` (or the one before it)."""
    return at(working_on_or_before(today - dt.timedelta(days=days_ago)), 9, 30)


def tender_steps(
    proposal, purchaser: Actor, bidders: dict[str, Actor], prices, method, *, deadline
) -> Stage:
    """Drafted the day before its announcement, announced ``BIDDING_DAYS`` before
    ``deadline``, bids at ``prices`` ({username: price}) sealed the day before it, opened one
    second after it; the lowest-price compliance review ten minutes later. Returns the
    tender."""
    from caidan.procurement.services import bid_submit, tender_open, tender_publish

    published = deadline - dt.timedelta(days=BIDDING_DAYS)
    yield published - dt.timedelta(days=1)
    tender = draft_tender(proposal, purchaser, evaluation_method=method, deadline=deadline)
    yield published
    tender = tender_publish(tender=tender, actor=purchaser)
    yield deadline - dt.timedelta(days=1)
    for username, price in prices.items():
        actor = bidders[username]
        plan, team = PLANS[username]
        bid_submit(
            tender=tender,
            organization=actor.organization,
            data=BidContentInput.parse({"price": price, "plan": plan, "team": team}),
            actor=actor,
        )
    yield deadline + dt.timedelta(seconds=1)
    tender_open(tender=tender)
    tender.refresh_from_db()
    if method == "lowest_price" and tender.status == "evaluating":
        yield deadline + dt.timedelta(minutes=10)
        compliance_review(tender, purchaser)
    return tender


def award_steps(proposal, purchaser: Actor, bidders, prices, *, deadline) -> Stage:
    """A lowest-price tender (``tender_steps``) awarded an hour after its opening. From
    about two weeks back the challenge window (1 + 7 working days) has closed and the
    contract may be drafted (政府采购法 §52). Returns the award."""
    from caidan.procurement.services import award_confirm

    tender = yield from tender_steps(
        proposal, purchaser, bidders, prices, "lowest_price", deadline=deadline
    )
    yield tender.opened_at + dt.timedelta(hours=1)
    return award_confirm(tender=tender, actor=purchaser)


def scored_award_steps(
    proposal, purchaser: Actor, bidders, prices, *, deadline, ahead: str
) -> Stage:
    """A comprehensive-scored tender (综合评分法, ``tender_steps``): five experts drawn ten
    minutes after the opening, each declaring no conflict and scoring every bid on the
    tender's factors (``FACTORS``) within half an hour — ``ahead`` (a username) scored best
    on the plan by every expert, each expert a little differently — the ranking computed by
    the services once the last sheet is in, and the award to the best-ranked bidder an hour
    after the opening. Returns the award."""
    from caidan.procurement.services import award_confirm

    tender = yield from tender_steps(
        proposal, purchaser, bidders, prices, "comprehensive", deadline=deadline
    )
    yield tender.opened_at + dt.timedelta(minutes=10)
    expert_scoring(tender, purchaser, bidders, ahead=ahead)
    tender.refresh_from_db()
    yield tender.opened_at + dt.timedelta(hours=1)
    return award_confirm(tender=tender, actor=purchaser)


def expert_scoring(tender, purchaser: Actor, bidders, *, ahead: str) -> None:
    """The committee drawn (from the seed committed at publication), declared and scoring:
    a real sheet per expert, every factor of every valid bid, then submitted."""
    from caidan.procurement.inputs import SheetScoresInput
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_save, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids

    panel_draw(tender=tender, actor=purchaser)
    members = PanelMember.objects.filter(tender=tender, status="drawn").select_related(
        "expert__user"
    )
    favourite = bidders[ahead].organization.pk
    bids = scorable_bids(tender)
    for i, member in enumerate(members.order_by("position")):
        actor = actor_for(member.expert.user.username, Role.EXPERT)
        panel_declare(
            member=member, no_conflict=True, declaration="与各投标人无利害关系。", actor=actor
        )
        sheet = {
            str(b.pk): {
                "plan": str(36 - i % 2 if b.organization_id == favourite else 30 + (i + j) % 4),
                "team": str(16 + (i + j) % 3),
                "experience": str(7 + (i + j) % 3),
            }
            for j, b in enumerate(bids)
        }
        scores_save(member=member, data=SheetScoresInput.parse(scores=sheet), actor=actor)
        scores_submit(member=member, actor=actor)


def compliance_review(tender, purchaser: Actor) -> None:
    """Lowest-price method: the committee is drawn (from the seed committed at publication)
    and reviews qualification and compliance; every bid passes, so the tender is ranked by
    price (87号令 §45–47)."""
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids, verdicts_save

    panel_draw(tender=tender, actor=purchaser)
    members = PanelMember.objects.filter(tender=tender, status="drawn").select_related(
        "expert__user"
    )
    bids = scorable_bids(tender)
    for member in members.order_by("position"):
        actor = actor_for(member.expert.user.username, Role.EXPERT)
        panel_declare(
            member=member, no_conflict=True, declaration="与各投标人无利害关系。", actor=actor
        )
        verdicts_save(
            member=member,
            data=SheetVerdictsInput.parse(verdicts={str(b.pk): {"pass": True} for b in bids}),
            actor=actor,
        )
        scores_submit(member=member, actor=actor)
    tender.refresh_from_db()
