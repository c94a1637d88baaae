"""Settings cannot go below (or above) the law: every configurable rule declares its floor
and ceiling with the source of each; values beyond them are refused naming the setting,
the bound and the law; a value stored before the bounds is never used silently."""

from __future__ import annotations

import logging
from decimal import Decimal
from fractions import Fraction

import pytest

from caidan.common.errors import ValidationError
from caidan.jurisdiction.models import JurisdictionSetting
from caidan.jurisdiction.registry import SPECS, SPECS_BY_KEY, parse_fraction
from caidan.jurisdiction.selectors import setting_list, setting_value
from caidan.jurisdiction.services import setting_update

NUMERIC = [s for s in SPECS if s.kind in ("int", "decimal", "fraction")]

# The legal floors and ceilings the finance bureau's reviewer checked (issue 15, item 4).
LEGAL = {
    "min_valid_bids": (3, "政府采购法 §36", None, None),
    "min_valid_bids_consultation": (2, "财库〔2015〕124号", None, None),
    "bidding_period_days": (20, "政府采购法 §35", None, None),
    "consultation_period_days": (10, "财库〔2014〕214号", None, None),
    "late_amendment_days": (15, "实施条例 §31", None, None),
    "award_notice_working_days": (None, None, 2, "实施条例 §43"),
    "award_notice_period_working_days": (1, "87号令 §69", 1, "87号令 §69"),
    "challenge_working_days": (7, "政府采购法 §52", None, None),
    "challenge_answer_working_days": (None, None, 7, "政府采购法 §53"),
    "bid_security_max_percent": (0, "本地规则", 2, "实施条例 §33"),
    "performance_security_max_percent": (0, "本地规则", 10, "实施条例 §48"),
    "services_min_price_weight": (10, "87号令 §55", 30, "财库〔2014〕214号"),
    "review_quorum": ("1/2", "本地审定规则", None, None),
    "review_majority_percent": (50, "本地审定规则", 100, "本地审定规则"),
    "enquiry_answer_working_days": (None, None, 20, "政府信息公开条例 §33"),
}


def step(spec):
    """The smallest step of a setting: 1 for whole numbers, 0.01 for decimals, and 0.01 %
    for a share."""
    return {"int": 1, "decimal": Decimal("0.01"), "fraction": Fraction(1, 10000)}[spec.kind]


def beside(spec, bound, delta):
    if spec.kind == "fraction":
        value = parse_fraction(bound, bounded=False) + delta
        return f"{value.numerator}/{value.denominator}"
    if spec.kind == "decimal":
        return str(Decimal(str(bound)) + delta)
    return int(bound) + delta


def test_every_rule_declares_its_bounds_with_their_source():
    for spec in SPECS:
        if spec.kind in ("int", "decimal", "fraction"):
            assert spec.floor is not None and spec.ceiling is not None, spec.key
            assert spec.floor_source and spec.ceiling_source, spec.key
            assert spec.bounds.startswith(f"不低于 {spec.floor}（{spec.floor_source}）"), spec.key
        else:
            assert spec.floor is None and spec.bounds == spec.bounds_note != "", spec.key


@pytest.mark.parametrize("key", sorted(LEGAL))
def test_the_legal_bounds(key):
    spec = SPECS_BY_KEY[key]
    floor, floor_law, ceiling, ceiling_law = LEGAL[key]
    if floor is not None:
        assert str(spec.floor) == str(floor) and floor_law in spec.floor_source
    if ceiling is not None:
        assert str(spec.ceiling) == str(ceiling) and ceiling_law in spec.ceiling_source


@pytest.mark.django_db
def test_every_numeric_rule_at_and_beyond_its_bounds(world):
    """At the floor and the ceiling accepted; one step below the floor and above the ceiling
    refused, the message naming the setting, the bound and its source."""
    admin = world.actor("admin")
    for spec in NUMERIC:
        for bound, delta, source, word in (
            (spec.floor, -step(spec), spec.floor_source, "不得低于"),
            (spec.ceiling, step(spec), spec.ceiling_source, "不得高于"),
        ):
            accepted = setting_update(key=spec.key, value=bound, actor=admin)
            assert spec.number(setting_value(spec.key)) == spec.number(bound), spec.key
            assert spec.number(accepted) == spec.number(bound), spec.key
            with pytest.raises(ValidationError) as exc:
                setting_update(key=spec.key, value=beside(spec, bound, delta), actor=admin)
            error = exc.value
            assert error.field == spec.key
            assert error.message == f"“{spec.label}”{word} {bound}（{source}）。", error.message
            assert error.detail["source"] == source and error.detail["bound"] == str(bound)
            assert spec.number(setting_value(spec.key)) == spec.number(bound), spec.key


