"""The evaluations API over HTTP (``/api/v1/evaluations``): standardisation assessments
(submitted, listed, decided) and the financial audit (plan, findings, the provider's
response, closure), with their refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.evaluations.models import AuditFinding
from tests.contracts.factories import draft_contract, signed_contract

from .api_helpers import error, get, ok, post

pytestmark = pytest.mark.django_db


# --- standardisation assessments --------------------------------------------------------------------


def test_submit_list_and_decide_assessments(world, client, token_for):
    from caidan.orgs.models import Grade

    evaluator, registrar = token_for("evaluator"), token_for("registrar")
    target = world.actor("provider").organization
    assessed = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    body = {
        "organization_id": target.pk,
        "score": "920.50",
        "proposed_level": 5,
        "report": "内部治理规范，财务管理健全。",
        "assessed_on": assessed,
    }
    error(post(client, "/assessments", body), 401)
    error(post(client, "/assessments", body, token_for("provider")), 403, "permission_denied")
    error(post(client, "/assessments", body, registrar), 403)
    error(
        post(client, "/assessments", {**body, "organization_id": 999999}, evaluator),
        400,
        field="organization_id",
    )
    own = world.actor("evaluator").organization
    error(
        post(client, "/assessments", {**body, "organization_id": own.pk}, evaluator),
        400,
        "conflict_of_interest",
        "organization",
    )
    error(post(client, "/assessments", {**body, "score": 920.5}, evaluator), 400, field="score")
    error(
        post(client, "/assessments", {**body, "proposed_level": 6}, evaluator),
        400,
        field="proposed_level",
    )
    error(post(client, "/assessments", {**body, "report": ""}, evaluator), 400, field="report")
    made = ok(post(client, "/assessments", body, evaluator), 201)
    assert made["status"] == "submitted" and made["score"] == "920.50"
    assert made["evaluator"]["id"] == own.pk and made["organization"]["id"] == target.pk
    error(post(client, "/assessments", body, evaluator), 409, "assessment_pending")

    error(get(client, "/assessments"), 401)
    error(get(client, "/assessments", token_for("purchaser")), 403)
    for who in ("registrar", "admin", "evaluator", "provider"):
        assert [a["id"] for a in ok(get(client, "/assessments", token_for(who)))] == [made["id"]]
    assert ok(get(client, "/assessments", token_for("hub"))) == []

    decide = f"/assessments/{made['id']}/decide"
    error(post(client, decide, {"confirm": True}), 401)
    error(post(client, decide, {"confirm": True}, token_for("purchaser")), 404)
    error(post(client, decide, {"confirm": True}, evaluator), 403, "permission_denied")
    error(post(client, decide, {"confirm": False}, registrar), 400, field="note")
    error(post(client, "/assessments/999999/decide", {"confirm": True}, registrar), 404)
    done = ok(post(client, decide, {"confirm": True, "note": "材料齐全"}, registrar))
    assert done["status"] == "confirmed" and done["decided_at"]
    target.refresh_from_db()
    assert target.current_grade_level == 5
    assert Grade.objects.filter(organization=target, level=5).count() == 1
    error(post(client, decide, {"confirm": True}, registrar), 409, "already_decided")


# --- financial audit --------------------------------------------------------------------------------


def test_audit_plan_findings_response_and_closure(world, client, token_for):
    auditor, purchaser, provider = (
        token_for("auditor"),
        token_for("purchaser"),
        token_for("provider"),
    )
    contract = signed_contract(world)
    year = contract.period_start.year
    unit = world.unit("310105-001").pk
    plan_body = {"year": year, "unit_id": unit, "contracts": [contract.pk], "note": "资金使用"}

    error(post(client, "/audit/plans", plan_body), 401)
    error(post(client, "/audit/plans", plan_body, purchaser), 403, "permission_denied")
    error(post(client, "/audit/plans", plan_body, token_for("admin")), 403)
    error(
        post(client, "/audit/plans", {**plan_body, "unit_id": 999999}, auditor),
        400,
        field="unit_id",
    )
    error(post(client, "/audit/plans", {**plan_body, "year": "next"}, auditor), 400, field="year")
    error(post(client, "/audit/plans", {**plan_body, "year": 1999}, auditor), 400, field="year")
    error(
        post(client, "/audit/plans", {**plan_body, "contracts": []}, auditor),
        400,
        field="contracts",
    )
    draft = draft_contract(world)
    error(
        post(client, "/audit/plans", {**plan_body, "contracts": [draft.pk]}, auditor),
        400,
        field="contracts",
    )
    plan = ok(post(client, "/audit/plans", plan_body, auditor), 201)
    assert plan["year"] == year and plan["unit"]["name"] == "江苏路街道"
    assert [c["id"] for c in plan["contracts"]] == [contract.pk]
    assert plan["coverage"]["count"] == 1 and plan["coverage"]["amount"] == "800000.00"
    assert Decimal(plan["coverage"]["share"]) > 0

    findings = f"/audit/plans/{plan['id']}/findings"
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    body = {"contract_id": contract.pk, "description": "部分支出缺少凭证。", "rectify_by": due}
    error(post(client, findings, body), 401)
    error(post(client, findings, body, purchaser), 403)
    error(post(client, "/audit/plans/999999/findings", body, auditor), 404)
    error(
        post(client, findings, {**body, "contract_id": 999999}, auditor), 400, field="contract_id"
    )
    outside = signed_contract(world)  # not in the plan
    error(
        post(client, findings, {**body, "contract_id": outside.pk}, auditor),
        400,
        field="contract_id",
    )
    today = timezone.localdate().isoformat()
    error(post(client, findings, {**body, "rectify_by": today}, auditor), 400, field="rectify_by")
    error(post(client, findings, {**body, "description": ""}, auditor), 400, field="description")
    finding = ok(post(client, findings, body, auditor), 201)
    assert finding["status"] == "open" and finding["rectify_by"] == due and not finding["overdue"]
    assert finding["contract"]["id"] == contract.pk and finding["plan_id"] == plan["id"]
    second = ok(post(client, findings, {**body, "description": "台账不全。"}, auditor), 201)

    # Who sees which findings.
    error(get(client, "/audit/findings"), 401)
    for who in ("registrar", "evaluator", "resident"):
        error(get(client, "/audit/findings", token_for(who)), 403)
    for who in ("auditor", "admin", "purchaser", "provider"):
        page = ok(get(client, "/audit/findings", token_for(who)))
        assert [f["id"] for f in page["items"]] == [finding["id"], second["id"]]
    for who in ("purchaser2", "hub"):
        assert ok(get(client, "/audit/findings", token_for(who)))["items"] == []
    assert ok(get(client, "/audit/findings?status=closed", auditor))["items"] == []
    error(get(client, "/audit/findings?status=gone", auditor), 400, field="status")
    limited = ok(get(client, "/audit/findings?limit=1", auditor))
    assert len(limited["items"]) == 1 and limited["next_cursor"]

    respond = f"/audit/findings/{finding['id']}/respond"
    error(post(client, respond, {"response": "已补齐"}), 401)
    error(post(client, respond, {"response": "已补齐"}, token_for("hub")), 404)
    error(post(client, respond, {"response": "已补齐"}, purchaser), 403)
    error(post(client, respond, {"response": " "}, provider), 400, field="response")
    answered = ok(post(client, respond, {"response": "已补齐凭证。"}, provider))
    assert answered["status"] == "responded" and answered["response"] == "已补齐凭证。"

    close = f"/audit/findings/{finding['id']}/close"
    error(post(client, close, {"note": "整改到位"}, provider), 403)
    error(post(client, close, {"note": "整改到位"}, token_for("hub")), 404)
    error(post(client, close, {"note": ""}, auditor), 400, field="note")
    error(
        post(client, f"/audit/findings/{second['id']}/close", {"note": "x"}, auditor),
        409,
        "not_responded",
    )
    closed = ok(post(client, close, {"note": "整改到位。"}, auditor))
    assert closed["status"] == "closed" and closed["closed_at"] and not closed["overdue"]
    error(post(client, close, {"note": "再次"}, auditor), 409, "closed")
    error(post(client, respond, {"response": "补充"}, provider), 409, "closed")
    error(post(client, "/audit/findings/999999/respond", {"response": "x"}, provider), 404)

    # A finding past its deadline and not closed is flagged overdue.
    AuditFinding.objects.filter(pk=second["id"]).update(
        rectify_by=timezone.localdate() - dt.timedelta(days=1)
    )
    rows = {f["id"]: f for f in ok(get(client, "/audit/findings", auditor))["items"]}
    assert rows[second["id"]]["overdue"] and not rows[finding["id"]]["overdue"]
