"""The platform admin enters a year's State Council holiday notice (page, API, command):
rows are checked, a preview is confirmed, the write is audited and the year counts as loaded."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from caidan.audit.models import AuditEvent
from caidan.common.calendar import add_working_days_checked, calendar_year_loaded
from caidan.common.errors import PermissionDenied, ValidationError
from caidan.common.models import CalendarDay, CalendarYear
from caidan.jurisdiction.services import calendar_year_load, calendar_year_sync

D = dt.date
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试）"


def test_load_replaces_the_year_and_is_audited(world):
    admin = world.actor("admin")
    CalendarDay.objects.create(date=D(2027, 3, 2), kind="holiday", name="旧设置")
    change = calendar_year_load(
        year=2027,
        notice=NOTICE,
        holidays=[(D(2027, 1, 1), D(2027, 1, 3), "元旦"), (None, None, "")],
        workdays=[(D(2027, 2, 20), "春节调休"), (None, "")],
        actor=admin,
    )
    assert [d for d, _k, _n in change["added"]] == [
        D(2027, 1, 1),
        D(2027, 1, 2),
        D(2027, 1, 3),
        D(2027, 2, 20),
    ]
    assert change["removed"] == [(D(2027, 3, 2), "holiday", "旧设置")]
    assert calendar_year_loaded(2027)
    row = CalendarYear.objects.get(year=2027)
    assert row.source == NOTICE and row.loaded_by
    event = AuditEvent.objects.filter(kind="calendar.year_loaded").latest("seq")
    assert event.new["year"] == 2027 and event.new["removed"] == ["2027-03-02"]
    # The make-up Saturday 20 February 2027 now counts as a working day.
    got = add_working_days_checked(D(2027, 2, 19), 1)
    assert got.date == D(2027, 2, 20) and not got.provisional


@pytest.mark.parametrize(
    ("holidays", "workdays", "field", "text"),
    [
        ([], [], "holidays", "至少填写一行"),
        ([(D(2027, 1, 1), None, "")], [], "holidays[1]", "节日名称"),
        ([(D(2027, 1, 3), D(2027, 1, 1), "元旦")], [], "holidays[1]", "早于"),
        ([(D(2027, 1, 1), D(2027, 1, 16), "元旦")], [], "holidays[1]", "超过 15 天"),
        ([(D(2028, 1, 1), None, "元旦")], [], "holidays[1]", "不在 2027 年"),
        (
            [(D(2027, 1, 1), D(2027, 1, 3), "元旦"), (D(2027, 1, 3), None, "元旦")],
            [],
            "holidays[2]",
            "重复",
        ),
        ([(D(2027, 1, 1), None, "元旦")], [(D(2027, 1, 6), "")], "workdays[1]", "周三"),
        ([(D(2027, 1, 1), D(2027, 1, 3), "元旦")], [(D(2027, 1, 2), "")], "workdays[1]", "放假日"),
    ],
)
def test_rows_are_checked(world, holidays, workdays, field, text):
    with pytest.raises(ValidationError) as exc:
        calendar_year_load(
            year=2027,
            notice=NOTICE,
            holidays=holidays,
            workdays=workdays,
            actor=world.actor("admin"),
        )
    assert exc.value.field == field and text in exc.value.message
    assert not calendar_year_loaded(2027)


def test_notice_reaching_into_december_before(world):
    """元旦 may begin on 30 December of the year before; that year's other days stay."""
    calendar_year_load(
        year=2027,
        notice=NOTICE,
        holidays=[(D(2026, 12, 31), D(2027, 1, 2), "元旦")],
        workdays=[],
        actor=world.actor("admin"),
    )
    assert CalendarDay.objects.filter(date=D(2026, 12, 31), kind="holiday").exists()
    assert CalendarDay.objects.filter(date=D(2026, 10, 1), kind="holiday").exists()


def test_only_the_platform_admin(world):
    with pytest.raises(PermissionDenied):
        calendar_year_load(
            year=2027,
            notice=NOTICE,
            holidays=[(D(2027, 1, 1), None, "元旦")],
            workdays=[],
            actor=world.actor("purchaser"),
        )
    with pytest.raises(ValidationError) as exc:
        calendar_year_load(
            year=2027,
            notice=" ",
            holidays=[(D(2027, 1, 1), None, "元旦")],
            workdays=[],
            actor=world.actor("admin"),
        )
    assert exc.value.field == "notice"


def test_sync_keeps_a_notice_entered_by_hand_unless_forced(world):
    admin = world.actor("admin")
    events = AuditEvent.objects.count()
    assert calendar_year_sync(years=[2026, 2027], actor=admin) == {
        2026: "unchanged",
        2027: "not in library",
    }
    assert AuditEvent.objects.count() == events  # nothing written, nothing audited
    calendar_year_load(
        year=2026,
        notice="手工录入",
        holidays=[(D(2026, 1, 1), None, "元旦")],
        workdays=[],
        actor=admin,
    )
    assert calendar_year_sync(years=[2026], actor=admin) == {2026: "kept"}
    assert CalendarYear.objects.get(year=2026).source == "手工录入"
    assert calendar_year_sync(years=[2026], actor=admin, force=True) == {2026: "loaded"}
    assert CalendarYear.objects.get(year=2026).source.startswith("chinesecalendar")
    assert CalendarDay.objects.filter(date=D(2026, 10, 7), kind="holiday").exists()


