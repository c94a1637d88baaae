"""In a real browser (Debian's Chromium through Playwright): a resident searches the public
catalog in Chinese and opens an item; the admin publishes a draft after confirming."""

from __future__ import annotations

import pytest

from caidan.demo.data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    from caidan.demo.data import seed

    seed()  # a previous transactional test may have flushed the tables
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    context.close()


def test_search_the_catalog_and_open_an_item(page):
    page.goto(page.base_url + "/catalog/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("购买服务目录")
    page.get_by_label("搜索服务目录").fill("纠纷")
    page.get_by_label("搜索服务目录").press("Enter")
    results = page.get_by_test_id("search-results")
    results.get_by_role("link", name="医患纠纷人民调解").click()
    page.wait_for_url("**/catalog/items/*/")
    assert "医患纠纷人民调解" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("专业类").first.is_visible()


def test_admin_publishes_a_draft_after_confirming(page):
    from caidan.catalog.models import CatalogVersion

    page.goto(page.base_url + "/login/?next=/catalog/manage/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/catalog/manage/")
    page.get_by_label("版本名称").fill("2030年修订版")
    page.get_by_label("生效日期").fill("2030-01-01")
    page.get_by_label("复制自（可选）").select_option(label="2017年7月修订版")
    page.get_by_role("button", name="创建草稿").click()
    page.wait_for_url("**/catalog/manage/v/*/")
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_role("button", name="发布此版本").click()
    assert dialogs and "确定发布" in dialogs[0]
    assert CatalogVersion.objects.get(name="2030年修订版").status == "draft"
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="发布此版本").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已发布“2030年修订版”").is_visible()
    assert CatalogVersion.objects.get(name="2030年修订版").status == "published"
