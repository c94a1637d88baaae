"""The contracts API over HTTP (``/api/v1/contracts``): payments, and the gates that only
evaluations open — with their refusals, and what outsiders may not know of a draft's
instalments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.evaluations.inputs import ScoresInput
from tests.evaluations.factories import waive_missing

from .api_helpers import error, get, ok, post
from .factories import draft_contract

pytestmark = pytest.mark.django_db


# --- payments -------------------------------------------------------------------------------------


def test_payments_and_gates_opened_only_by_evaluations(world, client, token_for):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    purchaser, provider = token_for("purchaser"), token_for("provider")
    midterm = scheduled(world, "mid")  # a signed contract, evaluator appointed, mid-term due
    c = midterm.contract
    first, second, third = c.instalments.order_by("sequence")
    today = timezone.localdate().isoformat()
    pay = {"paid_on": today, "voucher": "PZ-001"}
    url = f"/instalments/{first.pk}/payment"

    error(post(client, url, pay), 401)
    error(post(client, url, pay, provider), 403, "permission_denied")
    error(post(client, url, pay, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, url, {**pay, "paid_on": "notadate"}, purchaser), 400, field="paid_on")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    error(post(client, url, {**pay, "paid_on": tomorrow}, purchaser), 400, field="paid_on")
    error(post(client, url, {**pay, "voucher": ""}, purchaser), 400, field="voucher")
    error(post(client, url, {**pay, "amount": "399999.99"}, purchaser), 400, field="amount")
    error(post(client, f"/instalments/{second.pk}/payment", pay, purchaser), 409, "gate_closed")
    error(post(client, "/instalments/999999/payment", pay, purchaser), 404)

    paid = ok(post(client, url, pay, purchaser), 201)
    assert paid["paid"] and paid["paid_amount"] == "400000.00" and paid["paid_on"] == today
    assert paid["voucher"] == "PZ-001"
    assert paid["gate_note"] == "合同已签订" and paid["gate_evaluation_id"] is None
    error(post(client, url, {**pay, "voucher": "PZ-002"}, purchaser), 409, "already_paid")

    public = ok(get(client, f"/{c.pk}"))["instalments"][0]
    assert public["paid"] and public["paid_on"] == today and public["voucher"] is None
    assert ok(get(client, f"/{c.pk}", provider))["instalments"][0]["voucher"] == "PZ-001"
    assert (
        ok(get(client, f"/{c.pk}", token_for("auditor")))["instalments"][0]["voucher"] == "PZ-001"
    )
    assert ok(get(client, f"/{c.pk}", token_for("hub")))["instalments"][0]["voucher"] is None

    # No one opens a gate by hand any more: the endpoint is gone.
    paths = ok(client.get("/api/v1/openapi.json"))["paths"]
    assert not any(p.endswith("/gate") for p in paths)
    assert post(
        client, f"/instalments/{second.pk}/gate", {"note": "合格"}, purchaser
    ).status_code in (
        404,
        405,
    )

    # A passed mid-term evaluation opens the second gate, and only it; the instalment says so.
    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=midterm,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(midterm, "0.9"), summary="合格"),
    )
    waive_missing(world, midterm)
    midterm = evaluation_publish(evaluation=midterm, actor=evaluator)
    _, opened, closed = ok(get(client, f"/{c.pk}"))["instalments"]
    assert opened["gate_open"] and opened["gate_opened_at"] and not opened["paid"]
    note = f"中期测评结果：{midterm.get_grade_display()}（{midterm.total} 分）"
    assert opened["gate_note"] == note and opened["gate_evaluation_id"] == midterm.pk
    assert not closed["gate_open"] and closed["gate_note"] == ""
    assert closed["gate_evaluation_id"] is None
    paid = ok(post(client, f"/instalments/{second.pk}/payment", pay, purchaser), 201)
    assert paid["paid_amount"] == "280000.00" and paid["gate_evaluation_id"] == midterm.pk
    error(post(client, f"/instalments/{third.pk}/payment", pay, purchaser), 409, "gate_closed")

    # A passed final evaluation opens the third.
    final = scheduled(world, "final", contract=c)
    evaluation_score(
        evaluation=final,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(final, "0.85"), summary="良好"),
    )
    waive_missing(world, final)
    final = evaluation_publish(evaluation=final, actor=evaluator)
    paid = ok(post(client, f"/instalments/{third.pk}/payment", pay, purchaser), 201)
    assert paid["gate_note"] == f"终期评估结果：{final.get_grade_display()}（{final.total} 分）"
    assert paid["gate_evaluation_id"] == final.pk


def test_a_poor_midterm_leaves_the_second_gate_closed(world, client, token_for):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    midterm = scheduled(world, "mid")
    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=midterm,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(midterm, "0.5"), summary="差"),
    )
    waive_missing(world, midterm)
    assert evaluation_publish(evaluation=midterm, actor=evaluator).grade == "poor"
    second = ok(get(client, f"/{midterm.contract_id}"))["instalments"][1]
    assert not second["gate_open"] and second["gate_evaluation_id"] is None
    pay = {"paid_on": timezone.localdate().isoformat(), "voucher": "PZ-9"}
    error(
        post(client, f"/instalments/{second['id']}/payment", pay, token_for("purchaser")),
        409,
        "gate_closed",
    )


def test_instalments_of_a_draft_are_unknown_to_outsiders(world, client, token_for):
    c = draft_contract(world)
    first = c.instalments.get(sequence=1)
    pay = {"paid_on": timezone.localdate().isoformat(), "voucher": "PZ"}
    error(post(client, f"/instalments/{first.pk}/payment", pay, token_for("hub")), 404)
    error(post(client, f"/instalments/{first.pk}/payment", pay, token_for("purchaser2")), 404)
    error(
        post(client, f"/instalments/{first.pk}/payment", pay, token_for("purchaser")),
        409,
        "not_active",
    )
