"""A visitor meets the demo (issue 20), on a desktop and on a 390 × 844 phone: the portal's
front page shows the latest tenders, award notices and contracts, linked and dated, without
sideways scrolling; on the verification page of 去点菜 the demo shows the SMS code, marked
演示环境, and the visitor gets past it with that code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def demo(db, settings):
    from caidan.demo.data import seed
    from caidan.demo.midyear import seed_midyear

    settings.SMS_BACKEND = "caidan.needs.sms.ConsoleSmsBackend"  # what the demo runs with
    seed()
    seed_midyear()


def _page(browser, live_server, size):
    width, height = SIZES[size]
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.mark.parametrize("size", list(SIZES))
def test_front_page_shows_the_latest_records(browser, live_server, demo, size, tmp_path):
    from caidan.procurement.models import Award

    context, page = _page(browser, live_server, size)
    try:
        page.goto(live_server.url + "/open/")
        latest = page.get_by_test_id("portal-latest")
        expect(latest).to_be_visible()
        for testid in ("latest-tenders", "latest-awards", "latest-contracts"):
            section = page.get_by_test_id(testid)
            expect(section.locator("li").first).to_be_visible()
            expect(section.locator("li time").first).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
        assert not page.evaluate(SIDEWAYS), f"{size}: the front page scrolls sideways"
        page.screenshot(path=str(tmp_path / f"portal-front-{size}.png"), full_page=True)
        newest = Award.objects.public().order_by("-notice_published_at", "-id").first()
        page.get_by_test_id("latest-awards").locator("li a").first.click()
        page.wait_for_url(f"**/procurement/tenders/{newest.tender_id}/notice/")
        expect(page.locator("main")).to_contain_text(newest.bid.organization.name)
    finally:
        context.close()


@pytest.mark.parametrize(("size", "phone"), [("desktop", "13900000991"), ("phone", "13900000992")])
def test_the_demo_shows_the_sms_code_and_the_visitor_gets_past(
    browser, live_server, demo, size, phone, tmp_path
):
    context, page = _page(browser, live_server, size)
    try:
        page.goto(live_server.url + "/needs/verify/")
        page.get_by_label("手机号或身份证号").fill(phone)
        page.get_by_role("button", name="获取验证码").click()
        shown = page.get_by_test_id("demo-sms-code")
        expect(shown).to_be_visible()
        expect(shown).to_contain_text("演示环境")
        expect(shown).to_be_in_viewport()
        code = shown.locator("output").inner_text()
        assert re.fullmatch(r"\d{6}", code)
        assert not page.evaluate(SIDEWAYS), f"{size}: the verification page scrolls sideways"
        page.screenshot(path=str(tmp_path / f"demo-sms-code-{size}.png"), full_page=True)
        page.get_by_label("短信验证码").fill(code)
        page.get_by_role("button", name="验证并登录").click()
        page.wait_for_url("**/needs/mine/**")
        expect(page.get_by_text("身份验证成功")).to_be_visible()
    finally:
        context.close()
