"""The evaluations API over HTTP (``/api/v1/evaluations``), the purchaser's side: appointing
the evaluator, reading, adjusting and freezing the framework, scheduling evaluations, the
purchaser's own score, and the framework templates — each with its main refusals: 401
without credentials, 403 for the wrong role or scope, 400 naming the field, 409 for the
wrong lifecycle step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.evaluations.inputs import ScoresInput, TemplateInput
from caidan.evaluations.models import Framework
from caidan.evaluations.services import evaluation_publish, evaluation_score, template_save
from caidan.evaluations.services.frameworks import TEMPLATE_NAME, template_indicators
from tests.contracts.factories import draft_contract, signed_contract
from tests.evaluations.factories import waive_missing

from .api_helpers import error, get, ok, post, put
from .factories import appointed_contract, full_scores, scheduled

pytestmark = pytest.mark.django_db


# --- purchaser: evaluator, framework, schedule, own score ----------------------------------------


def test_appoint_an_evaluator(world, client, token_for):
    purchaser = token_for("purchaser")
    contract = signed_contract(world)
    url = f"/contracts/{contract.pk}/evaluator"
    evaluator_org = world.actor("evaluator").organization
    body = {"organization_id": evaluator_org.pk}

    error(post(client, url, body), 401)
    error(post(client, url, body, token_for("provider")), 403, "permission_denied")
    error(post(client, url, body, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, url, {"organization_id": 999999}, purchaser), 400, field="organization_id")
    error(post(client, url, {}, purchaser), 400, field="organization_id")
    hub = world.actor("hub").organization  # not an evaluator organization
    refused = error(
        post(client, url, {"organization_id": hub.pk}, purchaser), 400, "conflict", "organization"
    )
    assert "第三方评估机构" in refused["message"]
    provider = world.actor("provider").organization
    error(post(client, url, {"organization_id": provider.pk}, purchaser), 400, field="organization")
    error(post(client, "/contracts/999999/evaluator", body, purchaser), 404)

    got = ok(post(client, url, body, purchaser))
    assert got["contract_id"] == contract.pk and got["organization"]["name"] == evaluator_org.name
    contract.refresh_from_db()
    assert contract.evaluator_appointment.organization == evaluator_org

    draft = draft_contract(world)
    error(post(client, f"/contracts/{draft.pk}/evaluator", body, token_for("hub")), 404)
    error(post(client, f"/contracts/{draft.pk}/evaluator", body, purchaser), 409, "not_active")

    # Once scoring has begun the evaluator stays.
    e = scheduled(world, "mid", contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores={"D1": {"score": "9", "evidence": "台账"}}),
    )
    error(post(client, url, body, purchaser), 409, "started")


def _with(rows, code, **changes):
    return [{**r, **changes} if r["code"] == code else r for r in rows]


def test_framework_read_adjust_and_freeze(world, client, token_for):
    purchaser = token_for("purchaser")
    contract = appointed_contract(world)
    url = f"/contracts/{contract.pk}/framework"

    error(get(client, url), 401)
    for who in ("hub", "registrar", "purchaser2", "resident"):
        error(get(client, url, token_for(who)), 403)
    preview = ok(get(client, url, purchaser))
    assert preview["id"] is None and preview["from_template"] and preview["frozen_at"] is None
    assert preview["indicators"] == template_indicators()
    for who in ("provider", "evaluator", "admin", "auditor"):
        assert ok(get(client, url, token_for(who)))["from_template"]
    assert not Framework.objects.filter(contract=contract).exists()  # reading creates nothing

    rows = _with(preview["indicators"], "E1", name="社区融入效果", target="80%")
    error(put(client, url, {"indicators": rows}), 401)
    error(put(client, url, {"indicators": rows}, token_for("provider")), 403, "permission_denied")
    error(put(client, url, {"indicators": rows}, token_for("evaluator")), 403)
    error(put(client, url, {"indicators": rows}, token_for("purchaser2")), 403, "out_of_scope")
    error(put(client, url, {}, purchaser), 400, field="indicators")
    error(put(client, url, {"template_id": 999999}, purchaser), 400, field="template_id")
    refused = error(
        put(client, url, {"indicators": _with(rows, "D", weight="21")}, purchaser),
        400,
        field="indicators",
    )
    assert "之和须为 100" in refused["message"]
    error(
        put(client, url, {"indicators": _with(rows, "D", weight=20.5)}, purchaser),
        400,
        field="indicators.0.weight",
    )
    # A refused adjustment leaves no framework behind (made and undone in one transaction).
    assert not Framework.objects.filter(contract=contract).exists()

    adjusted = ok(put(client, url, {"indicators": rows}, purchaser))
    assert adjusted["id"] and not adjusted["from_template"]
    e1 = next(r for r in adjusted["indicators"] if r["code"] == "E1")
    assert (e1["name"], e1["target"]) == ("社区融入效果", "80%")
    assert ok(get(client, url, token_for("provider")))["indicators"] == adjusted["indicators"]

    # Switching to another template copies its indicators.
    heavy = _with(
        _with(_with(template_indicators(), "D", weight="10"), "D1", weight="5"), "D2", weight="5"
    )
    heavy = _with(_with(_with(heavy, "O", weight="50"), "O1", weight="25"), "O2", weight="12.5")
    heavy = _with(heavy, "O3", weight="12.5")
    template = template_save(
        actor=world.actor("admin"), data=TemplateInput.parse(name="产出导向模板", indicators=heavy)
    )
    switched = ok(put(client, url, {"template_id": template.pk}, purchaser))
    assert switched["id"] == adjusted["id"] and switched["indicators"] == template.indicators

    # Frozen from the first evaluation on.
    scheduled(world, "pre", contract=contract)
    frozen = ok(get(client, url, purchaser))
    assert frozen["frozen_at"] and frozen["indicators"] == template.indicators
    error(put(client, url, {"indicators": rows}, purchaser), 409, "frozen")


def test_schedule_evaluations(world, client, token_for):
    purchaser = token_for("purchaser")
    bare = signed_contract(world)
    error(
        post(client, f"/contracts/{bare.pk}/evaluations", {"stage": "mid"}, purchaser),
        409,
        "no_evaluator",
    )
    contract = appointed_contract(world)
    url = f"/contracts/{contract.pk}/evaluations"
    error(post(client, url, {"stage": "mid"}), 401)
    error(post(client, url, {"stage": "mid"}, token_for("provider")), 403, "permission_denied")
    error(post(client, url, {"stage": "mid"}, token_for("evaluator")), 403)
    error(post(client, url, {"stage": "mid"}, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, url, {"stage": "later"}, purchaser), 400, field="stage")
    error(post(client, url, {}, purchaser), 400, field="stage")
    error(post(client, url, {"stage": "pre", "due_on": "soon"}, purchaser), 400, field="due_on")

    mid = ok(post(client, url, {"stage": "mid"}, purchaser), 201)
    assert mid["stage"] == "mid" and mid["status"] == "open" and not mid["overdue"]
    assert mid["contract"]["id"] == contract.pk and mid["indicators"]
    assert dt.date.fromisoformat(mid["due_on"]) > contract.period_start
    due = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    pre = ok(post(client, url, {"stage": "pre", "due_on": due}, purchaser), 201)
    assert pre["due_on"] == due
    error(post(client, url, {"stage": "mid"}, purchaser), 409, "exists")

    # The contract's evaluations: open ones for insiders only.
    listing = f"/contracts/{contract.pk}/evaluations"
    assert ok(get(client, listing)) == []
    assert ok(get(client, listing, token_for("hub"))) == []
    assert [e["stage"] for e in ok(get(client, listing, purchaser))] == ["pre", "mid"]
    draft = draft_contract(world)
    error(get(client, f"/contracts/{draft.pk}/evaluations"), 404)


def test_purchaser_score(world, client, token_for):
    purchaser = token_for("purchaser")
    e = scheduled(world, "mid")
    url = f"/{e.pk}/purchaser-score"
    error(post(client, url, {"score": "85"}), 401)
    error(post(client, url, {"score": "85"}, token_for("provider")), 403, "permission_denied")
    error(post(client, url, {"score": "85"}, token_for("evaluator")), 403)
    error(post(client, url, {"score": "85"}, token_for("hub")), 404)
    error(post(client, url, {"score": "85"}, token_for("purchaser2")), 404)
    error(post(client, url, {"score": 85.5}, purchaser), 400, field="score")
    error(post(client, url, {"score": "101"}, purchaser), 400, field="score")
    error(post(client, url, {"score": "eighty"}, purchaser), 400, field="score")
    body = ok(post(client, url, {"score": "85.50"}, purchaser))
    assert {s["key"]: s["score"] for s in body["subjects"]}["purchaser"] == "85.50"
    e.refresh_from_db()
    assert e.purchaser_score == Decimal("85.50")

    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=e, actor=evaluator, data=ScoresInput.parse(scores=full_scores(e), summary="好")
    )
    waive_missing(world, e)
    evaluation_publish(evaluation=e, actor=evaluator)
    error(post(client, url, {"score": "90"}, purchaser), 409, "published")


# --- templates ----------------------------------------------------------------------------------


def test_templates(world, client, token_for):
    admin = token_for("admin")
    error(get(client, "/templates"), 401)
    for who in ("provider", "evaluator", "auditor"):
        error(get(client, "/templates", token_for(who)), 403, "permission_denied")
    listed = ok(get(client, "/templates", admin))["items"]
    default = next(t for t in listed if t["name"] == TEMPLATE_NAME)
    assert default["is_default"] and default["indicators"] == template_indicators()
    assert ok(get(client, "/templates", token_for("purchaser")))["items"] == listed

    body = {"name": "养老服务绩效指标", "indicators": template_indicators()}
    error(post(client, "/templates", body), 401)
    error(post(client, "/templates", body, token_for("purchaser")), 403, "permission_denied")
    error(post(client, "/templates", {**body, "name": " "}, admin), 400, field="name")
    error(post(client, "/templates", {**body, "indicators": []}, admin), 400, field="indicators")
    bad = _with(template_indicators(), "E2", computed="magic")
    error(
        post(client, "/templates", {**body, "indicators": bad}, admin),
        400,
        field="indicators.14.computed",
    )
    made = ok(post(client, "/templates", body, admin), 201)
    assert made["name"] == "养老服务绩效指标" and not made["is_default"]

    # A project's copy is not touched when its template changes later.
    contract = appointed_contract(world)
    ok(
        put(
            client,
            f"/contracts/{contract.pk}/framework",
            {"template_id": made["id"]},
            token_for("purchaser"),
        )
    )
    renamed = _with(template_indicators(), "E1", name="长者生活质量改善")
    error(put(client, f"/templates/{made['id']}", {**body, "indicators": renamed}), 401)
    error(
        put(
            client,
            f"/templates/{made['id']}",
            {**body, "indicators": renamed},
            token_for("purchaser"),
        ),
        403,
    )
    error(put(client, "/templates/999999", body, admin), 404)
    project = Framework.objects.get(contract=contract)
    error(put(client, f"/templates/{project.pk}", body, admin), 404)  # not a template
    changed = ok(
        put(
            client,
            f"/templates/{made['id']}",
            {"name": "养老服务指标", "indicators": renamed},
            admin,
        )
    )
    assert changed["name"] == "养老服务指标"
    assert any(r["name"] == "长者生活质量改善" for r in changed["indicators"])
    project.refresh_from_db()
    assert not any(r["name"] == "长者生活质量改善" for r in project.indicators)
