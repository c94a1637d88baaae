"""Bid security is at most 2 % of the budget (实施条例 §33), compared exactly: the cap
never rounds up, so one fen above the exact share is refused even when 2 % of the budget
has a third decimal. Through the services and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caidan.common.errors import ValidationError
from caidan.procurement.inputs import TenderInput
from caidan.procurement.services import tender_create, tender_update

from .api_helpers import call, error, post
from .factories import approved_proposal, tender_data

pytestmark = pytest.mark.django_db

# (budget, bid security, accepted): 2 % of 1,000,000.33 is 20,000.0066 — half-up rounding
# used to let 20,000.01 through; 2 % of 1,000,000.25 is 20,000.005 (half up: 20,000.01).
CASES = [
    ("1000000.33", "20000.00", True),
    ("1000000.33", "20000.01", False),
    ("1000000.25", "20000.00", True),
    ("1000000.25", "20000.01", False),
    ("1000000.00", "19999.99", True),
    ("1000000.00", "20000.00", True),
    ("1000000.00", "20000.01", False),
    ("1000000.00", "0.00", True),
]


def test_bid_security_cap_is_exact_in_the_services(world):
    purchaser = world.actor("purchaser")
    proposal = approved_proposal(world, budget="1000000.33")
    tender = tender_create(
        actor=purchaser, data=TenderInput.parse(proposal=proposal, **tender_data(bid_security="0"))
    )
    for budget, security, ok in CASES:
        changes = {"budget": budget, "bid_security": security}
        if ok:
            tender = tender_update(tender=tender, changes=changes, actor=purchaser)
            assert tender.bid_security == Decimal(security)
        else:
            with pytest.raises(ValidationError) as exc:
                tender_update(tender=tender, changes=changes, actor=purchaser)
            assert exc.value.field == "bid_security"
            assert "实施条例 §33" in exc.value.message
            assert "至多 ¥20,000.00，" in exc.value.message, exc.value.message


def test_bid_security_refused_one_fen_above_on_create(world):
    proposal = approved_proposal(world, budget="1000000.33")
    with pytest.raises(ValidationError) as exc:
        tender_create(
            actor=world.actor("purchaser"),
            data=TenderInput.parse(proposal=proposal, **tender_data(bid_security="20000.01")),
        )
    assert exc.value.field == "bid_security"


def test_bid_security_cap_through_the_api(world, client, token_for):
    headers = token_for("purchaser")
    proposal = approved_proposal(world, budget="1000000.33")
    body = {
        "proposal_id": proposal.pk,
        "title": "独居老人探访（保证金上限）",
        "bid_security": "20000.01",
        "price_points": 30,
        "factors": [
            {"id": "plan", "name": "服务方案", "max": 45},
            {"id": "team", "name": "团队", "max": "25"},
        ],
    }
    refused = error(post(client, "/tenders", body, headers), 400, field="bid_security")
    assert "实施条例 §33" in refused["message"]
    resp = post(client, "/tenders", {**body, "bid_security": "20000.00"}, headers)
    assert resp.status_code == 201, resp.content
    tid = resp.json()["id"]
    path = f"/tenders/{tid}"
    error(
        call(client, "PATCH", path, {"bid_security": "20000.01"}, headers),
        400,
        field="bid_security",
    )
    resp = call(client, "PATCH", path, {"bid_security": "19999.99"}, headers)
    assert resp.status_code == 200 and resp.json()["bid_security"] == "19999.99", resp.content
