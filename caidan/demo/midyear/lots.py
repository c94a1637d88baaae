"""The mid-year demo's tender in lots (分包, issue 21): one procurement of 江苏路街道 in two
lots — 助餐 and 助浴 — with a cap of one lot per provider. The same three providers bid on
both; 长宁区社工服务社 (the demo ``provider``) is the cheapest in both, wins lot 1 and is
passed over for lot 2, which goes to the next-ranked; each lot's award has its own
challenge window, and once both have closed each lot has its own drafted contract.

Seed 001 (/work/shared/seeds/) is the model: one district put fifteen service contracts out
in one procurement, each lot with its own budget, requirements, bids, award and contract.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from caidan.procurement.inputs import BidContentInput, TenderInput
from caidan.projects.inputs import ProposalInput

from .helpers import approve_at_meeting, service_period
from .procurement import BIDDING_DAYS, PLANS, compliance_review
from .timeline import Stage, at, local_day, working_at, working_days_back

KEY = "lots"
TITLE = "江苏路街道为老助餐助浴服务（分两包）"
BUDGET = Decimal("400000.00")
# As stage 7 (seed.CONTRACT_DRAFT_WORKING_DAYS_AGO): both challenge windows (1 + 7 working
# days) have closed, and the two drafted contracts are still inside the 30 days in which
# they are signed (政府采购法 §46), so they wait for signatures, not overdue.
DEADLINE_WORKING_DAYS_AGO = 12
LOTS = [
    (
        "江苏路街道老年人助餐服务（第 1 包）",
        "200000.00",
        "社区长者食堂运营及送餐上门，每日午餐不少于 150 份。",
    ),
    (
        "江苏路街道高龄老人助浴服务（第 2 包）",
        "200000.00",
        "上门及助浴点助浴服务，全年不少于 1,200 人次。",
    ),
]
CAP = 1
# {lot index: {bidder: price}}: the demo provider is the cheapest in both lots.
PRICES = [
    {"provider": "182000.00", "provider2": "186000.00", "provider3": "191000.00"},
    {"provider": "176000.00", "provider2": "179500.00", "provider3": "188000.00"},
]


def ceiling_need(today: dt.date) -> tuple[int, Decimal]:
    """The year and budget the ceilings must make room for (``seed._ceilings``)."""
    return service_period(KEY, today)[0].year, BUDGET


def _proposal(s, meeting: dt.datetime):
    from caidan.projects.services import proposal_create, proposal_submit

    start, end = service_period(KEY, s.today)
    proposal = proposal_create(
        actor=s.purchaser,
        unit=s.unit,
        data=ProposalInput.parse(
            title=TITLE,
            catalog_item=s.item,
            description="助餐、助浴两项服务一次采购、分两包，各包单独评审、确定承接主体和签订合同。",
            service_targets="江苏路街道辖区 70 岁以上老年人，优先独居、高龄、失能老人",
            target_groups=["老年人"],
            budget=str(BUDGET),
            funding=[{"source": "fiscal", "amount": str(BUDGET)}],
            period_start=start,
            period_end=end,
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="preferred",
            required_fields=["elderly"],
            outputs=[{"name": "服务人次", "target": "3000", "unit": "人次"}],
            outcomes=[{"name": "服务对象满意度", "target": "90", "unit": "%"}],
        ),
    )
    return proposal_submit(proposal=proposal, actor=s.purchaser)


def seed_lots(s, result) -> Stage:
    """The stage: approved, announced in two lots with a cap of one, bid, opened, reviewed,
    awarded lot by lot (the cap passes the demo provider over for lot 2) and, after both
    challenge windows, one contract drafted per lot."""
    from caidan.contracts.services import contract_create
    from caidan.procurement.services import (
        award_confirm,
        bid_submit,
        tender_create,
        tender_open,
        tender_publish,
        tender_update,
    )
    from caidan.procurement.services.lots import tender_lot_add, tender_lots_configure

    deadline = at(working_days_back(s.today, DEADLINE_WORKING_DAYS_AGO), 9, 30)
    published = deadline - dt.timedelta(days=BIDDING_DAYS)
    meeting = working_at(local_day(published - dt.timedelta(days=20)), 14)
    yield meeting - dt.timedelta(days=10)
    proposal = _proposal(s, meeting)
    yield from approve_at_meeting(
        s, proposal, meeting, reason="两项服务分包采购，同意立项。", note="，分包采购"
    )

    yield published - dt.timedelta(days=1)
    tender = tender_create(
        actor=s.purchaser,
        data=TenderInput.parse(
            proposal=proposal,
            evaluation_method="lowest_price",
            bid_security=str((BUDGET * Decimal("0.01")).quantize(Decimal("0.01"))),
        ),
    )
    tender_update(tender=tender, changes={"deadline": deadline}, actor=s.purchaser)
    lots = [
        tender_lot_add(
            tender=tender,
            changes={
                "title": title,
                "budget": budget,
                "description": description,
                "bid_security": str((Decimal(budget) * Decimal("0.01")).quantize(Decimal("0.01"))),
            },
            actor=s.purchaser,
        )
        for title, budget, description in LOTS
    ]
    tender_lots_configure(tender=tender, max_lots_per_provider=CAP, actor=s.purchaser)
    yield published
    tender_publish(tender=tender, actor=s.purchaser)

    yield deadline - dt.timedelta(days=1)
    for lot, prices in zip(lots, PRICES, strict=True):
        lot.refresh_from_db()
        for username, price in prices.items():
            actor = s.bidders[username]
            plan, team = PLANS[username]
            bid_submit(
                tender=lot,
                organization=actor.organization,
                data=BidContentInput.parse({"price": price, "plan": plan, "team": team}),
                actor=actor,
            )
    yield deadline + dt.timedelta(seconds=1)
    for lot in lots:
        tender_open(tender=lot)
    yield deadline + dt.timedelta(minutes=10)
    for lot in lots:
        lot.refresh_from_db()
        if lot.status == "evaluating":
            compliance_review(lot, s.purchaser)
    yield deadline + dt.timedelta(hours=1)
    awards = []
    for lot in lots:  # in lot order: the cap is applied in that order
        lot.refresh_from_db()
        awards.append(award_confirm(tender=lot, actor=s.purchaser))
    closed = max(a.challenge_deadline for a in awards)
    yield working_at(local_day(closed) + dt.timedelta(days=1), 10)
    for award in awards:
        contract_create(award=award, actor=s.purchaser)
    result.stages[KEY] = "tender in two lots (cap 1): two awards, two contracts drafted"
