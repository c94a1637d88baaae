"""Sealed bids: a provider or hub submits (again: replaces), lists and withdraws its own."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Schema, Status

from caidan.common.schemas import ERRORS, AsSeen, money_str

from .. import selectors, services
from ..inputs import BidContentInput
from .routing import acting_org, router, tender_for
from .schemas import TenderOut


class BidIn(Schema):
    """The bid's content, sealed at once. ``price`` (total, yuan) for most methods;
    ``per_post_price`` for post purchase (岗位购买)."""

    price: str | None = None
    per_post_price: str | None = None
    plan: str = ""
    team: str = ""


# Read from ``AsSeen(bid, server_time=…, deadline=…)``.
class BidReceiptOut(Schema):
    id: int
    tender_id: int
    status: str
    receipt: str
    seal_id: str
    submitted_at: dt.datetime
    server_time: dt.datetime
    deadline: dt.datetime | None
    replaces_id: int | None


@router.post(
    "/tenders/{tender_id}/bids",
    response={201: BidReceiptOut, **ERRORS},
    summary="递交密封投标（再次递交即替换）",
)
def submit_bid(request, tender_id: int, payload: BidIn):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    bid = services.bid_submit(
        tender=tender,
        organization=actor.organization,
        data=BidContentInput.parse(payload.dict()),
        actor=actor,
    )
    return Status(201, AsSeen(bid, server_time=timezone.now(), deadline=tender.deadline))


# A bid of the reader's organization: its price, validity and rank once opened.
class MyBidOut(Schema):
    id: int
    tender: TenderOut
    status: str
    status_label: str
    receipt: str
    submitted_at: dt.datetime
    withdrawn_at: dt.datetime | None
    opened_at: dt.datetime | None
    price: str | None
    invalid_reasons: list[str]
    rank: int | None
    replaces_id: int | None

    @staticmethod
    def resolve_status_label(b) -> str:
        return b.get_status_display()

    @staticmethod
    def resolve_price(b) -> str | None:
        return money_str(b.price) if b.opened_at is not None else None

    @staticmethod
    def resolve_invalid_reasons(b) -> list[str]:
        return list(b.invalid_reasons or []) if b.opened_at is not None else []

    @staticmethod
    def resolve_rank(b) -> int | None:
        return b.rank if b.opened_at is not None else None


@router.get(
    "/my/bids",
    response={200: list[MyBidOut], **ERRORS},
    summary="本组织的投标（状态、时间、回执）",
)
def my_bids(request, tender_id: int | None = None):
    actor = request.auth
    org = acting_org(actor)
    tender = tender_for(actor, tender_id) if tender_id is not None else None
    return selectors.bids_of(actor=actor, organization=org, tender=tender)


@router.post(
    "/bids/{bid_id}/withdraw", response={200: MyBidOut, **ERRORS}, summary="撤回投标（截止前）"
)
def withdraw_bid(request, bid_id: int):
    actor = request.auth
    bid = selectors.own_bid_get_for(actor=actor, bid_id=bid_id)
    services.bid_withdraw(bid=bid, actor=actor)
    return selectors.bid_get(bid.pk)
