"""The contract pages: payments through the form, refused before the gate and for the wrong
party; the gates opened by evaluations, never by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from caidan.contracts.models import Payment
from caidan.evaluations.inputs import ScoresInput
from tests.evaluations.factories import waive_missing

from .factories import signed_contract
from .view_helpers import TODAY, _html

pytestmark = pytest.mark.django_db


# --- payments ---------------------------------------------------------------------------------


def test_purchaser_records_the_first_payment(world, login):
    c = signed_contract(world)
    first = c.instalments.get(sequence=1)
    client = login("purchaser")
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert f"/contracts/{c.pk}/instalments/{first.pk}/pay/" in html
    response = client.get(f"/contracts/{c.pk}/instalments/{first.pk}/pay/")
    assert response.status_code == 200
    assert 'value="400000.00"' in _html(response) and "disabled" in _html(response)
    response = client.post(
        f"/contracts/{c.pk}/instalments/{first.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "", "amount": "1.00"},
    )
    assert response.status_code == 200 and "voucher" in response.context["form"].errors
    response = client.post(
        f"/contracts/{c.pk}/instalments/{first.pk}/pay/",
        {
            "paid_on": (TODAY() + dt.timedelta(days=3)).isoformat(),
            "voucher": "PZ-1",
        },
    )
    assert response.status_code == 200 and "paid_on" in response.context["form"].errors
    response = client.post(
        f"/contracts/{c.pk}/instalments/{first.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "PZ-2026-001", "amount": "1.00"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(instalment=first)
    assert payment.amount == Decimal("400000.00") and payment.voucher == "PZ-2026-001"
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert "PZ-2026-001" in html and TODAY().isoformat() in html


def test_payment_before_the_gate_is_refused_on_the_form(world, login):
    c = signed_contract(world)
    second = c.instalments.get(sequence=2)
    response = login("purchaser").post(
        f"/contracts/{c.pk}/instalments/{second.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "PZ-2"},
    )
    assert response.status_code == 200
    assert "尚未达成" in " ".join(response.context["form"].non_field_errors())
    assert not Payment.objects.filter(instalment=second).exists()


def test_provider_and_other_purchasers_cannot_record_payments(world, client, login):
    c = signed_contract(world)
    first = c.instalments.get(sequence=1)
    url = f"/contracts/{c.pk}/instalments/{first.pk}/pay/"
    data = {"paid_on": TODAY().isoformat(), "voucher": "PZ-1"}
    assert client.post(url, data).status_code == 302  # to login
    assert login("provider").get(url).status_code == 403
    assert login("provider").post(url, data).status_code == 403
    assert login("purchaser2").post(url, data).status_code == 403
    assert not Payment.objects.filter(instalment=first).exists()
    assert f"/instalments/{first.pk}/pay/" not in _html(
        login("provider").get(f"/contracts/{c.pk}/")
    )


def _pass_midterm(world, contract):
    """Open the second gate the only way there is: a passed, published mid-term evaluation."""
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    e = scheduled(world, "mid", contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )
    waive_missing(world, e)
    return evaluation_publish(evaluation=e, actor=world.actor("evaluator"))


def test_gates_are_opened_by_evaluations_not_by_hand(world, client, login):
    from tests.evaluations.factories import appointed_contract

    c = appointed_contract(world)
    second = c.instalments.get(sequence=2)
    assert client.get(f"/contracts/{c.pk}/instalments/{second.pk}/gate/").status_code == 404
    client = login("purchaser")
    assert (
        client.post(
            f"/contracts/{c.pk}/instalments/{second.pk}/gate/", {"note": "中期评估合格"}
        ).status_code
        == 404
    )
    html = _html(client.get(f"/contracts/{c.pk}/"))
    plan = html[html.index('data-testid="payment-plan"') :]
    assert "待中期测评通过" in plan and "待终期评估通过" in plan
    assert f'href="/evaluations/contracts/{c.pk}/"' in plan
    assert f"/instalments/{second.pk}/pay/" not in html
    e = _pass_midterm(world, c)
    second.refresh_from_db()
    assert second.gate_opened_at and "中期测评" in second.gate_note
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert second.gate_note in html and f"/instalments/{second.pk}/pay/" in html
    assert "待中期测评通过" not in html and "待终期评估通过" in html
    assert str(e.total) in _html(login("resident").get(f"/contracts/{c.pk}/"))  # public note


def test_a_passed_midterm_lets_the_purchaser_pay_the_second_instalment(world, login):
    from tests.evaluations.factories import appointed_contract

    c = appointed_contract(world)
    _pass_midterm(world, c)
    second = c.instalments.get(sequence=2)
    client = login("purchaser")
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert f"/contracts/{c.pk}/instalments/{second.pk}/pay/" in html
    response = client.post(
        f"/contracts/{c.pk}/instalments/{second.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "PZ-2"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(instalment=second).amount == second.amount
