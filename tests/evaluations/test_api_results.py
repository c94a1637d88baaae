"""The evaluations API over HTTP (``/api/v1/evaluations``): published results for everyone,
an open evaluation for insiders only (404 for the others), the track record; the evaluator's
scoring and publication and the payment gate it opens; the report PDF and the OpenAPI
schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput
from caidan.evaluations.models import EvaluationStatus, TrackRecord
from caidan.evaluations.services import (
    evaluation_publish,
    evaluation_purchaser_score,
    evaluation_score,
)
from tests.evaluations.factories import waive_missing

from .api_helpers import error, get, ok, post, put
from .factories import full_scores, scheduled

pytestmark = pytest.mark.django_db


def published(world, stage="final", fraction="0.9", contract=None):
    """An evaluation scored at ``fraction`` of every weight and published."""
    e = scheduled(world, stage, contract=contract)
    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=e,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(e, fraction), summary="结论"),
    )
    waive_missing(world, e)
    return evaluation_publish(evaluation=e, actor=evaluator)


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
    waive_missing(world, e)
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
    # a whole evaluation: the purchaser's score and the survey, or the purchaser's waivers
    refused = error(post(client, publish, None, evaluator), 409, "subjects_missing")
    assert refused["detail"]["missing"] == ["purchaser", "recipients"]
    waivers = f"/{e.pk}/waivers"
    error(post(client, waivers, {"subject": "recipients", "reason": "x"}, evaluator), 403)
    error(
        post(client, waivers, {"subject": "evaluator", "reason": "x"}, token_for("purchaser")),
        400,
        field="subject",
    )
    for subject in ("purchaser", "recipients"):
        waived = ok(
            post(
                client,
                waivers,
                {"subject": subject, "reason": "本期无法取得"},
                token_for("purchaser"),
            )
        )
    assert set(waived["waivers"]) == {"purchaser", "recipients"}
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
    waive_missing(world, e)
    evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    resp = client.get(url)
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
