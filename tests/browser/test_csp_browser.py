"""Under the Content-Security-Policy pages keep working: confirm dialogs, the language and
role selects, and the API docs, with no policy violation in the console."""

import pytest

from caidan.demo.data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db):
    from caidan.demo.data import seed

    seed()


def _watch(page):
    seen = []
    page.on(
        "console",
        lambda m: (
            seen.append((page.url, m.text[:60], m.location))
            if "Content Security Policy" in m.text
            else None
        ),
    )
    return seen


def test_confirm_and_autosubmit_work_under_the_policy(page, seeded):
    violations = _watch(page)
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill("purchaser")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")

    page.goto(page.base_url + "/me/tokens/")
    page.get_by_label("名称").fill("对账程序")
    page.get_by_role("button", name="创建令牌").click()
    page.get_by_test_id("new-token").wait_for()
    # Dismissed: the form is not sent. Accepted: the token is revoked.
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.get_by_role("button", name="撤销").click()
    page.wait_for_timeout(300)
    assert messages and "确定撤销" in messages[0]
    assert page.get_by_role("cell", name="有效", exact=True).is_visible()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="撤销").click()
    page.get_by_role("cell", name="已撤销", exact=True).wait_for()

    # The language select submits itself on change (no inline handler any more).
    page.get_by_label("Language 语言").select_option("en")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang").startswith("en")
    assert violations == []


def test_api_docs_render_from_our_own_static_files(page, seeded):
    violations = _watch(page)
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(page.base_url) else None,
    )
    page.goto(page.base_url + "/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert external == []
    assert violations == []
