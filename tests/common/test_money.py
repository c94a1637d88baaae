"""Money is exact: parsing refuses anything ambiguous; splits add up to the fen."""

from __future__ import annotations

import random
from decimal import Decimal, localcontext

import pytest

from caidan.common.errors import ValidationError
from caidan.common.money import (
    CENT,
    MoneyField,
    cap_amount,
    format_yuan,
    percent_of,
    quantize,
    split_by_weights,
    split_evenly,
    to_money,
    within_cap,
)

# --- to_money -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("12.5", Decimal("12.50")),
        ("  7 ", Decimal("7.00")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("-0.01", Decimal("-0.01")),
        ("0", Decimal("0.00")),
        ("1.230", Decimal("1.23")),  # a trailing zero is not a third decimal
        ("1E+3", Decimal("1000.00")),
        (5, Decimal("5.00")),
        (0, Decimal("0.00")),
        (-42, Decimal("-42.00")),
        (Decimal("3.1"), Decimal("3.10")),
        (Decimal("99999999999999.99"), Decimal("99999999999999.99")),
    ],
)
def test_to_money_parses(raw, expected):
    amount = to_money(raw)
    assert amount == expected
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2  # always exactly two places


@pytest.mark.parametrize(
    "raw",
    [
        1.5,
        0.1,
        float("nan"),
        True,
        False,
        "1.234",
        "0.001",
        Decimal("0.005"),
        "abc",
        "",
        "   ",
        "12元",
        "1.2.3",
        None,
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e30",  # would overflow the decimal context when quantized
        "100000000000000.00",  # more digits than a MoneyField holds
        10**20,
    ],
)
def test_to_money_refuses(raw):
    with pytest.raises(ValidationError) as info:
        to_money(raw, field="budget")
    err = info.value
    assert err.detail["field"] == "budget"
    assert err.field == "budget"
    assert err.code == "invalid"
    assert "budget" in err.message


def test_to_money_error_says_why():
    with pytest.raises(ValidationError, match="浮点数"):
        to_money(1.5)
    with pytest.raises(ValidationError, match="两位小数"):
        to_money("1.005")
    with pytest.raises(ValidationError, match="不是有效的数字"):
        to_money("NaN")
    # default field name
    with pytest.raises(ValidationError) as info:
        to_money("x")
    assert info.value.detail == {"field": "amount"}


# --- split_by_weights / split_evenly ----------------------------------------------------


def _check_split(total: Decimal, weights, parts: list[Decimal]) -> None:
    ws = [Decimal(str(w)) for w in weights]
    assert len(parts) == len(ws)
    assert sum(parts, Decimal("0")) == total, (total, weights, parts)
    with localcontext() as ctx:
        ctx.prec = 60
        weight_sum = sum(ws)
        for part, w in zip(parts, ws, strict=True):
            assert part == part.quantize(CENT), part
            exact = total * w / weight_sum
            assert abs(part - exact) < CENT, (total, weights, parts, exact)
            if w == 0:
                assert part == 0
            # a part never has the opposite sign of the total
            assert part * total >= 0


def test_split_documented_example():
    parts = split_by_weights(Decimal("100000.01"), [50, 35, 15])
    assert parts == [Decimal("50000.01"), Decimal("35000.00"), Decimal("15000.00")]
    _check_split(Decimal("100000.01"), [50, 35, 15], parts)


def test_split_negative_total_mirrors_positive():
    parts = split_by_weights(Decimal("-100000.01"), [50, 35, 15])
    assert parts == [Decimal("-50000.01"), Decimal("-35000.00"), Decimal("-15000.00")]
    _check_split(Decimal("-100000.01"), [50, 35, 15], parts)


def test_split_one_fen_three_ways_goes_to_the_first():
    assert split_evenly(Decimal("0.01"), 3) == [Decimal("0.01"), 0, 0]
    assert split_evenly(Decimal("0.02"), 3) == [Decimal("0.01"), Decimal("0.01"), 0]
    assert split_evenly(Decimal("-0.01"), 3) == [Decimal("-0.01"), 0, 0]


