"""On a phone (390×844): the public audit-anchor page fits the screen with its hashes and
public key; printed survey slips hold their longer tokens; a resident types a token in lower
case with spaces and it is accepted."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from caidan.evaluations.inputs import SurveyInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _phone(browser):
    ctx = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


def test_anchor_page_on_a_phone(browser, live_server, world):
    from caidan.audit.anchors import audit_anchor_create, public_keys

    anchor, _ = audit_anchor_create()
    ctx, page = _phone(browser)
    page.goto(live_server.url + "/open/audit-anchors/")
    assert page.get_by_role("heading", name="审计链锚点", exact=True).is_visible()
    table = page.get_by_test_id("anchor-table")
    assert anchor.hash in table.inner_text()
    assert next(iter(public_keys().values())) in page.get_by_test_id("anchor-keys").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()


def test_survey_slips_and_a_token_typed_loosely_on_a_phone(browser, live_server, world):
    from caidan.evaluations.models import SurveyResponse
    from caidan.evaluations.services import survey_create
    from tests.evaluations.factories import appointed_contract

    today = timezone.localdate()
    survey, tokens = survey_create(
        contract=appointed_contract(world),
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="长者探访服务满意度调查",
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
            tokens=3,
        ),
    )
    ctx, phone = _phone(browser)
    phone.goto(live_server.url + f"/evaluations/s/{survey.slug}/")
    phone.get_by_label("答卷码", exact=True).fill(tokens[0].replace("-", " ").lower())
    for q in survey.questions:
        if q["kind"] == "likert":
            phone.get_by_role("group", name=re.compile(re.escape(q["text"]))).get_by_role(
                "radio", name="4", exact=True
            ).check()
    phone.get_by_role("button", name="提交答卷").click()
    phone.wait_for_url(f"**/evaluations/s/{survey.slug}/thanks/")
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    ctx.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_printed_slips_hold_the_whole_token(browser, live_server, world, viewport):
    from caidan.demo.data import DEMO_PASSWORD
    from tests.evaluations.factories import appointed_contract

    contract = appointed_contract(world)
    ctx = browser.new_context(locale="zh-CN", viewport=viewport)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("purchaser")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")
    page.goto(live_server.url + f"/evaluations/contracts/{contract.pk}/surveys/new/")
    page.get_by_label("调查标题").fill("长者探访服务满意度调查")
    page.get_by_label("截止日期").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("答卷码数量").fill("4")
    page.get_by_role("button", name=re.compile("发起|创建|生成")).click()
    page.wait_for_load_state()
    slips = page.get_by_test_id("tokens")
    tokens = [t.strip() for t in slips.locator("code").all_inner_texts()]
    assert len(tokens) == 4 and all(len(t) == 17 for t in tokens), tokens
    overflowing = slips.evaluate(
        "ul => [...ul.querySelectorAll('li')].filter(li => li.scrollWidth > li.clientWidth).length"
    )
    assert overflowing == 0
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > w && !e.closest('nav'))"
        ".map(e => e.tagName + '.' + e.className + ':' + (e.textContent || '').slice(0, 40))",
        viewport["width"],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], wide
    ctx.close()
