"""Printing: the award notice has a 打印 button that calls the browser's print, and on
paper (print media) the navigation, the buttons and the forms are gone while the ranking
stays a ruled table — on a desktop and on a phone."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_PRINT = "window.__printed = 0; window.print = () => { window.__printed += 1; };"


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_award_notice_prints_as_a_document(browser, live_server, world, screen):
    from tests.contracts.factories import award_for

    award = award_for(world)
    options = PHONE if screen == "phone" else {"viewport": {"width": 1280, "height": 900}}
    ctx = browser.new_context(locale="zh-CN", **options)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(RECORD_PRINT)
    response = page.goto(live_server.url + f"/procurement/tenders/{award.tender_id}/notice/")
    assert response.status == 200
    css = page.request.get(live_server.url + "/static/caidan/print.css")
    assert css.status == 200 and "@media print" in css.text()

    button = page.get_by_test_id("print")
    assert button.is_visible()
    button.click()
    assert page.evaluate("window.__printed") == 1
    assert page.get_by_test_id("notice-winner").inner_text().count("¥800,000.00") == 1

    page.emulate_media(media="print")
    assert not button.is_visible()
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("footer.foot").is_visible()
    assert page.get_by_role("heading", name="中标结果公告").is_visible()
    ranking = page.get_by_test_id("ranking")
    assert ranking.evaluate("t => getComputedStyle(t).display") == "table"
    assert ranking.locator("tbody tr").first.evaluate("r => getComputedStyle(r).display") == (
        "table-row"
    )
    page.emulate_media(media="screen")
    assert button.is_visible()
    ctx.close()
