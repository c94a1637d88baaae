"""The platform admin's dashboard warns when next year's holiday schedule is missing (from
1 November) and when open legal deadlines lie in a year without its official schedule; the
tender page shows the warning beside a provisional bid deadline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from caidan.accounts.dashboards import calendar_warnings
from caidan.jurisdiction.services import calendar_year_load

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def load_2027(world):
    calendar_year_load(
        year=2027,
        notice="国务院办公厅关于2027年部分节假日安排的通知（测试）",
        holidays=[(D(2027, 1, 1), D(2027, 1, 3), "元旦")],
        workdays=[],
        actor=world.actor("admin"),
    )


@pytest.mark.parametrize(
    ("today", "warns"),
    [(D(2026, 10, 31), False), (D(2026, 11, 1), True), (D(2026, 12, 4), True)],
)
def test_next_year_warning_from_1_november(world, today, warns):
    texts = calendar_warnings(today)
    assert any("2027 年的法定节假日与调休安排尚未载入" in t for t in texts) is warns


def test_dashboard_shows_the_warning_to_the_admin_only(world, login, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI))
    html = login("admin").get("/dashboard/").content.decode()
    assert 'data-testid="calendar-warning"' in html and "2027 年" in html
    assert "/settings/calendar/notice/" in html
    html = login("purchaser").get("/dashboard/").content.decode()
    assert 'data-testid="calendar-warning"' not in html
    load_2027(world)
    html = login("admin").get("/dashboard/").content.decode()
    assert "2027 年的法定节假日与调休安排尚未载入" not in html


def test_open_deadline_in_an_unloaded_year(world, login, time_machine):
    from tests.procurement.factories import published_tender

    time_machine.move_to(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI))
    deadline = dt.datetime(2027, 1, 6, 10, tzinfo=SHANGHAI)
    tender = published_tender(world, deadline=deadline)
    texts = calendar_warnings(D(2026, 12, 4))
    assert any("投标截止时间" in t and "2027" in t for t in texts), texts
    # Before 1 November only the open deadline warns, not the missing year.
    assert not any("尚未载入：跨入" in t for t in calendar_warnings(D(2026, 10, 1)))
    page = login("purchaser").get(reverse("procurement:tender", args=[tender.pk])).content.decode()
    assert "deadline-warning" in page and "暂算" in page
    load_2027(world)
    assert calendar_warnings(D(2026, 12, 4)) == []
    page = login("purchaser").get(reverse("procurement:tender", args=[tender.pk])).content.decode()
    assert "deadline-warning" not in page
