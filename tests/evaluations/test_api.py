"""The evaluations API over HTTP (``/api/v1/evaluations``): every endpoint's happy path and
its main refusals — 401 without credentials, 403 for the wrong role or scope, 404 for what
the caller may not know exists (an open evaluation), 400 naming the field, 409 for the wrong
lifecycle step — what the public sees of results, surveys and hearings, and one survey token
answering once even when two submissions race."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput, SurveyInput, TemplateInput
from caidan.evaluations.models import (
    AuditFinding,
    EvaluationStatus,
    Framework,
    SurveyResponse,
    TrackRecord,
)
from caidan.evaluations.services import (
    evaluation_publish,
    evaluation_purchaser_score,
    evaluation_score,
    template_save,
)
from caidan.evaluations.services.frameworks import TEMPLATE_NAME, template_indicators
from tests.contracts.factories import draft_contract, signed_contract

from .factories import appointed_contract, full_scores, scheduled

pytestmark = pytest.mark.django_db

API = "/api/v1/evaluations"
LIKERT = ("attitude", "timeliness", "effect", "frequency", "overall")


# --- helpers ------------------------------------------------------------------------------------


def call(client, method: str, path: str, data=None, headers=None):
    fn = getattr(client, method.lower())
    kwargs = dict(headers or {})
    if method.upper() != "GET":
        kwargs.update(data=data if data is not None else {}, content_type="application/json")
    return fn(f"{API}{path}", **kwargs)


def get(client, path, headers=None):
    return call(client, "GET", path, headers=headers)


def post(client, path, data=None, headers=None):
    return call(client, "POST", path, data, headers)


def put(client, path, data=None, headers=None):
    return call(client, "PUT", path, data, headers)


def ok(resp, status: int = 200):
    assert resp.status_code == status, resp.content[:500]
    return resp.json()


def error(resp, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert resp.status_code == status, resp.content[:500]
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert body["detail"].get("field") == field, body
    return body


def published(world, stage="final", fraction="0.9", contract=None):
    """An evaluation scored at ``fraction`` of every weight and published."""
    e = scheduled(world, stage, contract=contract)
    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=e,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(e, fraction), summary="结论"),
    )
    return evaluation_publish(evaluation=e, actor=evaluator)


def current_contract(world, appoint=True):
    """A signed contract whose service period began 60 days ago (hearings can be held)."""
    start = timezone.localdate() - dt.timedelta(days=60)
    end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    make = appointed_contract if appoint else signed_contract
    return make(world, period_start=start, period_end=end)


def likert(value):
    return dict.fromkeys(LIKERT, value)


def new_survey(client, contract, headers, tokens=3, **overrides):
    today = timezone.localdate()
    body = {
        "title": "长者探访服务满意度调查",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "tokens": tokens,
        **overrides,
    }
    return post(client, f"/contracts/{contract.pk}/surveys", body, headers)


# --- public results -----------------------------------------------------------------------------


def test_results_list_keyset_filters_and_constant_queries(world, client, token_for):
    first = published(world, "final", "0.85")
    second = published(world, "mid", "1")
    still_open = scheduled(world, "mid")
    poor = published(world, "final", "0.5")  # last: 差 bars the provider from new tenders
    ids = [poor.pk, second.pk, first.pk]  # newest first

    seen, cursor, pages = [], None, 0
    while True:
        page = ok(get(client, "?limit=2" + (f"&cursor={cursor}" if cursor else "")))
        pages += 1
        assert page["limit"] == 2 and len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids and still_open.pk not in seen and pages == 2

    item = ok(get(client, "?limit=3"))["items"][0]
    assert item["stage"] == "final" and item["stage_label"] == "终期评估"
    assert item["grade"] == "poor" and item["grade_label"] == "差" and not item["passed"]
    assert item["total"] == str(poor.total) and item["status"] == "published"
    assert item["contract"]["unit"]["name"] == "江苏路街道"
    assert item["contract"]["organization"]["name"] == "阳光家庭综合服务中心"
    assert item["url"] == f"/evaluations/{poor.pk}/"

    finals = ok(get(client, "?stage=final"))["items"]
    assert [e["id"] for e in finals] == [poor.pk, first.pk]
    assert [e["id"] for e in ok(get(client, "?grade=poor"))["items"]] == [poor.pk]
    provider = world.actor("provider").organization.pk
    assert [e["id"] for e in ok(get(client, f"?organization_id={provider}"))["items"]] == ids
    hub = world.actor("hub").organization.pk
    assert ok(get(client, f"?organization_id={hub}"))["items"] == []
    error(get(client, "?stage=later"), 400, field="stage")
    error(get(client, "?grade=A"), 400, field="grade")
    error(get(client, "?cursor=bm9wZQ"), 400, field="cursor")
    error(get(client, "?limit=0"), 400, field="limit")
    error(get(client, f"?organization_id={2**70}"), 400, field="organization_id")

    # The number of queries does not grow with the page (and stays small), token or not.
    for headers in ({}, token_for("purchaser")):
        counts = {}
        for limit in (1, 3):
            with CaptureQueriesContext(connection) as ctx:
                assert len(ok(get(client, f"?limit={limit}", headers))["items"]) == limit
            counts[limit] = len(ctx.captured_queries)
        assert counts[1] == counts[3], counts
    assert counts[3] <= 6


def test_open_evaluation_is_for_insiders_published_for_everyone(world, client, token_for):
    e = scheduled(world, "mid")
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores={"D1": {"score": "9", "evidence": "立项程序完整"}}),
    )
    evaluation_purchaser_score(
        evaluation=e, actor=world.actor("purchaser"), data=PurchaserScoreInput.parse(score="85")
    )
    url = f"/{e.pk}"

    error(get(client, url), 401)
    for who in ("hub", "purchaser2", "registrar", "resident", "expert"):
        error(get(client, url, token_for(who)), 404)
    for who in ("purchaser", "provider", "evaluator", "admin", "auditor"):
        body = ok(get(client, url, token_for(who)))
        assert body["status"] == "open" and body["total"] is None and body["grade"] == ""
    assert body["evaluator"]["name"] == "上海申杰社会组织培育评估中心"
    assert body["framework"]["frozen_at"]  # frozen at scheduling
    rows = {r["code"]: r for r in body["indicators"]}
    assert rows["D1"]["evidence"] == "立项程序完整" and rows["D1"]["points"] == "9"
    assert rows["D1"]["evaluator_score"] == "9" and rows["D"]["leaf"] is False
    assert rows["D2"]["points"] is None and rows["D2"]["evidence"] is None
    subjects = {s["key"]: s for s in body["subjects"]}
    assert subjects["purchaser"]["score"] == "85.00" and subjects["evaluator"]["score"] is None
    error(get(client, "/999999"), 404)
    error(get(client, f"/{2**70}"), 404)

    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=e,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(e), summary="按计划推进"),
    )
    e = evaluation_publish(evaluation=e, actor=evaluator)
    body = ok(get(client, url))  # anonymous, once published
    assert body["status"] == "published" and body["published_at"]
    assert body["total"] == str(e.total) and body["grade"] == e.grade and body["passed"]
    assert body["summary"] == "按计划推进"
    rows = {r["code"]: r for r in body["indicators"]}
    leaves = [r for r in body["indicators"] if r["leaf"]]
    assert all(r["points"] is not None and r["evidence"] for r in leaves)
    # 资金到位率 is computed from the payments (nothing paid yet: 0 %), not the hand score.
    assert rows["P1.1"]["formula"] == "fund_arrival" and rows["P1.1"]["rate"] == "0.0000"
    assert rows["P1.1"]["computed_points"] == "0.00" and rows["P1.1"]["points"] == "0.00"
    level1 = sum(Decimal(r["points"]) for r in body["indicators"] if r["level"] == 1)
    subjects = {s["key"]: s for s in body["subjects"]}
    assert level1 == Decimal(subjects["evaluator"]["score"]) == e.evaluator_score
    assert subjects["purchaser"]["weight"] == 30 and subjects["evaluator"]["weight"] == 40
    assert subjects["recipients"]["score"] is None  # no survey


def test_track_record_lists_final_results_with_the_average(world, client):
    provider = world.actor("provider").organization
    first = published(world, "final", "0.85")
    second = published(world, "final", "1")
    published(world, "mid", "1")  # a mid-term result is no track record
    body = ok(get(client, f"/track-records/{provider.pk}"))
    assert body["organization"]["name"] == "阳光家庭综合服务中心"
    assert body["count"] == 2 == TrackRecord.objects.filter(organization=provider).count()
    assert {r["evaluation_id"] for r in body["items"]} == {first.pk, second.pk}
    assert body["average"] == str(((first.total + second.total) / 2).quantize(Decimal("0.01")))
    row = next(r for r in body["items"] if r["evaluation_id"] == first.pk)
    assert row["total"] == str(first.total) and row["grade"] == first.grade
    assert row["contract"]["id"] == first.contract_id and row["year"] == (
        first.contract.period_start.year
    )
    hub = world.actor("hub").organization
    empty = ok(get(client, f"/track-records/{hub.pk}"))
    assert empty["count"] == 0 and empty["average"] is None and empty["items"] == []
    error(get(client, "/track-records/999999"), 404)


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
    evaluation_publish(evaluation=e, actor=evaluator)
    error(post(client, url, {"score": "90"}, purchaser), 409, "published")


# --- evaluator: scoring and publication ------------------------------------------------------------


def test_score_publish_and_the_gate_it_opens(world, client, token_for):
    evaluator = token_for("evaluator")
    e = scheduled(world, "mid")
    other = scheduled(world, "final")

    error(get(client, "/my/evaluations"), 401)
    error(get(client, "/my/evaluations", token_for("purchaser")), 403, "permission_denied")
    mine = ok(get(client, "/my/evaluations", evaluator))["items"]
    assert e.due_on < other.due_on  # soonest due first
    assert [x["id"] for x in mine] == [e.pk, other.pk] and mine[0]["status"] == "open"
    error(get(client, "/my/evaluations?status=done", evaluator), 400, field="status")

    url = f"/{e.pk}/scores"
    one = {"scores": {"D1": {"score": "9", "evidence": "立项程序完整"}}}
    error(put(client, url, one), 401)
    error(put(client, url, one, token_for("purchaser")), 403, "permission_denied")
    error(put(client, url, one, token_for("provider")), 403)
    error(put(client, url, one, token_for("hub")), 404)
    error(
        put(client, url, {"scores": {"D1": {"score": "9"}}}, evaluator),
        400,
        field="scores.D1.evidence",
    )
    error(
        put(client, url, {"scores": {"D1": {"score": "10.01", "evidence": "x"}}}, evaluator),
        400,
        field="scores.D1.score",
    )
    error(
        put(client, url, {"scores": {"D1": {"score": 9.5, "evidence": "x"}}}, evaluator),
        400,
        field="scores.D1.score",
    )
    error(
        put(client, url, {"scores": {"D": {"score": "5", "evidence": "x"}}}, evaluator),
        400,
        field="scores.D",
    )
    error(put(client, url, {"scores": ["D1"]}, evaluator), 400, field="scores")
    saved = ok(put(client, url, one, evaluator))
    assert next(r for r in saved["indicators"] if r["code"] == "D1")["evidence"] == "立项程序完整"

    publish = f"/{e.pk}/publish"
    error(post(client, publish), 401)
    error(post(client, publish, None, token_for("purchaser")), 403)
    error(post(client, publish, None, token_for("hub")), 404)
    error(post(client, publish, None, evaluator), 400, field="summary")
    ok(put(client, url, {"scores": {}, "summary": "按计划推进"}, evaluator))
    refused = error(post(client, publish, None, evaluator), 400)
    assert refused["detail"]["field"].startswith("scores.")

    ok(put(client, url, {"scores": full_scores(e, "0.9")}, evaluator))
    done = ok(post(client, publish, None, evaluator))
    e.refresh_from_db()
    assert done["status"] == "published" and e.status == EvaluationStatus.PUBLISHED
    assert done["total"] == str(e.total) and done["grade"] == e.grade and done["passed"]
    error(post(client, publish, None, evaluator), 409, "published")
    error(put(client, url, one, evaluator), 409, "published")

    # The passed mid-term evaluation opened the second payment gate, and says so.
    contract = ok(client.get(f"/api/v1/contracts/{e.contract_id}"))
    second = contract["instalments"][1]
    assert second["gate_open"] and second["gate_evaluation_id"] == e.pk
    assert second["gate_note"].startswith("中期测评结果：")
    assert not contract["instalments"][2]["gate_open"]
    assert [
        x["status"] for x in ok(get(client, "/my/evaluations?status=published", evaluator))["items"]
    ] == ["published"]


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


# --- surveys ------------------------------------------------------------------------------------


def test_create_answer_and_read_a_survey(world, client, token_for):
    purchaser = token_for("purchaser")
    contract = appointed_contract(world)

    error(new_survey(client, contract, None), 401)
    error(new_survey(client, contract, token_for("provider")), 403, "permission_denied")
    error(new_survey(client, contract, token_for("purchaser2")), 403, "out_of_scope")
    error(new_survey(client, contract, purchaser, title=" "), 400, field="title")
    error(new_survey(client, contract, purchaser, tokens=0), 400, field="tokens")
    error(new_survey(client, contract, purchaser, tokens=2001), 400, field="tokens")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    error(new_survey(client, contract, purchaser, closes_on=yesterday), 400, field="closes_on")
    error(new_survey(client, contract, purchaser, opens_on="soon"), 400, field="opens_on")
    error(
        new_survey(
            client, contract, purchaser, questions=[{"id": "q", "text": "意见", "kind": "text"}]
        ),
        400,
        field="questions",
    )
    draft = draft_contract(world)
    error(new_survey(client, draft, purchaser), 409, "not_active")
    error(new_survey(client, draft, token_for("hub")), 404)

    created = ok(new_survey(client, contract, purchaser), 201)
    slug, tokens = created["slug"], created["tokens"]
    assert len(tokens) == 3 and len(set(tokens)) == 3 and created["open"]
    assert [q["id"] for q in created["questions"]][:5] == list(LIKERT)

    # The public link: questions and period, no results and no tokens.
    public = ok(get(client, f"/surveys/{slug}"))
    assert public["title"] == "长者探访服务满意度调查" and public["open"]
    assert public["contract"]["organization"]["name"] == "阳光家庭综合服务中心"
    assert "tokens" not in public and "responses" not in public
    error(get(client, "/surveys/nope"), 404)

    answers = f"/surveys/{slug}/responses"
    error(post(client, answers, {"token": "WRONG123", "answers": likert(5)}), 400, field="token")
    error(post(client, answers, {"answers": likert(5)}), 400, field="token")
    error(
        post(client, answers, {"token": tokens[0], "answers": {**likert(5), "overall": 6}}),
        400,
        field="answers.overall",
    )
    error(post(client, "/surveys/nope/responses", {"token": tokens[0], "answers": likert(5)}), 404)
    got = ok(
        post(
            client,
            answers,
            {"token": tokens[0], "answers": likert(5), "comment": "很好，联系我 13812345678"},
        ),
        201,
    )
    assert got["score"] == "100.00" and got["slug"] == slug
    error(post(client, answers, {"token": tokens[0], "answers": likert(1)}), 409, "used")
    # The token is typed by hand: case and spaces do not make it a new one.
    error(
        post(client, answers, {"token": f" {tokens[0].lower()} ", "answers": likert(1)}),
        409,
        "used",
    )
    ok(post(client, answers, {"token": tokens[1], "answers": likert(3)}), 201)
    assert SurveyResponse.objects.filter(survey__slug=slug).count() == 2

    results = ok(get(client, f"/surveys/{slug}/results"))
    assert (results["responses"], results["tokens"], results["mean"]) == (2, 3, "80.00")
    assert {q["id"]: q["mean"] for q in results["questions"]} == dict.fromkeys(LIKERT, "4.00")
    assert results["comments"] == ["很好，联系我 138****5678"]
    error(get(client, "/surveys/nope/results"), 404)

    # More tokens, shown once.
    more = f"/surveys/{slug}/tokens"
    error(post(client, more, {"count": 2}), 401)
    error(post(client, more, {"count": 2}, token_for("provider")), 403)
    error(post(client, more, {"count": 0}, purchaser), 400, field="count")
    added = ok(post(client, more, {"count": 2}, purchaser), 201)["tokens"]
    assert len(added) == 2 and not set(added) & set(tokens)
    ok(post(client, answers, {"token": added[0], "answers": likert(4)}), 201)

    # The purchaser's list of the project's surveys.
    listing = f"/contracts/{contract.pk}/surveys"
    error(get(client, listing), 401)
    error(get(client, listing, token_for("hub")), 403)
    rows = ok(get(client, listing, purchaser))
    assert [(r["slug"], r["responses"], r["tokens"]) for r in rows] == [(slug, 3, 5)]
    assert ok(get(client, listing, token_for("evaluator"))) == rows


def test_a_survey_answers_only_within_its_period(world, client, token_for):
    contract = appointed_contract(world)
    later = timezone.localdate() + dt.timedelta(days=3)
    created = ok(
        new_survey(
            client,
            contract,
            token_for("purchaser"),
            opens_on=later.isoformat(),
            closes_on=(later + dt.timedelta(days=7)).isoformat(),
        ),
        201,
    )
    assert not created["open"]
    error(
        post(
            client,
            f"/surveys/{created['slug']}/responses",
            {"token": created["tokens"][0], "answers": likert(5)},
        ),
        409,
        "closed",
    )
    assert not SurveyResponse.objects.filter(survey__slug=created["slug"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_token_answers_once_when_two_submissions_race(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and concurrent connections (SQLite serialises writers)")
    from caidan.evaluations.services import survey_create

    today = timezone.localdate()
    survey, tokens = survey_create(
        contract=appointed_contract(world),
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="满意度调查", opens_on=today, closes_on=today + dt.timedelta(days=7), tokens=1
        ),
    )
    barrier = threading.Barrier(2)
    results = []

    def answer(value):
        try:
            client = Client()
            barrier.wait()
            resp = client.post(
                f"{API}/surveys/{survey.slug}/responses",
                data={"token": tokens[0], "answers": likert(value)},
                content_type="application/json",
            )
            results.append((resp.status_code, resp.json().get("code")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(v,)) for v in (5, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == [201, 409]
    assert (409, "used") in results
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


# --- hearings -------------------------------------------------------------------------------------


def test_record_and_read_hearings(world, client, token_for):
    purchaser = token_for("purchaser")
    contract = current_contract(world, appoint=False)
    url = f"/contracts/{contract.pk}/hearings"
    held = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    body = {
        "held_on": held,
        "participants": "居民代表 12 人，楼组长 5 人",
        "opinions": "希望增加周末探访。",
        "place": "社区事务受理中心",
    }

    error(post(client, url, body), 401)
    error(post(client, url, body, token_for("provider")), 403, "permission_denied")
    error(post(client, url, body, token_for("purchaser2")), 403, "out_of_scope")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    error(post(client, url, {**body, "held_on": tomorrow}, purchaser), 400, field="held_on")
    error(post(client, url, {**body, "held_on": "last week"}, purchaser), 400, field="held_on")
    error(post(client, url, {**body, "opinions": " "}, purchaser), 400, field="opinions")
    error(
        post(client, url, {**body, "participants": "王阿姨 13812345678"}, purchaser),
        400,
        "personal_data",
        "participants",
    )
    first = ok(post(client, url, body, purchaser), 201)
    assert first["held_on"] == held and first["follow_up"] == ""
    earlier = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    second = ok(post(client, url, {**body, "held_on": earlier}, purchaser), 201)
    error(post(client, url, body, purchaser), 409, "too_many_hearings")

    # Public, in date order; a draft's are nobody else's business.
    assert [h["id"] for h in ok(get(client, url))] == [second["id"], first["id"]]
    draft = draft_contract(world)
    error(get(client, f"/contracts/{draft.pk}/hearings"), 404)
    assert ok(get(client, f"/contracts/{draft.pk}/hearings", purchaser)) == []

    follow = f"{url}/{first['id']}/follow-up"
    error(post(client, follow, {"follow_up": "已增加"}), 401)
    error(post(client, follow, {"follow_up": "已增加"}, token_for("provider")), 403)
    error(post(client, follow, {"follow_up": " "}, purchaser), 400, field="follow_up")
    other = current_contract(world, appoint=False)
    error(
        post(
            client,
            f"/contracts/{other.pk}/hearings/{first['id']}/follow-up",
            {"follow_up": "x"},
            purchaser,
        ),
        404,
    )
    done = ok(post(client, follow, {"follow_up": "已增加周六上午探访。"}, purchaser))
    assert done["follow_up"] == "已增加周六上午探访。"
    assert ok(get(client, url))[1]["follow_up"] == "已增加周六上午探访。"


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


def test_openapi_lists_the_evaluations_endpoints(client):
    paths = ok(client.get("/api/v1/openapi.json"))["paths"]
    for path in (
        "/api/v1/evaluations",
        "/api/v1/evaluations/{evaluation_id}",
        "/api/v1/evaluations/{evaluation_id}/scores",
        "/api/v1/evaluations/surveys/{slug}/responses",
        "/api/v1/evaluations/audit/findings",
    ):
        assert path in paths, sorted(p for p in paths if "evaluations" in p)
    tags = {t for item in paths["/api/v1/evaluations"].values() for t in item["tags"]}
    assert tags == {"evaluations 绩效评价"}


def test_report_pdf_via_the_api(world, client):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    e = scheduled(world, "mid")
    url = f"/api/v1/evaluations/{e.pk}/report.pdf"
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )
    assert client.get(url).status_code in (401, 404)  # not published yet
    evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    resp = client.get(url)
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
