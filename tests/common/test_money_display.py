"""Money shown one way: ¥1,234,567.00 in tables, 万元 in statistics, 大写 on contracts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from caidan.common.errors import ValidationError
from caidan.common.money import amount_in_words, format_wan, format_yuan


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("161700.00", "壹拾陆万壹仟柒佰元整"),
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.01", "壹分"),
        ("0.05", "伍分"),
        ("0.10", "壹角"),
        ("0.99", "玖角玖分"),
        ("1.00", "壹元整"),
        ("9.99", "玖元玖角玖分"),
        ("10.00", "壹拾元整"),
        ("10.05", "壹拾元零伍分"),
        ("99999.99", "玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("100000.00", "壹拾万元整"),
        ("100000.01", "壹拾万元零壹分"),
        ("100100.00", "壹拾万零壹佰元整"),
        ("1000000", "壹佰万元整"),
        ("1000000000", "壹拾亿元整"),
        ("1000000000.01", "壹拾亿元零壹分"),
        ("100000001.00", "壹亿零壹元整"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_takes_a_database_sum_and_refuses_bad_amounts():
    assert amount_in_words(Decimal("36030000.0000000")) == "叁仟陆佰零叁万元整"
    with pytest.raises(ValidationError):
        amount_in_words("-0.01")
    with pytest.raises(ValidationError):
        amount_in_words("1.005")  # more than two decimals: no silent rounding of typed text


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (None, "—"),
        (Decimal("0"), "¥0.00"),
        (Decimal("0.01"), "¥0.01"),
        (Decimal("999.99"), "¥999.99"),
        (Decimal("1000"), "¥1,000.00"),
        (Decimal("1234567"), "¥1,234,567.00"),
        (Decimal("36030000.0000000"), "¥36,030,000.00"),
        (Decimal("-1500.5"), "-¥1,500.50"),
        ("800000.00", "¥800,000.00"),
        (161700, "¥161,700.00"),
    ],
)
def test_format_yuan(amount, shown):
    assert format_yuan(amount) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (None, "—"),
        (Decimal("0"), "0.00"),
        (Decimal("49.99"), "0.00"),  # half a fen of 万元 rounds down …
        (Decimal("50.00"), "0.01"),  # … and up from the half
        (Decimal("10000"), "1.00"),
        (Decimal("36030000.0000000"), "3,603.00"),
        (Decimal("123456789.00"), "12,345.68"),
    ],
)
def test_format_wan(amount, shown):
    assert format_wan(amount) == shown


def test_template_filters_use_the_same_helpers():
    t = Template("{% load money %}{{ a|yuan }} | {{ a|wan }} | {{ n|yuan }} | {{ a|yuan_words }}")
    out = t.render(Context({"a": Decimal("36030000.0000000"), "n": None}))
    assert out == "¥36,030,000.00 | 3,603.00 | — | 叁仟陆佰零叁万元整"
