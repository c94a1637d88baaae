"""Money is exact: Decimal yuan with 2 places, never float (DOMAIN.md §5)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import field_error

CENT = Decimal("0.01")
MAX_DIGITS = 16  # up to 99,999,999,999,999.99 yuan


def to_money(value: str | int | Decimal, *, field: str = "amount") -> Decimal:
    """Parse an amount in yuan. Refuses floats, more than 2 decimals and non-numbers."""
    if isinstance(value, bool | float):
        raise field_error(
            field, _("金额“%(field)s”必须以字符串或整数给出，不能是浮点数。") % {"field": field}
        )
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise field_error(
            field,
            _("金额“%(field)s”不是有效的数字：%(value)s。")
            % {"field": field, "value": repr(value)},
        ) from None
    if not amount.is_finite():
        raise field_error(
            field,
            _("金额“%(field)s”不是有效的数字：%(value)s。")
            % {"field": field, "value": repr(value)},
        )
    if abs(amount) >= Decimal(10) ** (MAX_DIGITS - 2):  # else quantize may raise
        raise field_error(
            field,
            _("金额“%(field)s”超出可处理的范围：%(value)s。") % {"field": field, "value": value},
        )
    if amount != amount.quantize(CENT):
        raise field_error(
            field,
            _("金额“%(field)s”最多保留两位小数（精确到分）：%(value)s。")
            % {"field": field, "value": value},
        )
    return amount.quantize(CENT)


def quantize(amount: Decimal) -> Decimal:
    """Round half up to the fen."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def split_by_weights(total: Decimal, weights: Sequence[Decimal | int | str]) -> list[Decimal]:
    """Split ``total`` into parts proportional to ``weights`` that add up to it to the fen.

    Each part is first rounded down to the fen; the fen left over go one each to the
    parts with the largest remainders (ties to the earlier part), so the sum is exact
    and no part is off by more than one fen from its exact share.
    """
    total = to_money(total, field="total")
    ws = [Decimal(str(w)) for w in weights]
    if not ws:
        raise field_error("weights", _("至少需要一个分配比例。"))
    if any(w < 0 for w in ws):
        raise field_error("weights", _("分配比例不能为负数。"))
    weight_sum = sum(ws)
    if weight_sum <= 0:
        raise field_error("weights", _("分配比例之和必须大于零。"))
    sign = -1 if total < 0 else 1
    cents = int((abs(total) / CENT).to_integral_value())
    exact = [Decimal(cents) * w / weight_sum for w in ws]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    leftover = cents - sum(floors)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [sign * Decimal(c) * CENT for c in floors]


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` near-equal amounts that add up to it exactly."""
    if parts < 1:
        raise field_error("parts", _("份数至少为 1。"))
    return split_by_weights(total, [1] * parts)


def percent_of(amount: Decimal, percent: Decimal | int | str) -> Decimal:
    """``percent`` % of ``amount``, rounded half up to the fen.

    Not for caps: a ceiling ("at most X %") must use ``within_cap`` / ``cap_amount``,
    which never round up."""
    return quantize(Decimal(amount) * Decimal(str(percent)) / Decimal(100))


def within_cap(amount: Decimal, base: Decimal, percent: Decimal | int | str) -> bool:
    """Whether ``amount`` is at most ``percent`` % of ``base``, compared exactly.

    "Not more than X %" (实施条例 §33, §48) is a legal ceiling: it is checked as
    ``amount × 100 ≤ base × percent`` in Decimal, with no rounding, so one fen above the
    exact share is refused even when the share has a third decimal (2 % of 1,000,000.33
    is 20,000.0066: 20,000.00 is within, 20,000.01 is not).
    """
    return Decimal(str(amount)) * 100 <= Decimal(str(base)) * Decimal(str(percent))


def cap_amount(base: Decimal, percent: Decimal | int | str) -> Decimal:
    """The largest amount in whole fen within ``percent`` % of ``base`` (rounded DOWN),
    for display next to a cap; ``within_cap(cap_amount(b, p), b, p)`` always holds."""
    exact = Decimal(str(base)) * Decimal(str(percent)) / Decimal(100)
    return exact.quantize(CENT, rounding=ROUND_DOWN)


def format_yuan(amount: Decimal | None) -> str:
    """The one way an amount is shown in tables and pages: ¥1,234,567.00 (two decimals,
    comma thousands; a database Sum's ``36030000.0000000`` shows as ¥36,030,000.00)."""
    if amount is None or amount == "":
        return "—"
    value = quantize(Decimal(str(amount)))
    if value < 0:
        return f"-¥{-value:,.2f}"
    return f"¥{value:,.2f}"


WAN = Decimal(10000)


def format_wan(amount: Decimal | None) -> str:
    """An amount in 万元 for statistics: 36030000 -> ``3,603.00`` (the unit goes in the
    column heading or after the figure: ``{{ x|wan }} 万元``)."""
    if amount is None or amount == "":
        return "—"
    return f"{quantize(Decimal(str(amount)) / WAN):,.2f}"


def amount_in_words(amount: Decimal | str | int) -> str:
    """The amount in capital Chinese numerals (大写金额) as written on contracts and
    vouchers: 161700.00 -> 壹拾陆万壹仟柒佰元整, 100000.01 -> 壹拾万元零壹分,
    0.05 -> 伍分, 0 -> 零元整. Uses cn2an's ``rmb`` mode (元角分, 整 after whole yuan)."""
    import cn2an  # imported here: 0.2 s, needed only by the contract PDF

    value = to_money(amount) if not isinstance(amount, Decimal) else quantize(amount)
    if value < 0:
        raise field_error("amount", _("大写金额不能为负数：%(value)s。") % {"value": value})
    return cn2an.an2cn(f"{value:.2f}", "rmb")


class MoneyField(models.DecimalField):
    """A DecimalField of yuan with 2 decimal places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "caidan.common.money.MoneyField"
        return name, path, args, kwargs
