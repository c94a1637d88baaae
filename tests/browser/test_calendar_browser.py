"""The working-day calendar in the browser: a provider on a phone sees that a bid deadline
in 2027 is provisional (the 2027 holiday schedule is not loaded); the platform admin enters
the State Council notice row by row, previews, confirms; the warning is gone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.browser.helpers import staff
from tests.procurement import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_provisional_deadline_then_notice_entered(browser, live_server, world):
    from caidan.common.calendar import calendar_year_loaded
    from caidan.common.models import CalendarDay

    base = live_server.url
    tender = factories.published_tender(
        world, deadline=dt.datetime(2027, 1, 6, 10, tzinfo=SHANGHAI), title="2027年初的采购项目"
    )
    url = f"{base}/procurement/tenders/{tender.pk}/"

    # A visitor on a phone: the bid deadline carries the warning, which fits the screen.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    visitor = phone.new_page()
    visitor.goto(url)
    warning = visitor.get_by_test_id("deadline").locator(".deadline-warning")
    assert "暂算" in warning.inner_text() and "2027" in warning.inner_text()
    box = warning.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"the warning overflows: {box}"
    visitor.screenshot(path="var/calendar-phone-tender.png", full_page=False)

    # The admin enters the 2027 notice: two holiday periods and one make-up Saturday.
    admin = staff(browser, base, "admin")
    admin.goto(base + "/settings/calendar/notice/?year=2027")
    admin.get_by_label("通知标题或文号").fill("国务院办公厅关于2027年部分节假日安排的通知（测试）")
    admin.locator('[name="h-0-start"]').fill("2027-01-01")
    admin.locator('[name="h-0-end"]').fill("2027-01-03")
    admin.locator('[name="h-0-name"]').fill("元旦")
    admin.locator('[name="h-1-start"]').fill("2027-02-06")
    admin.locator('[name="h-1-end"]').fill("2027-02-12")
    admin.locator('[name="h-1-name"]').fill("春节")
    admin.locator('[name="w-0-date"]').fill("2027-02-20")
    admin.locator('[name="w-0-name"]').fill("春节调休")
    admin.get_by_role("button", name="预览").click()
    preview = admin.locator("#preview")
    assert "2027-02-20" in preview.inner_text()
    assert not calendar_year_loaded(2027)
    admin.screenshot(path="var/calendar-notice-preview.png", full_page=True)
    admin.get_by_role("button", name="确认保存").click()
    admin.wait_for_url("**/settings/calendar/?year=2027")
    assert "已载入官方安排" in admin.content()
    assert calendar_year_loaded(2027)
    assert CalendarDay.objects.filter(date__year=2027, kind="holiday").count() == 10

    visitor.goto(url)
    assert visitor.get_by_test_id("deadline").locator(".deadline-warning").count() == 0
    phone.close()
    admin.context.close()
