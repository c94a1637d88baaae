"""Issue: a resident (not logged in) finds a catalog item by a Chinese substring and opens
the recommended directory for one field."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db):
    from caidan.demo.data import seed

    seed()


def test_resident_finds_catalog_item_and_directory(page, seeded):
    page.goto(page.base_url + "/catalog/")
    page.get_by_label("搜索服务目录").fill("探访")
    page.get_by_label("搜索服务目录").press("Enter")
    page.wait_for_load_state()
    link = page.get_by_role("link", name="探访").first
    assert link.is_visible()
    link.click()
    page.wait_for_load_state()
    assert "探访" in page.get_by_role("heading", level=1).inner_text()

    page.goto(page.base_url + "/orgs/directory/")
    page.get_by_role("link", name="养老服务").click()
    page.wait_for_url("**/orgs/directory/elderly/")
    table = page.get_by_test_id("directory-table")
    assert table.get_by_role("link", name="阳光家庭综合服务中心").is_visible()
    # An organization with only a 2A grade is not recommended.
    assert table.get_by_text("长宁区乐龄居家养老服务社").count() == 0
    table.get_by_role("link", name="阳光家庭综合服务中心").click()
    assert page.get_by_role("heading", level=1).inner_text() == "阳光家庭综合服务中心"
    # Personal data is masked for the public.
    assert page.get_by_text("陈晓阳").count() == 0