def test_split_largest_remainder_wins():
    # exact shares 3.333.., 3.333.., 3.333..: ties go to the earliest part
    assert split_evenly(Decimal("10.00"), 3) == [
        Decimal("3.34"),
        Decimal("3.33"),
        Decimal("3.33"),
    ]
    # exact shares 0.25, 0.75 (in fen: 0.25 fen and 0.75 fen) -> the larger remainder wins
    assert split_by_weights(Decimal("0.01"), [1, 3]) == [0, Decimal("0.01")]


def test_split_zero_weights_get_nothing():
    parts = split_by_weights(Decimal("100.01"), [0, 1, 0, 2, 0])
    assert parts[0] == parts[2] == parts[4] == 0
    _check_split(Decimal("100.01"), [0, 1, 0, 2, 0], parts)


def test_split_zero_total():
    assert split_by_weights(Decimal("0"), [1, 2, 3]) == [0, 0, 0]


def test_split_accepts_string_and_decimal_weights_and_string_total():
    parts = split_by_weights("99.99", ["0.5", Decimal("0.25"), "0.25"])
    _check_split(Decimal("99.99"), ["0.5", "0.25", "0.25"], parts)


TOTALS = [
    "0",
    "0.01",
    "0.02",
    "0.03",
    "0.05",
    "0.99",
    "1.00",
    "1.01",
    "7.77",
    "10.00",
    "33.33",
    "99.99",
    "100.00",
    "100000.01",
    "123456789.01",
    "99999999999999.99",
]
WEIGHTS = [
    [1],
    [1, 1],
    [1, 1, 1],
    [50, 35, 15],
    [1, 2, 3, 4, 5, 6, 7],
    [0, 1],
    [3, 0, 7],
    ["0.1", "0.2", "0.7"],
    ["33.33", "33.33", "33.34"],
    [1, 1000000],
    [Decimal("1") / Decimal("3"), 1, 1],
]


@pytest.mark.parametrize("weights", WEIGHTS, ids=lambda w: "-".join(map(str, w))[:30])
def test_split_sums_exactly_for_many_totals(weights):
    for raw in TOTALS:
        for sign in (1, -1):
            total = sign * Decimal(raw)
            _check_split(total, weights, split_by_weights(total, weights))


def test_split_randomised_totals_and_weights():
    rng = random.Random(20260930)
    for _ in range(3000):
        cents = rng.choice([rng.randint(-(10**6), 10**6), rng.randint(-(10**15), 10**15)])
        total = Decimal(cents) * CENT
        n = rng.randint(1, 12)
        weights = [rng.choice([0, rng.randint(1, 100), rng.randint(1, 10**6)]) for _ in range(n)]
        if sum(weights) == 0:
            weights[0] = 1
        _check_split(total, weights, split_by_weights(total, weights))


def test_split_evenly_many_parts():
    for parts in range(1, 40):
        for cents in (0, 1, parts - 1, parts, parts + 1, 10000001, -10000001):
            total = Decimal(cents) * CENT
            result = split_evenly(total, parts)
            _check_split(total, [1] * parts, result)
            # even: parts differ by at most one fen
            assert max(result) - min(result) <= CENT


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([], "至少需要一个"),
        ([1, -1, 2], "不能为负数"),
        ([0, 0], "之和必须大于零"),
        ([0], "之和必须大于零"),
    ],
)
def test_split_refuses_bad_weights(weights, message):
    with pytest.raises(ValidationError, match=message) as info:
        split_by_weights(Decimal("10.00"), weights)
    assert info.value.detail["field"] == "weights"


def test_split_refuses_bad_total():
    with pytest.raises(ValidationError) as info:
        split_by_weights(10.0, [1, 1])
    assert info.value.detail["field"] == "total"
    with pytest.raises(ValidationError) as info:
        split_by_weights(Decimal("0.001"), [1, 1])
    assert info.value.detail["field"] == "total"


@pytest.mark.parametrize("parts", [0, -1])
def test_split_evenly_refuses_no_parts(parts):
    with pytest.raises(ValidationError) as info:
        split_evenly(Decimal("1.00"), parts)
    assert info.value.detail["field"] == "parts"


