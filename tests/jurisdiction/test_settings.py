import datetime as dt

import pytest

from caidan.audit.models import AuditEvent
from caidan.common.calendar import add_working_days
from caidan.common.errors import NotFound, PermissionDenied, ValidationError
from caidan.jurisdiction.registry import SPECS
from caidan.jurisdiction.selectors import setting_list, setting_value
from caidan.jurisdiction.services import calendar_day_remove, calendar_day_set, setting_update


def test_defaults_follow_domain_spec(world):
    assert setting_value("score_aggregate") == "mean"
    assert setting_value("score_decimals") == 2
    assert setting_value("min_valid_bids") == 3
    assert setting_value("bidding_period_days") == 20
    assert setting_value("consultation_period_days") == 10
    assert setting_value("payment_split") == {"first": 50, "second": 35, "final": 15}
    assert setting_value("evaluation_weights") == {"决策": 20, "过程": 20, "产出": 40, "效益": 20}
    assert setting_value("enquiry_answer_working_days") == 10
    assert len({s.key for s in SPECS}) == len(SPECS)


def test_every_default_passes_its_own_validation():
    for spec in SPECS:
        assert spec.parse(spec.default) == spec.default, spec.key


def test_update_is_audited_and_read_back(world):
    admin = world.actor("admin")
    setting_update(key="score_aggregate", value="trimmed_mean", actor=admin)
    assert setting_value("score_aggregate") == "trimmed_mean"
    event = AuditEvent.objects.filter(kind="setting.changed").latest("seq")
    assert event.old == {"value": "mean"} and event.new == {"value": "trimmed_mean"}
    assert event.actor.username == "admin"
    view = {s.spec.key: s for s in setting_list()}["score_aggregate"]
    assert not view.is_default and view.updated_by.username == "admin"


def test_only_platform_admin_may_change(world):
    with pytest.raises(PermissionDenied):
        setting_update(key="min_valid_bids", value=2, actor=world.actor("purchaser"))
    assert setting_value("min_valid_bids") == 3


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("score_aggregate", "median", "只能取"),
        ("min_valid_bids", "three", "无效"),
        ("min_valid_bids", 0, "不得低于 3"),
        ("bidding_period_days", 15, "不得低于 20"),  # law: ≥ 20 days
        ("bid_security_max_percent", "2.5", "不得高于 2"),  # 实施条例 §33
        ("performance_security_max_percent", "11", "不得高于 10"),  # 实施条例 §48
        ("payment_split", {"first": 40, "second": 40, "final": 20}, "50%"),
        ("payment_split", {"first": 50, "second": 45, "final": 5}, "30% 到 40%"),
        ("payment_split", {"first": 50, "second": 35, "final": 10}, "之和必须为 100"),
        ("evaluation_weights", {"决策": 30, "过程": 20, "产出": 30, "效益": 20}, "不得低于 60"),
        ("evaluation_weights", {"决策": 20, "过程": 20, "产出": 40, "效益": 30}, "之和必须为 100"),
        ("evaluation_weights", {"决策": 20, "过程": 20, "产出": 60}, "仅包含"),
        ("abnormal_list_excludes", "maybe", "无效"),
    ],
)
def test_invalid_values_are_refused_naming_the_setting(world, key, value, fragment):
    with pytest.raises(ValidationError) as exc:
        setting_update(key=key, value=value, actor=world.actor("admin"))
    assert exc.value.field == key
    assert fragment in exc.value.message


def test_unknown_setting(world):
    with pytest.raises(NotFound):
        setting_update(key="nope", value=1, actor=world.actor("admin"))


def test_calendar_days_change_deadlines(world):
    admin = world.actor("admin")
    # Monday 2027-03-01 + 1 working day is Tuesday, unless Tuesday becomes a holiday.
    assert add_working_days(dt.date(2027, 3, 1), 1) == dt.date(2027, 3, 2)
    calendar_day_set(date=dt.date(2027, 3, 2), kind="holiday", name="测试假日", actor=admin)
    assert add_working_days(dt.date(2027, 3, 1), 1) == dt.date(2027, 3, 3)
    # Saturday 2027-03-06 as a make-up working day.
    calendar_day_set(date=dt.date(2027, 3, 6), kind="workday", name="调休", actor=admin)
    assert add_working_days(dt.date(2027, 3, 5), 1) == dt.date(2027, 3, 6)
    calendar_day_remove(date=dt.date(2027, 3, 2), actor=admin)
    assert add_working_days(dt.date(2027, 3, 1), 1) == dt.date(2027, 3, 2)
    kinds = list(
        AuditEvent.objects.filter(kind__startswith="calendar.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds[-3:] == ["calendar.day_set", "calendar.day_set", "calendar.day_removed"]


def test_calendar_rules(world):
    admin = world.actor("admin")
    with pytest.raises(ValidationError) as exc:
        calendar_day_set(date=dt.date(2027, 3, 3), kind="workday", actor=admin)  # a Wednesday
    assert exc.value.field == "date"
    with pytest.raises(ValidationError):
        calendar_day_set(date=dt.date(2027, 3, 3), kind="nap", actor=admin)
    with pytest.raises(NotFound):
        calendar_day_remove(date=dt.date(2027, 3, 3), actor=admin)
    with pytest.raises(PermissionDenied):
        calendar_day_set(date=dt.date(2027, 3, 3), kind="holiday", actor=world.actor("auditor"))


def test_settings_api_roundtrip(world, client, token_for):
    headers = token_for("admin")
    resp = client.put(
        "/api/v1/jurisdiction/settings/payment_split",
        data={"value": {"first": 50, "second": 40, "final": 10}},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200, resp.content
    listed = {s["key"]: s for s in client.get("/api/v1/jurisdiction/settings").json()}
    assert listed["payment_split"]["value"] == {"first": 50, "second": 40, "final": 10}
    assert listed["payment_split"]["is_default"] is False
    resp = client.put(
        "/api/v1/jurisdiction/settings/payment_split",
        data={"value": {"first": 50, "second": 20, "final": 30}},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "payment_split"


def test_working_day_api(world, client):
    resp = client.get("/api/v1/jurisdiction/working-days?start=2026-09-30&days=1")
    assert resp.json()["result"] == "2026-10-08"  # National Day holidays (demo calendar)


def test_settings_page_edits(world, login):
    client = login("admin")
    resp = client.post("/settings/", {"key": "min_valid_bids", "value": "4"}, follow=True)
    assert "设置已保存" in resp.content.decode()
    assert setting_value("min_valid_bids") == 4
    resp = client.post("/settings/", {"key": "min_valid_bids", "value": "0"}, follow=True)
    assert "不得低于 3（政府采购法 §36" in resp.content.decode()
    resp = client.post(
        "/settings/",
        {"key": "payment_split", "value": '{"first": 50, "second": 30, "final": 20}'},
        follow=True,
    )
    assert setting_value("payment_split") == {"first": 50, "second": 30, "final": 20}


def test_calendar_page(world, login):
    client = login("admin")
    resp = client.post(
        "/settings/calendar/",
        {"date": "2027-05-03", "kind": "holiday", "name": "劳动节"},
        follow=True,
    )
    assert resp.status_code == 200 and "劳动节" in resp.content.decode()
    resp = client.post("/settings/calendar/", {"date": "2027-05-05", "kind": "workday", "name": ""})
    assert "本来就是工作日" in resp.content.decode()
