"""The mid-year demo's procurement steps, through the services: a drafted proposal, a
published tender, sealed bids opened as the tick would, the lowest-price compliance review,
and an award confirmed in the past."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Role, Unit
from caidan.common.calendar import WorkingCalendar
from caidan.procurement.inputs import BidContentInput, SheetVerdictsInput, TenderInput
from caidan.projects.inputs import ProposalInput

from .helpers import actor_for, service_period, soon_deadline
from .plan import FACTORS, TITLES


def drafted_proposal(key: str, budget: str, purchaser: Actor, unit: Unit, item):
    from caidan.projects.services import proposal_create

    title = TITLES[key]
    start, end = service_period(key, timezone.localdate())
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


def published_tender(proposal, purchaser: Actor, *, evaluation_method: str, deadline: dt.datetime):
    from caidan.procurement.services import tender_create, tender_publish, tender_update

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
    tender_update(tender=tender, changes={"deadline": deadline}, actor=purchaser)
    # The announcement is dated so the legal bidding period (≥ 20 days) has run.
    published_at = min(timezone.now(), deadline - dt.timedelta(days=21))
    return tender_publish(tender=tender, actor=purchaser, now=published_at)


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


def opened_tender(
    proposal,
    purchaser: Actor,
    bidders: dict[str, Actor],
    prices,
    method,
    *,
    deadline: dt.datetime | None = None,
):
    """Published, sealed bids at ``prices`` ({username: price}), opened as the tick would.

    Without ``deadline`` the bids are sealed now and the deadline is a few minutes ahead;
    with a past ``deadline`` the whole procurement is dated in the past: bids the day before
    the deadline, the opening one second after it."""
    from caidan.procurement.services import bid_submit, tender_open

    deadline = deadline or soon_deadline()
    tender = published_tender(proposal, purchaser, evaluation_method=method, deadline=deadline)
    bid_at = min(timezone.now(), deadline - dt.timedelta(days=1))
    for username, price in prices.items():
        actor = bidders[username]
        plan, team = PLANS[username]
        bid_submit(
            tender=tender,
            organization=actor.organization,
            data=BidContentInput.parse({"price": price, "plan": plan, "team": team}),
            actor=actor,
            now=bid_at,
        )
    tender_open(tender=tender, now=tender.deadline + dt.timedelta(seconds=1))
    tender.refresh_from_db()
    if method == "lowest_price" and tender.status == "evaluating":
        compliance_review(tender, purchaser)
    return tender


def compliance_review(tender, purchaser: Actor) -> None:
    """Lowest-price method: the committee is drawn (from the seed committed at publication)
    and reviews qualification and compliance; every bid passes, so the tender is ranked by
    price (87号令 §45–47)."""
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids, verdicts_save

    panel_draw(tender=tender, actor=purchaser, now=tender.opened_at + dt.timedelta(minutes=10))
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


def past_award(proposal, purchaser, bidders, prices, *, days_ago: int):
    """An award confirmed an hour after an opening ``days_ago`` days back (the procurement
    dated in the past). From about two weeks back its challenge window (1 + 7 working days)
    has closed and the contract may be drafted (政府采购法 §52)."""
    from caidan.procurement.services import award_confirm

    calendar = WorkingCalendar()
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while not calendar.is_working_day(day):  # the working day on or before
        day -= dt.timedelta(days=1)
    deadline = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    tender = opened_tender(proposal, purchaser, bidders, prices, "lowest_price", deadline=deadline)
    return award_confirm(
        tender=tender, actor=purchaser, now=tender.opened_at + dt.timedelta(hours=1)
    )
