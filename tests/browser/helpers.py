"""Shared steps of the browser tests."""

from caidan.demo.data import DEMO_PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def staff(browser, base: str, username: str, *, phone: bool = False, password: str = ""):
    """A new browser context logged in as a demo account (confirm dialogs accepted), on a
    desktop screen or, with ``phone``, a 390 × 844 touch screen."""
    screen = PHONE if phone else {"viewport": {"width": 1280, "height": 900}}
    ctx = browser.new_context(locale="zh-CN", **screen)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda d: d.accept())
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")
    return page
