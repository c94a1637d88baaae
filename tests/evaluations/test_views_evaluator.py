"""The evaluator's pages: the tasks, scoring and publication; audit findings; standardisation
assessments. Every change goes through its service; refusals are pages (login, 403, 404);
bad input is shown on the field it concerns."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from caidan.evaluations.inputs import ScoresInput
from caidan.evaluations.models import AuditFinding, Grade, OrgAssessment
from caidan.evaluations.services import evaluation_score, evaluator_appoint
from caidan.evaluations.services.frameworks import leaves
from caidan.orgs.models import Organization
from tests.contracts.factories import signed_contract

from .factories import full_scores, scheduled, waive_missing
from .view_helpers import OTHER_ORG, TODAY, _html, _org

pytestmark = pytest.mark.django_db


def _score_post(e, fraction="1", **overrides) -> dict:
    """The scoring form filled in for every leaf indicator."""
    data = {"summary": "服务规范，成效明显。"}
    for n, ind in enumerate(leaves(e.contract.framework.indicators)):
        points = (Decimal(ind["weight"]) * Decimal(fraction)).quantize(Decimal("0.01"))
        data[f"s{n}_score"] = str(points)
        data[f"s{n}_evidence"] = f"{ind['name']}：查阅台账"
    data.update(overrides)
    return data


def _leaf_index(e, code: str) -> int:
    return [i["code"] for i in leaves(e.contract.framework.indicators)].index(code)


# --- the evaluator --------------------------------------------------------------------------------


def test_my_evaluations_lists_the_tasks_of_the_evaluator(world, client, login):
    e = scheduled(world, "mid")
    assert client.get("/evaluations/mine/").status_code == 302  # to login
    assert login("purchaser").get("/evaluations/mine/").status_code == 403
    html = _html(login("evaluator").get("/evaluations/mine/"))
    assert e.contract.title in html and "中期测评" in html
    assert f"/evaluations/{e.pk}/score/" in html


def test_scoring_page_shows_leaves_weights_and_computed_values(world, login):
    e = scheduled(world, "final")
    response = login("evaluator").get(f"/evaluations/{e.pk}/score/")
    assert response.status_code == 200
    html = _html(response)
    for ind in leaves(e.contract.framework.indicators):
        assert f'data-testid="score-{ind["code"]}"' in html
    fund = re.search(r'data-testid="score-P1\.1">.*?</tr>', html, re.S).group(0)
    assert 'data-testid="computed"' in fund and "计算值 0.00%" in fund
    budget = re.search(r'data-testid="score-P1\.2">.*?</tr>', html, re.S).group(0)
    assert "暂无数据，请评分" in budget
    completion = re.search(r'data-testid="score-O1">.*?</tr>', html, re.S).group(0)
    assert "实际产出数" in completion and "计划产出数" in completion


def test_evaluator_saves_scores_bad_input_names_the_field(world, login):
    e = scheduled(world, "final")
    url = f"/evaluations/{e.pk}/score/"
    client = login("evaluator")
    d1 = _leaf_index(e, "D1")
    o1 = _leaf_index(e, "O1")
    response = client.post(url, _score_post(e, **{f"s{d1}_score": "99"}))
    assert response.status_code == 200
    assert "0 到 10" in " ".join(response.context["form"].errors[f"s{d1}_score"])
    response = client.post(url, _score_post(e, **{f"s{d1}_evidence": ""}))
    assert response.status_code == 200
    assert "评分依据" in " ".join(response.context["form"].errors[f"s{d1}_evidence"])
    e.refresh_from_db()
    assert e.scores == {}
    data = _score_post(e, "0.9", **{f"s{o1}_actual": "2300", f"s{o1}_planned": "2400"})
    assert client.post(url, data).status_code == 302
    e.refresh_from_db()
    assert e.scores["D1"]["score"] == "9.00" and e.scores["O1"]["actual"] == "2300"
    assert e.summary == "服务规范，成效明显。"
    html = _html(client.get(url))
    o1_row = re.search(r'data-testid="score-O1">.*?</tr>', html, re.S).group(0)
    assert "计算值 95.83%" in o1_row


def test_evaluator_not_appointed_and_others_cannot_score(world, client, login):
    other = _org(OTHER_ORG)
    Organization.objects.filter(pk=other.pk).update(is_evaluator=True)
    c = signed_contract(world)
    evaluator_appoint(
        contract=c,
        organization=Organization.objects.get(pk=other.pk),
        actor=world.actor("purchaser"),
    )
    from caidan.evaluations.services import evaluation_schedule

    e = evaluation_schedule(contract=c, stage="mid", actor=world.actor("purchaser"))
    for path in (f"/evaluations/{e.pk}/score/", f"/evaluations/{e.pk}/publish/"):
        client.logout()
        assert client.get(path).status_code == 302, path  # to login
        assert login("evaluator").get(path).status_code == 403, path
        assert login("evaluator").post(path, {}).status_code == 403, path
        # the purchaser sees the publication check (what is missing, its waivers), not scoring
        assert login("purchaser").get(path).status_code == (200 if "publish" in path else 403)
        assert login("purchaser2").post(path, {}).status_code == 403, path
    e.refresh_from_db()
    assert e.scores == {} and e.status == "open"


def test_publish_confirmation_shows_what_is_missing_then_the_result(world, login):
    e = scheduled(world, "mid")
    url = f"/evaluations/{e.pk}/publish/"
    client = login("evaluator")
    response = client.get(url)
    assert response.status_code == 200
    html = _html(response)
    assert 'data-testid="blockers"' in html and "尚未评分" in html and "确认公布" not in html
    assert "项目立项（需求调研、立项程序）" in html
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )
    response = client.get(url)
    html = _html(response)
    # scored, but the purchaser's score and the survey are missing: not yet (issue 20)
    assert 'data-testid="missing-purchaser"' in html and 'data-testid="missing-recipients"' in html
    assert "确认公布" not in html and 'data-testid="waive-recipients"' not in html  # purchaser's
    waive_missing(world, e)
    response = client.get(url)
    html = _html(response)
    assert "确认公布" in html and 'data-testid="blockers"' not in html
    assert 'data-testid="missing-subjects"' not in html and 'data-testid="waivers"' in html
    preview = response.context["preview"]
    facts = html[html.index('data-testid="confirm-facts"') :]
    assert str(preview["total"]) in facts and str(Grade(preview["grade"]).label) in facts
    assert "不可撤回" in html
    assert login("purchaser").post(url).status_code == 403
    client = login("evaluator")
    response = client.post(url)
    assert response.status_code == 302 and response.url == f"/evaluations/{e.pk}/"
    e.refresh_from_db()
    assert e.status == "published" and e.total == preview["total"]
    second = e.contract.instalments.get(sequence=2)
    assert second.gate_opened_at is not None
    assert client.post(url).status_code == 302  # already published: back to the result
    assert client.get(f"/evaluations/{e.pk}/score/").status_code == 302


def test_publish_without_a_summary_is_refused_with_the_reason(world, login):
    e = scheduled(world, "mid")
    evaluation_score(
        evaluation=e, actor=world.actor("evaluator"), data=ScoresInput.parse(scores=full_scores(e))
    )
    client = login("evaluator")
    html = _html(client.get(f"/evaluations/{e.pk}/publish/"))
    assert "评价结论" in html and "确认公布" not in html
    response = client.post(f"/evaluations/{e.pk}/publish/")
    assert response.status_code == 200 and "请填写评价结论" in _html(response)
    e.refresh_from_db()
    assert e.status == "open"


# --- audit -------------------------------------------------------------------------------------


def test_auditor_plans_records_a_finding_provider_responds_auditor_closes(world, client, login):
    c = signed_contract(world)
    assert client.get("/evaluations/audit/").status_code == 302
    assert login("purchaser").get("/evaluations/audit/").status_code == 403
    auditor = login("auditor")
    assert auditor.get("/evaluations/audit/").status_code == 200
    unit = c.unit
    year = c.period_start.year
    html = _html(auditor.get(f"/evaluations/audit/plan/?unit={unit.pk}&year={year}"))
    assert c.title in html
    response = auditor.post(
        "/evaluations/audit/plan/", {"unit": unit.pk, "year": year, "contracts": []}
    )
    assert response.status_code == 200 and "contracts" in response.context["form"].errors
    response = auditor.post(
        "/evaluations/audit/plan/", {"unit": unit.pk, "year": year, "contracts": [c.pk]}
    )
    assert response.status_code == 302
    plan_url = response.url
    assert "覆盖" in _html(auditor.get(plan_url))
    record = plan_url + "findings/"
    data = {
        "contract": c.pk,
        "description": "部分活动经费缺少签到表。",
        "rectify_by": TODAY().isoformat(),
    }
    response = auditor.post(record, data)
    assert response.status_code == 200 and "rectify_by" in response.context["finding_form"].errors
    later = (TODAY() + dt.timedelta(days=30)).isoformat()
    response = auditor.post(record, {**data, "rectify_by": later})
    assert response.status_code == 302
    finding = AuditFinding.objects.get(contract=c)
    url = f"/evaluations/audit/findings/{finding.pk}/"
    assert login("purchaser2").get(url).status_code == 404
    provider = login("provider")
    html = _html(provider.get(f"/evaluations/contracts/{c.pk}/"))
    assert url in html and "报送整改情况" in html
    response = provider.post(url + "respond/", {"response": ""})
    assert response.status_code == 200 and "response" in response.context["response_form"].errors
    assert provider.post(url + "respond/", {"response": "已补齐签到表。"}).status_code == 302
    assert provider.post(url + "close/", {"note": "x"}).status_code == 403
    auditor = login("auditor")
    response = auditor.post(url + "close/", {"note": ""})
    assert response.status_code == 200 and "note" in response.context["close_form"].errors
    assert auditor.post(url + "close/", {"note": "整改到位，予以销号。"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.closing_note == "整改到位，予以销号。"


# --- assessments -----------------------------------------------------------------------------


def test_evaluator_submits_an_assessment_registrar_confirms(world, client, login):
    from caidan.orgs.models import Grade as OrgGrade

    target = _org(OTHER_ORG)
    assert client.get("/evaluations/assessments/").status_code == 302
    assert login("purchaser").get("/evaluations/assessments/").status_code == 403
    assert login("purchaser").get("/evaluations/assessments/new/").status_code == 403
    evaluator = login("evaluator")
    assert "/evaluations/assessments/new/" in _html(evaluator.get("/evaluations/assessments/"))
    data = {
        "organization": target.pk,
        "assessed_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
        "score": "abc",
        "proposed_level": "4",
        "report": "内部治理规范，财务管理健全。",
    }
    response = evaluator.post("/evaluations/assessments/new/", data)
    assert response.status_code == 200 and "score" in response.context["form"].errors
    response = evaluator.post("/evaluations/assessments/new/", {**data, "score": "870.50"})
    assert response.status_code == 302
    a = OrgAssessment.objects.get(organization=target)
    assert a.status == "submitted" and a.score == Decimal("870.50")
    url = f"/evaluations/assessments/{a.pk}/"
    assert evaluator.post(url + "decide/", {"decision": "confirm"}).status_code == 403
    assert login("purchaser").get(url).status_code == 404
    registrar = login("registrar")
    assert "/evaluations/assessments/" in _html(registrar.get("/dashboard/"))
    html = _html(registrar.get(url))
    assert "内部治理规范" in html and "确认后不可撤回" in html
    response = registrar.post(url + "decide/", {"decision": "reject", "note": ""})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    assert registrar.post(url + "decide/", {"decision": "confirm", "note": ""}).status_code == 302
    a.refresh_from_db()
    assert a.status == "confirmed"
    assert OrgGrade.objects.filter(organization=target, level=4).exists()


def test_computed_indicator_shows_the_platform_points_not_a_stale_score_box(world, login):
    """Issue 9: once 实际完成率 could be computed, the row still showed the evaluator's
    earlier manual score in its box, though the computed points replace it: the row now
    shows the computed points and no score box; rows without data keep theirs."""
    e = scheduled(world, "final")
    url = f"/evaluations/{e.pk}/score/"
    client = login("evaluator")
    o1 = _leaf_index(e, "O1")
    data = _score_post(
        e, "0.9", **{f"s{o1}_actual": "2400", f"s{o1}_planned": "2400", f"s{o1}_score": "18"}
    )
    assert client.post(url, data).status_code == 302
    html = _html(client.get(url))
    o1_row = re.search(r'data-testid="score-O1">.*?</tr>', html, re.S).group(0)
    assert 'data-testid="computed-points">20.00<' in o1_row and "由平台计算" in o1_row
    assert f'name="s{o1}_score"' not in o1_row and "18.00" not in o1_row
    d1_row = re.search(r'data-testid="score-D1">.*?</tr>', html, re.S).group(0)
    assert f'name="s{_leaf_index(e, "D1")}_score"' in d1_row
    # Saving again without the box keeps the evaluation complete.
    response = client.post(url, {"summary": "服务规范，成效明显。"})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.scores["O1"]["actual"] == "2400"
