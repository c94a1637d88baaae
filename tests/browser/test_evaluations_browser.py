"""Acceptance path of evaluations: a resident answers the satisfaction survey on a phone
(375×667, no login, a one-time code); the appointed evaluator completes the scores of the
final evaluation and publishes it in the browser; an anonymous visitor opens the provider's
public track record and sees the grade and total."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput, SurveyInput
from tests.browser.helpers import staff
from tests.evaluations.factories import full_scores, scheduled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_survey_on_a_phone_publish_in_the_browser_public_track_record(browser, live_server, world):
    from playwright.sync_api import expect

    from caidan.evaluations.models import Evaluation, SurveyResponse, TrackRecord
    from caidan.evaluations.services import (
        evaluation_purchaser_score,
        evaluation_score,
        survey_create,
    )

    base = live_server.url
    e = scheduled(world, "final")
    contract = e.contract
    today = timezone.localdate()
    survey, tokens = survey_create(
        contract=contract,
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="长者探访服务满意度调查",
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
            tokens=3,
        ),
    )

    # 1. A resident answers on a phone-sized screen, without logging in.
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    phone = ctx.new_page()
    phone.set_default_timeout(15000)
    phone.goto(base + f"/evaluations/s/{survey.slug}/")
    assert phone.get_by_role("heading", name="长者探访服务满意度调查").is_visible()
    assert (
        phone.evaluate("document.documentElement.scrollWidth") <= 375
    )  # one column, no sideways scroll
    phone.get_by_label("答卷码", exact=True).fill(tokens[0].lower())
    likert = [q for q in survey.questions if q["kind"] == "likert"]
    for q in likert:
        group = phone.get_by_role("group", name=re.compile(re.escape(q["text"])))
        option = group.get_by_role("radio", name="5", exact=True)
        box = group.locator("label.likert-option").last.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb-sized target
        option.check()
    phone.get_by_label("您还有什么意见或建议？").fill("希望周末也能上门。")
    phone.get_by_role("button", name="提交答卷").click()
    phone.wait_for_url(f"**/evaluations/s/{survey.slug}/thanks/")
    assert phone.get_by_role("heading", name="感谢您的参与").is_visible()
    answer = SurveyResponse.objects.get(survey=survey)
    assert str(answer.score) == "100.00"
    # the same code cannot answer twice
    phone.goto(base + f"/evaluations/s/{survey.slug}/")
    phone.get_by_label("答卷码", exact=True).fill(tokens[0])
    for q in likert:
        phone.get_by_role("group", name=re.compile(re.escape(q["text"]))).get_by_role(
            "radio", name="1", exact=True
        ).check()
    phone.get_by_role("button", name="提交答卷").click()
    expect(phone.get_by_text("该答卷码已经使用过")).to_be_visible()
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    ctx.close()

    # 2. The evaluator: most scores are in (through the service); two rows and the
    #    conclusion are filled in here, then the result is published.
    # the purchaser's score: every subject has a result (issue 20)
    evaluation_purchaser_score(
        evaluation=e, actor=world.actor("purchaser"), data=PurchaserScoreInput.parse(score="90")
    )
    scores = full_scores(e, "0.9")
    for code in ("D1", "O1"):
        scores.pop(code)
    evaluation_score(
        evaluation=e, actor=world.actor("evaluator"), data=ScoresInput.parse(scores=scores)
    )
    evaluator = staff(browser, base, "evaluator")
    evaluator.get_by_role("navigation").get_by_role("link", name="我的评估").click()
    evaluator.wait_for_url("**/evaluations/mine/")
    evaluator.get_by_test_id(f"task-{e.pk}").get_by_role("link", name="评分").click()
    evaluator.wait_for_url(f"**/evaluations/{e.pk}/score/")
    assert "项目立项" in evaluator.get_by_test_id("missing").inner_text()
    evaluator.get_by_label("项目立项（需求调研、立项程序） 得分").fill("9")
    evaluator.get_by_label("项目立项（需求调研、立项程序） 依据").fill(
        "立项前开展了需求调研，程序完整。"
    )
    evaluator.get_by_label("产出数量（实际完成率） 实际产出数").fill("2300")
    evaluator.get_by_label("产出数量（实际完成率） 计划产出数").fill("2400")
    evaluator.get_by_label("产出数量（实际完成率） 依据").fill("探访台账 2300 人次。")
    evaluator.get_by_label("评价结论").fill("服务规范，长者满意度高，建议续签。")
    evaluator.get_by_role("button", name="保存评分").click()
    expect(evaluator.get_by_text("评分已保存")).to_be_visible()
    assert "计算值 95.83%" in evaluator.get_by_test_id("score-O1").inner_text()
    evaluator.get_by_role("link", name="公布评价结果").click()
    evaluator.wait_for_url(f"**/evaluations/{e.pk}/publish/")
    facts = evaluator.get_by_test_id("confirm-facts").inner_text()
    assert "综合得分" in facts and "等级" in facts
    assert "100.00" in evaluator.get_by_test_id("subjects").inner_text()  # the survey counted
    evaluator.get_by_role("button", name="确认公布").click()
    evaluator.wait_for_url(f"**/evaluations/{e.pk}/")
    e = Evaluation.objects.get(pk=e.pk)
    assert e.status == "published" and e.total is not None
    assert evaluator.get_by_test_id("total").inner_text() == str(e.total)
    record = TrackRecord.objects.get(evaluation=e)

    # 3. Anyone: the contract page links the provider's public track record.
    visitor_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    visitor = visitor_ctx.new_page()
    visitor.set_default_timeout(15000)
    visitor.goto(base + f"/contracts/{contract.pk}/")
    visitor.get_by_test_id("track-record-link").click()
    visitor.wait_for_url(f"**/evaluations/track-record/{contract.organization_id}/")
    table = visitor.get_by_test_id("track-record").inner_text()
    assert contract.title in table and str(record.total) in table
    assert e.get_grade_display() in table
    assert visitor.get_by_test_id("average").inner_text() == str(record.total)
    visitor_ctx.close()