# --- percent_of, quantize, format -------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        ("10.05", 50, "5.03"),  # 5.025 -> half up (banker's rounding would give 5.02)
        ("0.01", 50, "0.01"),  # 0.005 -> 0.01
        ("0.03", 50, "0.02"),  # 0.015 -> 0.02
        ("-0.01", 50, "-0.01"),  # half away from zero
        ("-10.05", 50, "-5.03"),
        ("1000.00", "3.5", "35.00"),
        ("123.45", 0, "0.00"),
        ("123.45", 100, "123.45"),
        ("0.10", "33.33", "0.03"),  # 0.03333
        ("2.50", "1", "0.03"),  # 0.025
        ("2.49", "1", "0.02"),  # 0.0249
    ],
)
def test_percent_of_rounds_half_up(amount, percent, expected):
    result = percent_of(Decimal(amount), percent)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


# --- within_cap, cap_amount: "at most X %" never rounds up (实施条例 §33, §48) ------------


@pytest.mark.parametrize(
    ("base", "percent", "amount", "ok"),
    [
        # 2 % of 1,000,000.33 is 20,000.0066: half-up rounding would allow 20,000.01.
        ("1000000.33", 2, "20000.00", True),
        ("1000000.33", 2, "20000.01", False),
        # 2 % of 1,000,000.00 is exactly 20,000.00: one fen below / at / above.
        ("1000000.00", 2, "19999.99", True),
        ("1000000.00", 2, "20000.00", True),
        ("1000000.00", 2, "20000.01", False),
        # 10 % of 800,000.05 is 80,000.005: 80,000.00 in, 80,000.01 out (half up said 80,000.01).
        ("800000.05", 10, "80000.00", True),
        ("800000.05", 10, "80000.01", False),
        ("800000.00", 10, "79999.99", True),
        ("800000.00", 10, "80000.00", True),
        ("800000.00", 10, "80000.01", False),
        ("0.49", 2, "0.00", True),  # 0.0098: nothing above zero fits
        ("0.49", 2, "0.01", False),
        ("50.00", 2, "1.00", True),
        ("50.00", "1.5", "0.75", True),  # a decimal percent
        ("50.00", "1.5", "0.76", False),
        ("1000.00", 0, "0.00", True),
        ("1000.00", 0, "0.01", False),
    ],
)
def test_within_cap_compares_exactly(base, percent, amount, ok):
    assert within_cap(Decimal(amount), Decimal(base), percent) is ok


@pytest.mark.parametrize(
    ("base", "percent", "expected"),
    [
        ("1000000.33", 2, "20000.00"),  # 20,000.0066 rounds DOWN
        ("800000.05", 10, "80000.00"),  # 80,000.005 rounds down (half up gave 80,000.01)
        ("1000000.00", 2, "20000.00"),
        ("0.49", 2, "0.00"),
        ("99999.99", 10, "9999.99"),  # 9,999.999
    ],
)
def test_cap_amount_rounds_down_and_is_within_the_cap(base, percent, expected):
    cap = cap_amount(Decimal(base), percent)
    assert cap == Decimal(expected) and cap.as_tuple().exponent == -2
    assert within_cap(cap, Decimal(base), percent)
    assert not within_cap(cap + CENT, Decimal(base), percent)


def test_within_cap_agrees_with_cap_amount_on_random_bases():
    rng = random.Random(32)
    for _ in range(2000):
        base = Decimal(rng.randint(1, 10**10)) / 100
        percent = rng.choice([2, 10, "0.5", "1.25"])
        cap = cap_amount(base, percent)
        assert within_cap(cap, base, percent) and not within_cap(cap + CENT, base, percent)


def test_quantize_half_up():
    assert quantize(Decimal("0.005")) == Decimal("0.01")
    assert quantize(Decimal("0.0049")) == Decimal("0.00")
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(Decimal("-2.675")) == Decimal("-2.68")


def test_format_yuan():
    assert format_yuan(Decimal("1234567.5")) == "¥1,234,567.50"
    assert format_yuan(Decimal("0")) == "¥0.00"
    assert format_yuan(None) == "—"


def test_money_field_defaults_and_deconstruct():
    field = MoneyField("预算")
    assert field.max_digits == 16
    assert field.decimal_places == 2
    _, path, _, kwargs = field.deconstruct()
    assert path == "caidan.common.money.MoneyField"
    assert kwargs["max_digits"] == 16
    assert kwargs["decimal_places"] == 2
