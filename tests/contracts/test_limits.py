"""Contract limits that hold exactly: the performance security is at most 10 % of the
contract amount (实施条例 §48, compared without rounding) and a contract lasts at most one
year — it ends at the latest the day before the anniversary of its start, 29 February
included (common/periods, 民法典 §201–§202); a renewal follows with no gap or overlap.
Through the services and the API."""

from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.common.errors import ValidationError
from caidan.contracts.inputs import ContractTermsInput
from caidan.contracts.services import (
    contract_amend,
    contract_create,
    contract_renew,
    contract_sign,
    contract_update,
)

from .api_helpers import call, error, ok
from .factories import demo_provider

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def _after_challenge_window(fn) -> dict:
    """Draft and sign two months on, when the challenge window has closed (for services
    that take ``now``; the signing rules themselves are tested elsewhere)."""
    if "now" in inspect.signature(fn).parameters:
        return {"now": timezone.now() + dt.timedelta(days=60)}
    return {}


def award_for(world):
    """A lowest-price tender won by the demo provider at 800,000.00, the award confirmed now
    (its challenge window is still open: the contract is drafted two months on)."""
    from caidan.procurement.services import award_confirm
    from tests.procurement.factories import make_bidders, opened_tender

    tender = opened_tender(
        world,
        prices=("800000.00", "900000.00", "950000.00"),
        evaluation_method="lowest_price",
        bidders=[demo_provider(world), *make_bidders(world, 2)],
    )
    assert tender.status == "evaluated", tender.failed_reason
    return award_confirm(tender=tender, actor=world.actor("purchaser"))


def draft_contract(world, **terms):
    return contract_create(
        award=award_for(world),
        actor=world.actor("purchaser"),
        data=ContractTermsInput.parse(**terms),
        **_after_challenge_window(contract_create),
    )


def signed_contract(world, **terms):
    c = draft_contract(world, **terms)
    for who in ("purchaser", "provider"):
        contract_sign(contract=c, actor=world.actor(who), **_after_challenge_window(contract_sign))
    c.refresh_from_db()
    assert c.status == "active"
    return c


# (amount, performance security, accepted). 10 % of 500,000.05 is 50,000.005: half-up
# rounding used to allow 50,000.01.
SECURITY = [
    ("500000.05", "50000.00", True),
    ("500000.05", "50000.01", False),
    ("800000.00", "79999.99", True),
    ("800000.00", "80000.00", True),
    ("800000.00", "80000.01", False),
    ("800000.00", "0.00", True),
    ("800000.00", "-0.01", False),
]

# (start, end, accepted): at most one year, both days included.
PERIODS = [
    ("2026-01-01", "2026-12-31", True),
    ("2026-01-01", "2027-01-01", False),  # the anniversary itself: one day too long
    ("2027-03-01", "2028-02-29", True),  # a leap year inside the period
    ("2027-03-01", "2028-03-01", False),
    ("2028-02-29", "2029-02-28", True),  # leap-day start: no 2029-02-29, ends 28 February
    ("2028-02-29", "2029-03-01", False),
    ("2028-02-28", "2029-02-27", True),
    ("2028-02-28", "2029-02-28", False),
]


def test_performance_security_and_period_in_the_services(world):
    purchaser = world.actor("purchaser")
    c = draft_contract(world)
    for amount, security, accepted in SECURITY:
        changes = {"amount": amount, "performance_security": security}
        if accepted:
            c = contract_update(contract=c, changes=changes, actor=purchaser)
            assert c.performance_security == Decimal(security)
        else:
            with pytest.raises(ValidationError) as exc:
                contract_update(contract=c, changes=changes, actor=purchaser)
            assert exc.value.field == "performance_security"
            if Decimal(security) > 0:
                assert "实施条例 §48" in exc.value.message
                assert f"至多 ¥{Decimal(amount) / 10:,.2f}"[:-1] in exc.value.message
    for start, end, accepted in PERIODS:
        changes = {"period_start": start, "period_end": end}
        if accepted:
            c = contract_update(contract=c, changes=changes, actor=purchaser)
            assert (c.period_start, c.period_end) == (D(start), D(end))
        else:
            with pytest.raises(ValidationError) as exc:
                contract_update(contract=c, changes=changes, actor=purchaser)
            assert exc.value.field == "period_end"
            assert "不超过一年" in exc.value.message and "民法典" in exc.value.message


def test_limits_through_the_api(world, client, token_for):
    headers = token_for("purchaser")
    c = draft_contract(world)
    path = f"/{c.pk}"
    body = error(
        call(
            client,
            "PATCH",
            path,
            {"amount": "500000.05", "performance_security": "50000.01"},
            headers,
        ),
        400,
        field="performance_security",
    )
    assert "至多 ¥50,000.00，" in body["message"] and "实施条例 §48" in body["message"]
    got = ok(
        call(
            client,
            "PATCH",
            path,
            {"amount": "500000.05", "performance_security": "50000.00"},
            headers,
        )
    )
    assert got["performance_security"] == "50000.00"
    body = error(
        call(
            client,
            "PATCH",
            path,
            {"period_start": "2026-01-01", "period_end": "2027-01-01"},
            headers,
        ),
        400,
        field="period_end",
    )
    assert "2026-12-31" in body["message"]
    got = ok(
        call(
            client,
            "PATCH",
            path,
            {"period_start": "2028-02-29", "period_end": "2029-02-28"},
            headers,
        )
    )
    assert (got["period_start"], got["period_end"]) == ("2028-02-29", "2029-02-28")


@pytest.mark.parametrize(
    ("start", "end", "new_start", "new_end"),
    [
        ("2028-02-29", "2029-02-28", "2029-03-01", "2030-02-28"),
        ("2027-03-01", "2028-02-29", "2028-03-01", "2029-02-28"),
    ],
)
def test_renewal_of_a_leap_day_contract(world, start, end, new_start, new_end):
    purchaser = world.actor("purchaser")
    c = signed_contract(world, period_start=start, period_end=end)
    contract_amend(
        contract=c,
        changes={"renewal_intent": True, "renewal_years": 2},
        rationale="需求稳定，约定续签一年",
        actor=purchaser,
    )
    second = contract_renew(contract=c, actor=purchaser)
    assert (second.period_start, second.period_end) == (D(new_start), D(new_end))
    assert second.period_start == c.period_end + dt.timedelta(days=1)
