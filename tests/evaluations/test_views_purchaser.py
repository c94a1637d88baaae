"""The purchaser's commissioning page of a contract's evaluations: appointing the evaluator,
adjusting the framework until it is frozen, scheduling stages, the purchaser's score, surveys
and hearings. Every change goes through its service; refusals are pages (login, 403, 404);
bad input is shown on the field it concerns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from caidan.common.identifiers import make_uscc
from caidan.evaluations.models import Evaluation, EvaluatorAppointment, Framework, Hearing, Survey
from caidan.evaluations.services.frameworks import template_indicators
from caidan.orgs.models import Organization
from tests.contracts.factories import signed_contract

from .factories import appointed_contract, scheduled
from .view_helpers import PROVIDER_ORG, TODAY, _html, _org, published

pytestmark = pytest.mark.django_db


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
