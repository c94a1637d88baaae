"""The public evaluation pages: the results list (published only, bounded), an evaluation
with its indicators and formulas, a provider's track record, the phone-first survey answered
without login; navigation, dashboards and the pages in English."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.evaluations.inputs import SurveyInput
from caidan.evaluations.models import Evaluation, Survey, SurveyResponse
from caidan.evaluations.services import survey_create

from .factories import appointed_contract, scheduled
from .view_helpers import OTHER_ORG, TODAY, _html, _org, published

pytestmark = pytest.mark.django_db


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
