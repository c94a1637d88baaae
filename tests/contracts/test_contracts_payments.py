"""Contracts: payment gates and payments, also under concurrency; amendments and versions
(DOMAIN.md §3.5, §4.1)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.contracts.inputs import PaymentInput
from caidan.contracts.models import ContractVersion, Payment
from caidan.contracts.services import contract_amend, payment_record

from .factories import draft_contract, signed_contract
from .helpers import amounts, pay

pytestmark = pytest.mark.django_db


# --- payments ------------------------------------------------------------------------------------


def test_gate_not_met_refuses_payment_and_paid_twice_refused(world):
    c = signed_contract(world)
    pay(world, c, 1)
    with pytest.raises(Conflict) as exc:
        pay(world, c, 1)
    assert exc.value.code == "already_paid"
    with pytest.raises(Conflict) as exc:
        pay(world, c, 2)
    assert exc.value.code == "gate_closed" and "中期评估" in exc.value.message
    assert Payment.objects.filter(instalment__contract=c).count() == 1


def test_payment_must_be_the_instalment_amount_and_dated_sensibly(world):
    c = signed_contract(world)
    inst = c.instalments.get(sequence=1)
    with pytest.raises(ValidationError) as exc:
        payment_record(
            instalment=inst,
            actor=world.actor("purchaser"),
            data=PaymentInput.parse(paid_on=timezone.localdate(), voucher="PZ", amount="399999.99"),
        )
    assert exc.value.field == "amount"
    with pytest.raises(ValidationError) as exc:
        payment_record(
            instalment=inst,
            actor=world.actor("purchaser"),
            data=PaymentInput.parse(
                paid_on=timezone.localdate() + dt.timedelta(days=1), voucher="PZ"
            ),
        )
    assert exc.value.field == "paid_on"
    with pytest.raises(PermissionDenied):
        payment_record(
            instalment=inst,
            actor=world.actor("provider"),
            data=PaymentInput.parse(paid_on=timezone.localdate(), voucher="PZ"),
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_payment_refused_under_concurrency(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    c = signed_contract(world)
    inst = c.instalments.get(sequence=1)
    barrier = threading.Barrier(2)
    results = []

    def attempt(n):
        try:
            barrier.wait()
            payment_record(
                instalment=inst,
                actor=world.actor("purchaser"),
                data=PaymentInput.parse(paid_on=timezone.localdate(), voucher=f"PZ-{n}"),
            )
            results.append("paid")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_paid", "paid"]
    assert Payment.objects.filter(instalment=inst).count() == 1


# --- amendments -----------------------------------------------------------------------------------


def test_amendment_resplits_unpaid_instalments_and_keeps_the_original(world):
    c = signed_contract(world)
    pay(world, c, 1)  # 400,000.00 paid
    with pytest.raises(ValidationError) as exc:
        contract_amend(
            contract=c,
            changes={"amount": "700000.01"},
            rationale=" ",
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "rationale"
    a = contract_amend(
        contract=c,
        changes={"amount": "700000.01"},
        rationale="服务对象减少 120 人，相应核减服务费",
        actor=world.actor("purchaser"),
    )
    c.refresh_from_db()
    assert c.version == 2 and a.version == 2
    assert a.changes["amount"] == ["800000.00", "700000.01"]
    got = amounts(c)
    assert got[0] == Decimal("400000.00")  # paid: unchanged
    assert sum(got) == Decimal("700000.01")
    assert got[1] > got[2]  # 35 : 15 of the remainder
    original = ContractVersion.objects.get(contract=c, version=1)
    assert original.terms["amount"] == "800000.00"
    assert ContractVersion.objects.get(contract=c, version=2).terms["amount"] == "700000.01"
    with pytest.raises(ValidationError):
        contract_amend(
            contract=c,
            changes={"amount": "399999.99"},
            rationale="再减",
            actor=world.actor("purchaser"),
        )


def test_amendment_only_on_an_active_contract_and_with_changes(world):
    c = draft_contract(world)
    with pytest.raises(Conflict):
        contract_amend(
            contract=c, changes={"quantity": "x"}, rationale="r", actor=world.actor("purchaser")
        )
