"""Issue 10: a resident asks about a menu item, the purchaser answers, the resident sees the
answer, and (the resident having agreed) it appears on the public page — answered and
published from one answer box (issue 20)."""

import re

import pytest

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db, settings):
    from caidan.demo.data import seed
    from caidan.needs import sms

    settings.SMS_BACKEND = "caidan.needs.sms.LocmemSmsBackend"
    sms.outbox.clear()
    seed()


def test_resident_asks_about_a_menu_item_and_reads_the_published_answer(
    page, browser, live_server, seeded
):
    from caidan.needs import sms
    from caidan.needs.models import Menu

    base = live_server.url
    # A resident on a phone verifies and asks about the first item of the open menu.
    mobile = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    resident = mobile.new_page()
    resident.set_default_timeout(15000)
    resident.goto(base + "/needs/verify/")
    resident.get_by_label("手机号或身份证号").fill("13900000019")
    resident.get_by_role("button", name="获取验证码").click()
    code = re.search(r"\d{6}", sms.outbox[-1].body).group(0)
    resident.get_by_label("短信验证码").fill(code)
    resident.get_by_role("button", name="验证并登录").click()
    resident.wait_for_load_state()
    menu = Menu.objects.filter(status="published").first()
    resident.goto(base + f"/needs/menus/{menu.pk}/")
    first = resident.get_by_test_id("menu-items").locator("tbody tr").first
    item_title = first.locator("strong").inner_text()
    first.get_by_role("link", name="咨询").click()
    resident.wait_for_url("**/enquiries/new/**")
    assert item_title in resident.get_by_test_id("subject").inner_text()
    resident.get_by_label("标题").fill("服务对象是谁")
    resident.get_by_label("内容").fill("请问这项服务面向哪些居民？")
    resident.get_by_label("同意公开答复（隐去个人信息，仅适用于咨询和建议）").check()
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r".*/enquiries/\d+/$"))
    assert resident.get_by_test_id("enquiry-status").inner_text() == "已受理"
    enquiry_url = resident.url

    # The purchaser takes it from the inbox, answers and publishes the answer.
    officer = staff(browser, base, "purchaser")
    officer.goto(base + "/enquiries/inbox/")
    officer.get_by_test_id("inbox").get_by_role("link", name="服务对象是谁").click()
    # one answer box: taken on, answered and (the resident agreed) published in one step
    officer.get_by_label("答复内容").fill("面向本社区 60 岁以上的独居老人。")
    assert officer.get_by_test_id("reply-publish").is_checked()
    officer.get_by_role("button", name="提交答复").click()
    officer.wait_for_load_state()
    assert officer.get_by_test_id("enquiry-status").inner_text() == "已答复"

    # The resident sees the answer; the public page shows it to anyone.
    resident.goto(enquiry_url)
    assert "60 岁以上的独居老人" in resident.get_by_test_id("answer").inner_text()
    page.goto(base + "/enquiries/public/")
    answers = page.get_by_test_id("public-answers")
    assert answers.get_by_text("服务对象是谁").is_visible()
    answers.get_by_role("link", name="服务对象是谁").click()
    assert "60 岁以上的独居老人" in page.get_by_test_id("answer").inner_text()
    mobile.close()
