import pytest

from caidan.demo.data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username, password=DEMO_PASSWORD):
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def seeded(db):
    from caidan.demo.data import seed

    seed()


def test_public_home_without_login(page, seeded):
    page.goto(page.base_url + "/")
    assert "政府" in page.title() or page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("问需于民").is_visible()
    assert page.get_by_role("link", name="工作人员登录").is_visible()


def test_purchaser_logs_in_and_sees_dashboard_then_switches_role(page, seeded):
    _login(page, "purchaser")
    page.wait_for_url("**/dashboard/")
    assert page.get_by_test_id("dashboard-role").inner_text() == "购买主体"
    assert page.get_by_text("编制服务菜单").is_visible()
    # The officer also sits on the review committee: switch role from the top bar.
    page.get_by_label("当前角色").select_option(label="审定委员会委员 · 长宁区")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("dashboard-role").inner_text() == "审定委员会委员"
    assert page.get_by_text("审定会议").first.is_visible()


def test_auditor_reaches_audit_log(page, seeded):
    _login(page, "auditor")
    page.wait_for_url("**/dashboard/")
    assert page.get_by_test_id("dashboard-role").inner_text() == "审计"
    page.get_by_role("navigation").get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/audit/")
    table = page.get_by_test_id("audit-table")
    assert table.get_by_text("登录").first.is_visible()


def test_wrong_password_shows_a_clear_error(page, seeded):
    _login(page, "provider", password="not-the-password")
    assert page.get_by_text("用户名或密码错误。").is_visible()
