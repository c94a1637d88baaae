"""Typed service inputs (``caidan.common.inputs``): one set of checks and one error shape,
whether the input comes from the API, a form or keywords."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import Field

from caidan.common.errors import ValidationError
from caidan.common.inputs import Choice, Choices, Input, Money, PositiveMoney, RequiredText, Text
from caidan.projects.models import FundingSource


class Row(Input):
    source: Choice(FundingSource, title="资金来源")
    amount: PositiveMoney = Field(title="金额")


class Sample(Input):
    title: RequiredText(10, title="名称")
    note: Text(5, title="备注")
    fee: Money = Field(default=Decimal("0.00"), title="费用")
    rows: list[Row] = Field(default_factory=list, title="资金")
    tags: Choices(["甲", "乙"], title="标签")
    on: dt.date | None = Field(default=None, title="日期")


def refused(**values) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        Sample.parse(**values)
    return exc.value


def test_a_valid_input_is_typed_stripped_and_frozen():
    s = Sample.parse({"title": "  项目  ", "fee": "12.30", "on": "2026-12-05"}, tags=["乙"])
    assert s.title == "项目" and s.fee == Decimal("12.30") and s.on == dt.date(2026, 12, 5)
    assert s.tags == ["乙"] and s.note == ""
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        s.title = "改"
    assert s.changed(note="新").note == "新" and s.title == "项目"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "title", "请填写名称。"),
        ({"title": "   "}, "title", "请填写名称。"),
        ({"title": "一二三四五六七八九十一"}, "title", "名称不能超过 10 个字符。"),
        ({"title": "好", "note": "123456"}, "note", "备注不能超过 5 个字符。"),
        ({"title": "好", "colour": "红"}, "colour", "未知字段：colour。"),
        ({"title": "好", "fee": 1.5}, "fee", "费用须为以元计的金额"),
        ({"title": "好", "fee": "1.234"}, "fee", "最多保留两位小数"),
        ({"title": "好", "tags": ["丙"]}, "tags", "标签无效：丙。"),
        ({"title": "好", "on": "2026-02-30"}, "on", "日期须为有效日期"),
        (
            {"title": "好", "rows": [{"source": "fiscal", "amount": "1.00"}, {"source": "x"}]},
            "rows.1.source",
            "“x”无效",
        ),
        (
            {"title": "好", "rows": [{"source": "fiscal", "amount": "0.00"}]},
            "rows.0.amount",
            "资金第 1 行的金额必须大于 0。",
        ),
    ],
)
def test_each_problem_names_its_field_in_chinese(values, field, message):
    exc = refused(**values)
    assert exc.code == "invalid" and exc.detail["field"] == field
    assert message in exc.message
    assert exc.detail["errors"][0] == {"field": field, "message": exc.message}


def test_every_problem_is_listed():
    exc = refused(title="", note="123456", fee="x")
    assert [e["field"] for e in exc.detail["errors"]] == ["title", "note", "fee"]


def test_money_one_fen_below_at_and_above_zero():
    assert Row.parse(source="fiscal", amount="0.01").amount == Decimal("0.01")
    for amount in ("0.00", "-0.01"):
        with pytest.raises(ValidationError) as exc:
            Row.parse(source="fiscal", amount=amount)
        assert exc.value.detail["field"] == "amount"


def test_a_rule_across_fields_keeps_its_own_code_and_field():
    from caidan.projects.inputs import ProposalInput

    with pytest.raises(ValidationError) as exc:
        ProposalInput.parse(
            title="探访",
            catalog_item=object(),
            budget="100.00",
            funding=[{"source": "fiscal", "amount": "99.99"}],
            period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
        )
    assert exc.value.code == "funding_mismatch" and exc.value.detail["field"] == "funding"


def test_a_blank_choice_reads_as_missing_and_a_line_is_one_line():
    from caidan.common.inputs import Line

    class Pick(Input):
        source: Choice(FundingSource, title="资金来源")
        name: Line(20, title="名称")

    with pytest.raises(ValidationError) as exc:
        Pick.parse(source="", name="甲")
    assert exc.value.message == "资金来源不能为空，请选择。"
    assert Pick.parse(source="fiscal", name=" 甲\n 乙 ").name == "甲 乙"


@pytest.mark.parametrize("value", [7, "甲", {"甲": 1}])
def test_choices_refuse_what_is_not_a_list(value):
    exc = refused(title="好", tags=value)
    assert exc.detail["field"] == "tags" and "须为一组选项" in exc.message