@pytest.mark.django_db
def test_min_valid_bids_can_no_longer_be_set_to_two(world):
    with pytest.raises(ValidationError) as exc:
        setting_update(key="min_valid_bids", value=2, actor=world.actor("admin"))
    assert (
        exc.value.message
        == "“公开招标最少有效投标人数”不得低于 3（政府采购法 §36：不足三家应予废标）。"
    )
    with pytest.raises(ValidationError) as exc:
        setting_update(key="min_valid_bids_consultation", value=1, actor=world.actor("admin"))
    assert "不得低于 2（财库〔2015〕124号" in exc.value.message


@pytest.mark.django_db
def test_decimal_settings_take_at_most_two_decimals(world):
    with pytest.raises(ValidationError) as exc:
        setting_update(key="bid_security_max_percent", value="1.999", actor=world.actor("admin"))
    assert "两位小数" in exc.value.message
    setting_update(key="bid_security_max_percent", value="1.99", actor=world.actor("admin"))
    assert setting_value("bid_security_max_percent") == "1.99"
    setting_update(key="bid_security_max_percent", value=1.5, actor=world.actor("admin"))
    assert setting_value("bid_security_max_percent") == "1.5"  # a JSON number, read exactly


@pytest.mark.django_db
def test_through_the_api(world, client, token_for):
    resp = client.put(
        "/api/v1/jurisdiction/settings/min_valid_bids",
        data={"value": 2},
        content_type="application/json",
        **token_for("admin"),
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "below_floor" and body["detail"]["field"] == "min_valid_bids"
    assert "不得低于 3（政府采购法 §36" in body["message"]
    resp = client.put(
        "/api/v1/jurisdiction/settings/bid_security_max_percent",
        data={"value": "2.01"},
        content_type="application/json",
        **token_for("admin"),
    )
    assert resp.status_code == 400 and resp.json()["code"] == "above_ceiling"
    assert "实施条例 §33" in resp.json()["message"]
    listed = {s["key"]: s for s in client.get("/api/v1/jurisdiction/settings").json()}
    assert set(listed) == set(SPECS_BY_KEY)
    assert listed["min_valid_bids"]["floor"] == 3
    assert "政府采购法 §36" in listed["min_valid_bids"]["floor_source"]
    assert listed["bid_security_max_percent"]["ceiling"] == 2
    assert "实施条例 §33" in listed["bid_security_max_percent"]["ceiling_source"]
    assert "财预〔2020〕10号" in listed["evaluation_weights"]["bounds"]
    assert all(s["bounds"] for s in listed.values())


# --- values stored before the bounds: never used silently ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "stored", "used"),
    [
        ("min_valid_bids", 2, 3),  # below the law: the legal floor is used
        ("min_valid_bids_consultation", 1, 2),
        ("bid_security_max_percent", "2.5", "2"),  # above the law: the legal ceiling
        ("challenge_answer_working_days", 10, 7),
        ("review_quorum", "1/3", "1/2"),
        ("payment_split", {"first": 40, "second": 40, "final": 20}, None),  # → the default
        ("score_aggregate", "median", None),
    ],
)
def test_an_illegal_stored_value_falls_back_to_the_bound_and_is_logged(
    world, caplog, key, stored, used
):
    spec = SPECS_BY_KEY[key]
    used = spec.default if used is None else used
    JurisdictionSetting.objects.update_or_create(key=key, defaults={"value": stored})
    with caplog.at_level(logging.ERROR, logger="caidan.jurisdiction"):
        assert setting_value(key) == used
    assert any(key in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    view = {s.spec.key: s for s in setting_list()}[key]
    assert view.value == stored and view.effective == used
    assert "不合规" in view.problem and f"实际按 {used} 执行" in view.problem


@pytest.mark.django_db
def test_the_settings_page_shows_bounds_and_illegal_values(world, login):
    JurisdictionSetting.objects.update_or_create(key="min_valid_bids", defaults={"value": 2})
    page = login("admin").get("/settings/").content.decode()
    assert "政府采购法 §36：不足三家应予废标" in page
    assert "实施条例 §33：不得超过采购项目预算金额的 2%" in page
    assert "已存取值 2 不合规" in page and "实际按 3 执行" in page


@pytest.mark.django_db
def test_a_whole_quorum_is_stored_as_a_fraction(world):
    """A quorum of "100" (percent) is one whole: stored "1/1", never "1", which reads back as 1 %."""
    setting_update(key="review_quorum", value="100", actor=world.actor("admin"))
    assert setting_value("review_quorum") == "1/1"
    assert parse_fraction(setting_value("review_quorum")) == 1
