"""The evaluation pages: public results, an evaluation with its indicators and formulas, a
provider's track record, the phone-first survey; the purchaser's commissioning page; the
evaluator's scoring and publication; audit findings; standardisation assessments. Every
change goes through its service; refusals are pages (login, 403, 404); bad input is shown
on the field it concerns."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from caidan.common.identifiers import make_uscc
from caidan.evaluations.inputs import ScoresInput, SurveyInput
from caidan.evaluations.models import (
    AuditFinding,
    Evaluation,
    EvaluatorAppointment,
    Framework,
    Grade,
    Hearing,
    OrgAssessment,
    Survey,
    SurveyResponse,
)
from caidan.evaluations.services import (
    evaluation_publish,
    evaluation_score,
    evaluator_appoint,
    survey_create,
)
from caidan.evaluations.services.frameworks import leaves, template_indicators
from caidan.orgs.models import Organization
from tests.contracts.factories import signed_contract

from .factories import appointed_contract, full_scores, scheduled

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PROVIDER_ORG = "52310105MJ0000001"  # 阳光家庭综合服务中心
OTHER_ORG = "52310105MJ0000002"  # 上海壹方社会服务事业发展中心


def _html(response) -> str:
    return unescape(response.content.decode())


def _org(prefix: str) -> Organization:
    return Organization.objects.get(uscc=make_uscc(prefix))


def published(world, stage="final", fraction="0.95", contract=None, summary="服务规范，成效明显。"):
    e = scheduled(world, stage, contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, fraction), summary=summary),
    )
    return evaluation_publish(evaluation=e, actor=world.actor("evaluator"))


def _survey(world, contract=None, tokens=3, **kwargs):
    contract = contract or appointed_contract(world)
    return survey_create(
        contract=contract,
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title=kwargs.pop("title", "长者探访服务满意度调查"),
            opens_on=kwargs.pop("opens_on", TODAY()),
            closes_on=kwargs.pop("closes_on", TODAY() + dt.timedelta(days=14)),
            tokens=tokens,
        ),
    )


def _answers(survey, value="5") -> dict:
    data = {}
    for n, q in enumerate(survey.questions):
        data[f"q{n}"] = value if q["kind"] == "likert" else "希望增加上门次数"
    return data


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


# --- public: the results list ---------------------------------------------------------------------


def test_public_list_shows_published_results_only_and_filters(world, client):
    e = published(world)
    open_ = scheduled(world, "mid", contract=e.contract)
    html = _html(client.get("/evaluations/"))
    assert e.contract.title in html and "终期评估" in html and "阳光家庭综合服务中心" in html
    assert str(e.total) in html and e.get_grade_display() in html
    assert f"/evaluations/{e.pk}/" in html and f"/evaluations/{open_.pk}/" not in html
    assert f"/evaluations/track-record/{e.contract.organization_id}/" in html
    assert e.contract.title in _html(client.get("/evaluations/?stage=final"))
    assert e.contract.title not in _html(client.get("/evaluations/?stage=mid"))
    assert e.contract.title in _html(client.get(f"/evaluations/?grade={e.grade}"))
    other = "poor" if e.grade != "poor" else "excellent"
    assert e.contract.title not in _html(client.get(f"/evaluations/?grade={other}"))
    assert e.contract.title in _html(client.get("/evaluations/?q=阳光家庭"))
    assert e.contract.title not in _html(client.get("/evaluations/?q=不存在的机构"))
    assert client.get("/evaluations/?stage=bogus").status_code == 200  # the form ignores it
    assert client.get("/evaluations/?cursor=@@@").status_code == 400


def test_public_list_has_a_bounded_query_count(world, client, django_assert_max_num_queries):
    from caidan.contracts.models import Contract

    e = published(world)
    base = e.contract
    skip = {"id", "reference", "year_index"}
    for i in range(24):
        clone = Contract.objects.create(
            **{
                f.attname: getattr(base, f.attname)
                for f in Contract._meta.concrete_fields
                if f.attname not in skip
            },
            reference=f"{base.reference}-{i}",
            year_index=i + 2,
        )
        Evaluation.objects.create(
            contract=clone,
            stage="final",
            due_on=e.due_on,
            status="published",
            total=Decimal("85.00"),
            grade="good",
            published_at=timezone.now(),
        )
    with django_assert_max_num_queries(6):
        response = client.get("/evaluations/")
    assert response.status_code == 200
    cursor = response.context["page"].next_cursor
    assert cursor and len(response.context["page"].items) == 20
    with django_assert_max_num_queries(6):
        response = client.get(f"/evaluations/?cursor={cursor}")
    assert response.status_code == 200 and len(response.context["page"].items) == 5


# --- public: one evaluation, the track record -------------------------------------------------------


def test_evaluation_page_shows_indicators_formulas_subjects_total_and_grade(world, client):
    e = published(world, summary="服务规范，长者满意度高。")
    response = client.get(f"/evaluations/{e.pk}/")
    assert response.status_code == 200
    html = _html(response)
    for text in (
        "决策",
        "产出数量（实际完成率）",
        "资金到位率 = 实际到位资金 ÷ 计划投入资金",
        "实际完成率 = 实际产出数 ÷ 计划产出数",
        "购买方评分",
        "服务对象满意度",
        "第三方指标得分",
        "服务规范，长者满意度高。",
        "查阅台账和记录",
        "上海申杰社会组织培育评估中心",
        e.get_grade_display(),
    ):
        assert text in html, text
    assert f'data-testid="total"><strong>{e.total}</strong>' in html
    assert f"{e.subject_weights['evaluator']}%" in html
    assert f"/evaluations/track-record/{e.contract.organization_id}/" in html
    # 资金到位率 is computed from the payments (none yet: 0 %), not the evaluator's score
    row = re.search(r'data-testid="indicator-P1\.1">.*?</tr>', html, re.S).group(0)
    assert "= 0.00%" in row and "<td>0.00</td>" in row


def test_an_open_evaluation_is_private(world, client, login):
    e = scheduled(world, "mid")
    assert client.get(f"/evaluations/{e.pk}/").status_code == 302  # to login
    assert login("purchaser2").get(f"/evaluations/{e.pk}/").status_code == 403
    assert login("resident").get(f"/evaluations/{e.pk}/").status_code == 403
    for who in ("purchaser", "evaluator", "provider", "auditor"):
        response = login(who).get(f"/evaluations/{e.pk}/")
        assert response.status_code == 200, who
        assert "评价进行中" in _html(response)
    assert client.get("/evaluations/999999/").status_code == 404


def test_track_record_lists_final_results_with_the_average(world, client):
    first = published(world, fraction="0.95")
    second = published(world, fraction="0.7")
    org = first.contract.organization
    response = client.get(f"/evaluations/track-record/{org.pk}/")
    assert response.status_code == 200
    html = _html(response)
    assert first.contract.title in html and str(first.total) in html
    assert str(second.total) in html and second.get_grade_display() in html
    average = ((first.total + second.total) / 2).quantize(Decimal("0.01"))
    assert f'data-testid="average">{average}<' in html
    assert f"/evaluations/{first.pk}/" in html
    assert client.get("/evaluations/track-record/999999/").status_code == 404
    other = _html(client.get(f"/evaluations/track-record/{_org(OTHER_ORG).pk}/"))
    assert "暂无终期评估结果" in other


# --- the contract's evaluation page ----------------------------------------------------------------


def test_contract_page_public_part_and_purchaser_forms(world, client, login):
    e = published(world, "mid")
    c = e.contract
    html = _html(client.get(f"/evaluations/contracts/{c.pk}/"))
    assert "上海申杰社会组织培育评估中心" in html and "中期测评" in html and str(e.total) in html
    assert "csrfmiddlewaretoken" not in html.split('id="main"')[1].split("<footer")[0]
    assert "满意度调查" not in html
    html = _html(login("purchaser").get(f"/evaluations/contracts/{c.pk}/"))
    assert f'action="/evaluations/contracts/{c.pk}/schedule/"' in html
    assert f'action="/evaluations/contracts/{c.pk}/hearings/"' in html
    assert f"/evaluations/contracts/{c.pk}/surveys/new/" in html
    assert f'action="/evaluations/contracts/{c.pk}/appoint/"' not in html  # scoring began
    html = _html(login("purchaser2").get(f"/evaluations/contracts/{c.pk}/"))
    assert "/schedule/" not in html and "/surveys/new/" not in html


def test_purchaser_appoints_the_evaluator_and_conflicts_are_form_errors(world, client, login):
    c = signed_contract(world)
    url = f"/evaluations/contracts/{c.pk}/appoint/"
    evaluator = _org("52310105MJ0000005")
    assert client.post(url, {"organization": evaluator.pk}).status_code == 302  # to login
    assert login("provider").post(url, {"organization": evaluator.pk}).status_code == 403
    assert login("purchaser2").post(url, {"organization": evaluator.pk}).status_code == 403
    assert not EvaluatorAppointment.objects.filter(contract=c).exists()
    client = login("purchaser")
    html = _html(client.get(f"/evaluations/contracts/{c.pk}/"))
    assert "上海申杰社会组织培育评估中心" in html and "尚未委托" in html
    response = client.post(url, {"organization": ""})
    assert response.status_code == 200 and "organization" in response.context["appoint_form"].errors
    Organization.objects.filter(uscc=make_uscc(PROVIDER_ORG)).update(is_evaluator=True)
    response = client.post(url, {"organization": _org(PROVIDER_ORG).pk})
    assert response.status_code == 200
    errors = response.context["appoint_form"].errors["organization"]
    assert "承接主体不能评估自己承接的项目" in " ".join(errors)
    assert client.post(url, {"organization": evaluator.pk}).status_code == 302
    assert EvaluatorAppointment.objects.get(contract=c).organization == evaluator


def test_purchaser_adjusts_the_framework_until_it_is_frozen(world, login):
    c = appointed_contract(world)
    url = f"/evaluations/contracts/{c.pk}/framework/"
    client = login("purchaser")
    response = client.get(url)
    assert response.status_code == 200
    html = _html(response)
    assert "满意度（服务对象满意度调查）" in html and "资金到位率 = 实际到位资金" in html
    indicators = template_indicators()
    data = {}
    for n, ind in enumerate(indicators):
        data.update({f"i{n}_name": ind["name"], f"i{n}_weight": ind["weight"], f"i{n}_target": ""})
    codes = [i["code"] for i in indicators]
    e1, e2 = codes.index("E1"), codes.index("E2")
    bad = {**data, f"i{e1}_weight": "abc"}
    response = client.post(url, bad)
    assert response.status_code == 200 and f"i{e1}_weight" in response.context["form"].errors
    bad = {**data, f"i{e1}_weight": "12"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "下级指标权重之和" in " ".join(response.context["form"].non_field_errors())
    assert not Framework.objects.filter(contract=c).exclude(indicators=indicators).exists()
    good = {
        **data,
        f"i{e1}_weight": "8",
        f"i{e2}_weight": "12",
        f"i{e1}_name": "社会效益（社区参与）",
        f"i{e1}_target": "参与居民不少于 300 人次",
    }
    assert client.post(url, good).status_code == 302
    framework = Framework.objects.get(contract=c)
    row = next(i for i in framework.indicators if i["code"] == "E1")
    assert (row["weight"], row["name"], row["target"]) == (
        "8",
        "社会效益（社区参与）",
        "参与居民不少于 300 人次",
    )
    assert login("purchaser2").get(url).status_code == 403
    assert login("provider").post(url, good).status_code == 403
    scheduled(world, "pre", contract=c)
    client = login("purchaser")
    html = _html(client.get(url))
    assert 'data-testid="frozen"' in html and f'name="i{e1}_weight"' not in html
    response = client.post(url, data)
    assert response.status_code == 200
    assert "已冻结" in " ".join(response.context["form"].non_field_errors())


def test_purchaser_schedules_stages_and_gives_the_purchaser_score(world, client, login):
    c = appointed_contract(world)
    url = f"/evaluations/contracts/{c.pk}/schedule/"
    client = login("purchaser")
    response = client.post(url, {"stage": ""})
    assert response.status_code == 200 and "stage" in response.context["schedule_form"].errors
    assert client.post(url, {"stage": "mid"}).status_code == 302
    e = Evaluation.objects.get(contract=c, stage="mid")
    assert Framework.objects.get(contract=c).frozen_at is not None
    response = client.post(url, {"stage": "mid"})
    assert response.status_code == 200
    assert "已安排" in " ".join(response.context["schedule_form"].non_field_errors())
    assert login("evaluator").post(url, {"stage": "final"}).status_code == 403
    client = login("purchaser")
    score_url = f"/evaluations/{e.pk}/purchaser-score/"
    response = client.post(score_url, {"score": "150"})
    assert response.status_code == 200
    assert "0 到 100" in " ".join(response.context["score_forms"][e.pk].errors["score"])
    assert client.post(score_url, {"score": "88.5"}).status_code == 302
    e.refresh_from_db()
    assert e.purchaser_score == Decimal("88.50")
    assert login("evaluator").post(score_url, {"score": "10"}).status_code == 403
    assert login("purchaser2").post(score_url, {"score": "10"}).status_code == 403


def test_purchaser_creates_a_survey_and_sees_the_tokens_once(world, login):
    c = appointed_contract(world)
    url = f"/evaluations/contracts/{c.pk}/surveys/new/"
    client = login("purchaser")
    assert client.get(url).status_code == 200
    data = {
        "title": "长者探访服务满意度调查",
        "opens_on": TODAY().isoformat(),
        "closes_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "tokens": "5",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "closes_on" in response.context["form"].errors
    response = client.post(url, {**data, "closes_on": TODAY().isoformat(), "tokens": "0"})
    assert response.status_code == 200 and "tokens" in response.context["form"].errors
    assert not Survey.objects.filter(contract=c).exists()
    response = client.post(url, {**data, "closes_on": TODAY().isoformat()})
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    survey = Survey.objects.get(contract=c)
    tokens = response.context["tokens"]
    assert len(tokens) == 5 and survey.tokens.count() == 5
    html = _html(response)
    assert all(t in html for t in tokens)
    assert f"http://testserver/evaluations/s/{survey.slug}/" in html
    html = _html(client.get(f"/evaluations/contracts/{c.pk}/"))
    assert "0 / 5" in html and tokens[0] not in html
    response = client.post(f"/evaluations/surveys/{survey.pk}/tokens/", {"count": "3"})
    assert response.status_code == 200 and len(response.context["tokens"]) == 3
    assert survey.tokens.count() == 8
    assert login("purchaser2").post(url, data).status_code == 403
    assert (
        login("provider")
        .post(f"/evaluations/surveys/{survey.pk}/tokens/", {"count": "3"})
        .status_code
        == 403
    )
    assert survey.tokens.count() == 8


# --- the public survey ------------------------------------------------------------------------------


def test_survey_is_answered_without_login_and_a_token_only_once(world, client):
    survey, tokens = _survey(world)
    url = f"/evaluations/s/{survey.slug}/"
    response = client.get(url)
    assert response.status_code == 200
    html = _html(response)
    assert "您对服务人员的态度是否满意？" in html and 'type="radio"' in html
    assert 'name="viewport" content="width=device-width' in html
    response = client.post(url, {"token": "WRONG123", **_answers(survey)})
    assert response.status_code == 200 and "token" in response.context["form"].errors
    missing = _answers(survey)
    missing.pop("q1")
    response = client.post(url, {"token": tokens[0], **missing})
    assert response.status_code == 200
    assert "服务是否及时" in " ".join(response.context["form"].errors["q1"])
    text = next(n for n, q in enumerate(survey.questions) if q["kind"] == "text")
    answers = {**_answers(survey, "4"), f"q{text}": "希望增加上门次数，电话13812345678"}
    response = client.post(url, {"token": tokens[0].lower(), **answers})
    assert response.status_code == 302 and response.url == f"/evaluations/s/{survey.slug}/thanks/"
    assert "感谢您的参与" in _html(client.get(response.url))
    answer = SurveyResponse.objects.get(survey=survey)
    assert answer.score == Decimal("80.00")
    response = client.post(url, {"token": tokens[0], **_answers(survey)})
    assert response.status_code == 200
    assert "已经使用过" in " ".join(response.context["form"].errors["token"])
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    html = _html(client.get(f"/evaluations/s/{survey.slug}/results/"))
    assert 'data-testid="responses">1 / 3<' in html and "80.00" in html
    assert "13812345678" not in html and "希望增加上门次数" in html
    assert client.get("/evaluations/s/no-such-survey/").status_code == 404


def test_a_closed_survey_says_so(world, client):
    survey, tokens = _survey(world)
    Survey.objects.filter(pk=survey.pk).update(closes_on=TODAY() - dt.timedelta(days=1))
    html = _html(client.get(f"/evaluations/s/{survey.slug}/"))
    assert 'data-testid="survey-closed"' in html and 'name="token"' not in html
    response = client.post(f"/evaluations/s/{survey.slug}/", {"token": tokens[0]})
    assert response.status_code == 200 and not SurveyResponse.objects.exists()


# --- hearings --------------------------------------------------------------------------------------


def test_purchaser_records_a_hearing_and_its_follow_up(world, client, login):
    start = TODAY() - dt.timedelta(days=60)
    c = appointed_contract(
        world, period_start=start, period_end=start.replace(year=start.year + 1) - dt.timedelta(1)
    )
    url = f"/evaluations/contracts/{c.pk}/hearings/"
    held_on = TODAY() - dt.timedelta(days=5)
    data = {
        "held_on": held_on.isoformat(),
        "place": "江苏路街道社区事务受理中心",
        "participants": "居民代表 12 人，联系电话 13812345678",
        "opinions": "希望增加周末探访。",
        "follow_up": "",
    }
    client = login("purchaser")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "participants" in response.context["hearing_form"].errors
    assert client.post(url, {**data, "participants": "居民代表 12 人"}).status_code == 302
    hearing = Hearing.objects.get(contract=c)
    assert login("provider").post(url, data).status_code == 403
    client = login("purchaser")
    follow = f"/evaluations/contracts/{c.pk}/hearings/{hearing.pk}/follow-up/"
    response = client.post(follow, {"follow_up": ""})
    assert response.status_code == 200
    assert "follow_up" in response.context["follow_up_forms"][hearing.pk].errors
    assert client.post(follow, {"follow_up": "已增加周六上午探访。"}).status_code == 302
    hearing.refresh_from_db()
    assert hearing.follow_up == "已增加周六上午探访。"
    html = _html(client.get(f"/evaluations/contracts/{c.pk}/"))
    assert "希望增加周末探访。" in html and "已增加周六上午探访。" in html


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
        assert login("purchaser").get(path).status_code == 403, path
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
    assert "确认公布" in html and 'data-testid="blockers"' not in html
    preview = response.context["preview"]
    facts = html[html.index('data-testid="confirm-facts"') :]
    assert str(preview["total"]) in facts and Grade(preview["grade"]).label in facts
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


# --- navigation, dashboards, English ----------------------------------------------------------------


def test_navigation_and_dashboards_link_to_the_evaluation_pages(world, client, login):
    assert 'href="/evaluations/"' in _html(client.get("/"))
    html = _html(login("evaluator").get("/dashboard/"))
    assert 'href="/evaluations/mine/"' in html and 'href="/evaluations/assessments/"' in html
    html = _html(login("auditor").get("/dashboard/"))
    assert 'href="/evaluations/audit/"' in html
    html = _html(login("purchaser").get("/dashboard/"))
    assert 'href="/evaluations/audit/"' not in html and 'href="/evaluations/mine/"' not in html


def test_evaluation_pages_in_english(world, client, settings):
    import gettext
    import io

    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_translations", stdout=io.StringIO())
    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None
    e = published(world)
    survey, _tokens = _survey(world, contract=e.contract)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client.get("/evaluations/"))
    assert "Performance evaluation results" in html
    html = _html(client.get(f"/evaluations/{e.pk}/"))
    assert "Indicators and scores" in html
    html = _html(client.get(f"/evaluations/s/{survey.slug}/"))
    assert "Submit" in html and "Answer code" in html


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
