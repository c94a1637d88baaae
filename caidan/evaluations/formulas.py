"""Pure formulas of 财预〔2020〕10号 (DOMAIN.md §4.5). No database.

* 资金到位率 fund arrival = received ÷ planned
* 预算执行率 budget execution = spent ÷ received
* 实际完成率 completion = actual output ÷ planned output
* 成本节约率 cost saving = (planned − actual cost) ÷ planned cost
* grades: 优 ≥ 90; 良 80–<90; 中 60–<80; 差 < 60

Rates are ``Decimal`` fractions (0.95 = 95 %), rounded half up to 4 places; ``None`` when the
denominator is zero (no data: the indicator cannot be computed).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

RATE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")

FORMULAS = {
    "fund_arrival": _("资金到位率 = 实际到位资金 ÷ 计划投入资金"),
    "budget_execution": _("预算执行率 = 实际支出资金 ÷ 实际到位资金"),
    "completion": _("实际完成率 = 实际产出数 ÷ 计划产出数"),
    "cost_saving": _("成本节约率 = （计划成本 − 实际成本）÷ 计划成本"),
    "satisfaction": _("满意度 = 服务对象满意度调查得分 ÷ 100"),
}


def _rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def fund_arrival(received: Decimal, planned: Decimal) -> Decimal | None:
    return _rate(received, planned)


def budget_execution(spent: Decimal, received: Decimal) -> Decimal | None:
    return _rate(spent, received)


def completion(actual: Decimal, planned: Decimal) -> Decimal | None:
    return _rate(actual, planned)


def cost_saving(planned_cost: Decimal, actual_cost: Decimal) -> Decimal | None:
    return _rate(Decimal(planned_cost) - Decimal(actual_cost), planned_cost)


def indicator_score(rate: Decimal | None, weight: Decimal) -> Decimal | None:
    """A computed indicator's points: weight × rate, capped to 0..weight (a completion rate
    of 120 % earns the full weight, not more)."""
    if rate is None:
        return None
    points = Decimal(weight) * max(Decimal(0), min(Decimal(1), rate))
    return points.quantize(SCORE_PLACES, ROUND_HALF_UP)


def grade_for(total: Decimal) -> str:
    total = Decimal(total)
    if total >= 90:
        return "excellent"
    if total >= 80:
        return "good"
    if total >= 60:
        return "fair"
    return "poor"


def weighted_total(scores: dict[str, Decimal | None], weights: dict[str, int]) -> Decimal:
    """Σ weight × score over the subjects that have a score, renormalised to the weights
    present (a subject without data — e.g. a survey nobody answered — does not count as 0)."""
    present = {k: Decimal(v) for k, v in scores.items() if v is not None and weights.get(k)}
    if not present:
        raise ValueError("no subject scored")
    total_weight = sum(Decimal(weights[k]) for k in present)
    value = sum(Decimal(weights[k]) * v for k, v in present.items()) / total_weight
    return value.quantize(SCORE_PLACES, ROUND_HALF_UP)
