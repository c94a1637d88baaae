"""Issue: a resident orders from a menu; a purchaser turns the top item into a proposal; a
committee session approves it; the resident's page shows the link."""

import re

import pytest
from django.utils import timezone

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db, settings):
    from caidan.demo.data import seed
    from caidan.needs import sms

    settings.SMS_BACKEND = "caidan.needs.sms.LocmemSmsBackend"
    sms.outbox.clear()
    seed()


def test_menu_order_becomes_an_approved_project(page, browser, live_server, seeded):
    from caidan.needs import sms
    from caidan.needs.models import Menu
    from caidan.projects.models import Proposal

    base = live_server.url
    # 1. A resident verifies a phone number and supports an item on the open menu.
    page.goto(base + "/needs/verify/")
    page.get_by_label("手机号或身份证号").fill("13900000009")
    page.get_by_role("button", name="获取验证码").click()
    code = re.search(r"\d{6}", sms.outbox[-1].body).group(0)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_load_state()
    menu = Menu.objects.get(status="published")
    page.goto(base + f"/needs/menus/{menu.pk}/")
    rows = page.get_by_test_id("menu-items").locator("tbody tr")
    rows.first.get_by_role("button", name="支持").click()
    page.wait_for_load_state()
    assert rows.first.get_by_text("已支持").is_visible()

    # 2. The purchaser turns the top item of the results into a proposal and submits it.
    officer = staff(browser, base, "purchaser")
    officer.goto(base + f"/needs/menus/{menu.pk}/results/")
    top = officer.get_by_test_id("results").locator("tbody tr").first
    top_title = top.locator("td").nth(1).inner_text()
    top.get_by_role("link", name="转为项目申报").click()
    officer.wait_for_url("**/projects/proposals/new/**")
    assert top_title in officer.get_by_label("项目名称").input_value()
    officer.get_by_label("项目预算（元）").fill("180000.00")
    officer.get_by_label("财政预算（元）").fill("180000.00")
    year = timezone.localdate().year
    officer.get_by_label("服务期开始").fill(f"{year}-12-01")
    officer.get_by_label("服务期结束").fill(f"{year + 1}-11-30")
    officer.get_by_role("button", name="保存草稿").click()
    officer.wait_for_url(re.compile(r".*/projects/proposals/\d+/$"))
    officer.get_by_role("button", name="申报").click()
    officer.wait_for_load_state()
    assert officer.get_by_test_id("proposal-status").inner_text() == "已申报"
    proposal = Proposal.objects.get(status="submitted")

    # 3. A committee member convenes a session, puts it on the agenda, votes, decides.
    member = staff(browser, base, "committee")
    member.goto(base + "/projects/sessions/")
    member.get_by_label("会议名称").fill("年度第一次审定会议")
    member.get_by_label("会议时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    member.get_by_label("赵委员（审定委员会）").check()
    member.get_by_label("张街道（江苏路街道）").check()  # from the proposing street: recused
    member.get_by_role("button", name="创建").click()
    member.wait_for_url(re.compile(r".*/projects/sessions/\d+/$"))
    member.get_by_role("row", name=re.compile(proposal.title)).get_by_role(
        "button", name="列入议程"
    ).click()
    member.wait_for_load_state()
    assert member.get_by_text("回避：张街道").is_visible()
    member.get_by_role("button", name="开始表决").click()
    member.wait_for_load_state()
    member.get_by_role("button", name="赞成").click()
    member.wait_for_load_state()
    member.get_by_role("button", name="作出审定决定").click()
    member.wait_for_load_state()
    assert member.get_by_text("审定结果：通过").is_visible()
    proposal.refresh_from_db()
    assert proposal.status == "approved"

    # 4. The resident's page shows what became of the order, with a link to the project.
    page.goto(base + "/needs/mine/")
    link = page.get_by_role("link", name=f"立项申报 · {proposal.title}")
    assert link.is_visible()
    link.click()
    assert page.get_by_test_id("proposal-status").inner_text() == "已立项"
