"""Tenders in lots for the tests (issue 21): a draft with lots, published, bid per lot."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from caidan.procurement.services import tender_publish, tender_update
from caidan.procurement.services.lots import tender_lot_add, tender_lots_configure

from .factories import draft_tender, next_working_deadline, open_now, submit_bids


def lotted_draft(
    world,
    *,
    budgets=("400000.00", "400000.00"),
    cap=None,
    budget="1000000.00",
    evaluation_method="lowest_price",
):
    purchaser = world.actor("purchaser")
    parent = draft_tender(
        world, budget=budget, evaluation_method=evaluation_method, committee_size=5
    )
    for n, amount in enumerate(budgets, start=1):
        tender_lot_add(
            tender=parent,
            changes={
                "title": f"第{n}包 社区养老服务 {n}",
                "budget": amount,
                "bid_security": "0.00",
                "description": f"第{n}包的服务内容",
            },
            actor=purchaser,
        )
    if cap is not None:
        tender_lots_configure(tender=parent, max_lots_per_provider=cap, actor=purchaser)
    parent.refresh_from_db()
    return parent


def publish(world, parent, *, days=25):
    purchaser = world.actor("purchaser")
    now = timezone.now()
    deadline = next_working_deadline(now + dt.timedelta(days=days - 1))
    tender_update(tender=parent, changes={"deadline": deadline}, actor=purchaser)
    tender_publish(tender=parent, actor=purchaser, now=min(now, deadline - dt.timedelta(days=30)))
    parent.refresh_from_db()
    return parent


def lots_of(parent):
    return list(parent.lots.order_by("lot_number"))


def bid_and_open(world, lot, prices, bidders):
    """``bidders`` bid ``prices`` on ``lot``; the lot is opened (and, under the lowest-price
    method, reviewed and ranked by its committee)."""
    from .factories import committee_passes_all

    submit_bids(world, lot, prices, bidders=bidders)
    lot = open_now(lot)
    if lot.status == "evaluating" and lot.evaluation_method == "lowest_price":
        lot = committee_passes_all(world, lot)
    return lot
