"""The purchaser builds a tender's scoring sheet in the browser, on a desktop and on a
390 × 844 phone (issue 20, "Forms"): the sections of other methods hide and come back with
the method, a template per service field fills the rows, the total follows the typing
(a cent short of 100 says so), rows are added and removed, the draft is saved with
generated ids, then published."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caidan.procurement import sheet_templates
from tests.browser.helpers import staff
from tests.procurement import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_purchaser_builds_a_sheet_from_a_template_and_publishes(browser, live_server, world, phone):
    from caidan.procurement.models import Tender

    proposal = factories.approved_proposal(world, title="江苏路街道长者探访服务")
    officer = staff(browser, live_server.url, "purchaser", phone=phone)
    officer.goto(live_server.url + f"/procurement/new/{proposal.pk}/")

    # Only what applies to an open tender; the invitation comes with single source.
    invitation = officer.get_by_test_id("section-invitation")
    posts = officer.get_by_test_id("section-posts")
    sheet = officer.get_by_test_id("section-sheet")
    expect(invitation).to_be_hidden()
    expect(posts).to_be_hidden()
    expect(sheet).to_be_visible()
    officer.get_by_label("采购方式", exact=True).select_option("single_source")
    expect(invitation).to_be_visible()
    expect(invitation).to_contain_text("仅适用于：单一来源、协议购买")
    expect(sheet).to_be_hidden()
    expect(officer.get_by_test_id("section-time")).to_contain_text("公示不少于 5 个工作日")
    expect(officer.get_by_label("变更采购方式理由")).to_be_visible()
    officer.get_by_label("采购方式", exact=True).select_option("open_tender")
    expect(invitation).to_be_hidden()
    expect(officer.get_by_label("变更采购方式理由")).to_be_hidden()
    expect(sheet).to_be_visible()
    # Consultation scores comprehensively only; the lowest-price method needs no sheet.
    evaluation = officer.get_by_label("评标方法")
    officer.get_by_label("采购方式", exact=True).select_option("consultation")
    expect(evaluation.locator("option")).to_have_count(1)
    officer.get_by_label("采购方式", exact=True).select_option("open_tender")
    expect(evaluation.locator("option")).to_have_count(2)
    evaluation.select_option("lowest_price")
    expect(sheet).to_be_hidden()
    evaluation.select_option("comprehensive")
    expect(sheet).to_be_visible()

    # A template for the field fills the rows; the total follows the typing.
    total = officer.get_by_test_id("sheet-total")
    expect(total).to_have_text("100")
    officer.get_by_label("评分表模板").select_option("elderly")
    officer.get_by_role("button", name="套用模板").click()
    rows = officer.get_by_test_id("factor-rows").locator("tbody tr")
    elderly = sheet_templates.template_get("elderly")
    expect(rows).to_have_count(len(elderly.factors))
    expect(rows.nth(0).get_by_label("评分因素")).to_have_value(elderly.factors[0]["name"])
    expect(total).to_have_text("100")

    rows.nth(0).get_by_label("分值").fill("29.99")
    expect(total).to_have_text("99.99")
    expect(sheet).to_contain_text("须为 100 分")
    rows.nth(2).get_by_role("button", name="删除").click()  # 安全与应急保障, 10 points
    expect(rows).to_have_count(len(elderly.factors) - 1)
    expect(total).to_have_text("89.99")
    officer.get_by_role("button", name="增加一行").click()
    expect(rows).to_have_count(len(elderly.factors))
    new = rows.last
    new.get_by_label("评分因素").fill("回访满意度")
    new.get_by_label("分值").fill("10.01")
    new.get_by_label("评分说明").fill("服务对象回访满意率。")
    expect(total).to_have_text("100")
    expect(sheet).to_contain_text("已满 100 分")

    deadline = factories.next_working_deadline(timezone.now() + dt.timedelta(days=25))
    officer.get_by_label("投标截止（开标）时间").fill(
        timezone.localtime(deadline).strftime("%Y-%m-%dT%H:%M")
    )
    officer.get_by_role("button", name="保存草稿").click()
    officer.wait_for_url(re.compile(r".*/procurement/tenders/\d+/$"))
    tender = Tender.objects.get(proposal=proposal)
    assert [(f["id"], f["name"], str(f["max"])) for f in tender.factors] == [
        ("plan", "服务方案", "29.99"),
        ("team", "护理与社工团队", "20"),
        ("experience", "养老服务经验", "10"),
        ("f1", "回访满意度", "10.01"),
    ]
    assert tender.factors[3]["guidance"] == "服务对象回访满意率。"
    assert tender.invited_organization is None and tender.posts == 0

    officer.get_by_role("link", name="发布公告").click()
    officer.get_by_role("button", name="确认发布").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/")
    tender.refresh_from_db()
    assert tender.status == "published", tender.status
    officer.context.close()


def test_without_javascript_every_section_shows_and_the_row_buttons_submit(
    browser, live_server, world
):
    from caidan.demo.data import DEMO_PASSWORD
    from caidan.procurement.models import Tender

    proposal = factories.approved_proposal(world, title="江苏路街道助残康复服务")
    ctx = browser.new_context(
        locale="zh-CN", java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("purchaser")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")
    page.goto(live_server.url + f"/procurement/new/{proposal.pk}/")

    for key in ("invitation", "posts", "sheet"):
        expect(page.get_by_test_id(f"section-{key}")).to_be_visible()
    expect(page.get_by_test_id("section-posts")).to_contain_text("仅适用于：岗位购买")

    page.get_by_label("采购项目名称").fill("助残康复（夜间照护）")
    page.get_by_label("评分表模板").select_option("disability")
    page.get_by_role("button", name="套用模板").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("factor-rows").locator("tbody tr")
    disability = sheet_templates.template_get("disability")
    expect(rows).to_have_count(len(disability.factors))
    expect(page.get_by_label("采购项目名称")).to_have_value("助残康复（夜间照护）")
    page.get_by_role("button", name="增加一行").click()
    page.wait_for_load_state()
    expect(rows).to_have_count(len(disability.factors) + 1)
    rows.last.get_by_label("评分因素").fill("夜间应急响应")
    rows.last.get_by_label("分值").fill("10")
    rows.first.get_by_label("分值").fill("20")
    rows.nth(1).get_by_role("button", name="删除").click()  # 康复与社工团队, 20 points
    page.wait_for_load_state()
    expect(rows).to_have_count(len(disability.factors))
    expect(page.get_by_test_id("sheet-total")).to_have_text("80")  # the server's sum
    rows.last.get_by_label("分值").fill("30")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r".*/procurement/tenders/\d+/$"))
    tender = Tender.objects.get(proposal=proposal)
    assert tender.title == "助残康复（夜间照护）"
    assert [(f["id"], f["max"]) for f in tender.factors] == [
        ("plan", 20),
        ("access", 10),
        ("experience", 10),
        ("f1", 30),
    ]
    ctx.close()