def test_calendar_sync_command(world):
    out = io.StringIO()
    call_command("calendar_sync", "--years", "2023-2027", stdout=out)
    text = out.getvalue()
    assert "2023：已载入" in text
    assert "2027：库中尚无该年安排" in text
    assert calendar_year_loaded(2023) and not calendar_year_loaded(2027)


def _post_rows(extra: dict) -> dict:
    data = {
        "notice": NOTICE,
        "h-TOTAL_FORMS": "3",
        "h-INITIAL_FORMS": "0",
        "w-TOTAL_FORMS": "2",
        "w-INITIAL_FORMS": "0",
        "h-0-start": "2027-01-01",
        "h-0-end": "2027-01-03",
        "h-0-name": "元旦",
        "h-1-start": "2027-02-06",
        "h-1-end": "2027-02-12",
        "h-1-name": "春节",
        "w-0-date": "2027-02-20",
        "w-0-name": "春节调休",
    }
    data.update(extra)
    return data


def test_notice_page_preview_then_confirm(world, login):
    client = login("admin")
    page = client.get("/settings/calendar/notice/?year=2027").content.decode()
    assert "该年度的官方节假日安排尚未载入" in page and 'name="h-0-start"' in page
    # Preview: nothing is written, the rows are listed with their weekdays.
    resp = client.post("/settings/calendar/notice/?year=2027", _post_rows({"preview": "1"}))
    html = resp.content.decode()
    assert resp.status_code == 200 and 'id="preview"' in html
    assert "2027-02-20" in html and not calendar_year_loaded(2027)
    digest = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)
    # Changing a row after the preview asks for a new confirmation.
    resp = client.post(
        "/settings/calendar/notice/?year=2027",
        _post_rows({"confirm": digest, "h-1-end": "2027-02-11"}),
    )
    assert "内容已改动" in resp.content.decode() and not calendar_year_loaded(2027)
    # Confirming what was previewed saves, audits and marks the year loaded.
    resp = client.post(
        "/settings/calendar/notice/?year=2027", _post_rows({"confirm": digest}), follow=True
    )
    assert "2027 年节假日安排已载入" in resp.content.decode()
    assert calendar_year_loaded(2027)
    assert CalendarDay.objects.filter(date__year=2027, kind="holiday").count() == 10
    event = AuditEvent.objects.filter(kind="calendar.year_loaded").latest("seq")
    assert event.new["year"] == 2027 and event.actor_id == world.user("admin").pk
    # The calendar page now names the source.
    page = client.get("/settings/calendar/?year=2027").content.decode()
    assert "已载入官方安排" in page and NOTICE in page
    # Reopening the editor shows the stored rows, holidays merged into date ranges.
    page = client.get("/settings/calendar/notice/?year=2027").content.decode()
    assert 'name="h-1-start" value="2027-02-06"' in page
    assert 'name="h-1-end" value="2027-02-12"' in page


def test_notice_page_shows_row_errors(world, login):
    client = login("admin")
    resp = client.post(
        "/settings/calendar/notice/?year=2027", _post_rows({"w-0-date": "2027-02-17"})
    )
    html = resp.content.decode()
    assert "本来就上班" in html and 'id="preview"' not in html
    assert not calendar_year_loaded(2027)


def test_api_years_and_notice(world, client, token_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC))
    years = client.get("/api/v1/jurisdiction/calendar/years").json()
    assert [y["year"] for y in years["loaded"]][-3:] == [2024, 2025, 2026]
    assert years["next_year"] == 2027 and years["next_year_missing"] is True
    assert "2027" in years["warning"]
    days = client.get("/api/v1/jurisdiction/working-days?start=2026-12-30&days=2").json()
    assert days["result"] == "2027-01-01" and days["provisional"] is True
    assert days["unloaded_years"] == [2027]

    headers = token_for("admin")
    payload = {
        "notice": NOTICE,
        "holidays": [{"start": "2027-01-01", "end": "2027-01-03", "name": "元旦"}],
        "workdays": [],
    }
    bad = client.put(
        "/api/v1/jurisdiction/calendar/years/2027",
        data={**payload, "workdays": [{"date": "2027-01-06"}]},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 400 and bad.json()["detail"]["field"] == "workdays[1]"
    resp = client.put(
        "/api/v1/jurisdiction/calendar/years/2027",
        data=payload,
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["holidays"] == 3 and body["source"] == NOTICE
    days = client.get("/api/v1/jurisdiction/working-days?start=2026-12-30&days=2").json()
    assert days["result"] == "2027-01-04" and days["provisional"] is False
    years = client.get("/api/v1/jurisdiction/calendar/years").json()
    assert years["next_year_loaded"] is True and years["warning"] == ""
