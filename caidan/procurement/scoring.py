"""Bid evaluation (评标): scoring, ranking and the tendering rules of DOMAIN.md §3.4 and §4.1.

Pure Python: no ORM, no database, no settings. Callers read the configurable numbers with
``caidan.jurisdiction.selectors.setting_value`` (``score_aggregate``, ``score_decimals``,
``min_valid_bids`` / ``min_valid_bids_consultation``, ``services_min_price_weight``) and pass
them in; this module never reads them itself.

Comprehensive scoring (综合评分法, 87号令 §55, §57)
    * Each expert scores every non-price factor of every valid bid within ``0..max``.
    * Base price = the lowest valid price; price score = base ÷ price × price points.
    * Total = price score + the aggregate of the experts' factor totals: ``mean``, or
      ``trimmed_mean`` (the mean without the single highest and single lowest expert total;
      needs at least 3 experts).
    * The total is computed exactly (``fractions.Fraction``, no intermediate rounding) and
      rounded **half up** once, to ``decimals`` places (default 2). The price score shown is
      rounded half up to the same number of places, for display only.
    * Ranking: rounded total descending, then lower price first; equal total and price are
      tied (并列): they share a rank and the next rank skips (1, 1, 3).

Lowest evaluated price (最低评标价法, 87号令 §56)
    * Valid bids ranked by price ascending; equal prices are tied (shared rank, skip).
    * No expert scores: ``factors``, ``scores``, ``price_points`` and ``aggregate`` are not used.
    * A ranked bid has ``price_score = None`` (there is no price score in this method) and
      ``total = price`` (the evaluated price, which is what is ranked, ascending). In JSON
      (``result_to_json``) that is ``"price_score": ""`` and ``"total": "800000.00"``.

Both methods
    * A bid over the budget is invalid: excluded from the base price and the ranking, and
      listed in ``invalid`` with its reason.
    * All bids over the budget → ``failed`` (政府采购法 §36); fewer valid bids than
      ``min_valid_bids`` (default 3; 2 for services bought by competitive consultation) →
      ``failed``, naming the count and the rule. A failed result has an empty ranking.

Validation errors are ``caidan.common.errors.ValidationError`` with a Chinese message and a
``field``. Numbers are never floats: amounts are strings (or integers) parsed with
``to_money``; scores, maxima and price points are integers, ``Decimal`` or numeric strings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.common.errors import ValidationError, field_error
from caidan.common.money import format_yuan, to_money

COMPREHENSIVE = "comprehensive"
LOWEST_PRICE = "lowest_price"
METHODS = (COMPREHENSIVE, LOWEST_PRICE)

MEAN = "mean"
TRIMMED_MEAN = "trimmed_mean"
AGGREGATES = (MEAN, TRIMMED_MEAN)

STATUS_OK = "ok"
STATUS_FAILED = "failed"

SHEET_TOTAL = Decimal(100)  # price points + Σ factor maxima (评分表总分)
LARGE_BUDGET = Decimal("10000000.00")  # ¥10 million: committee of ≥ 7 (87号令 §47)


# --- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """A non-price scoring factor (评审因素) worth ``0..max`` points."""

    id: str
    max: Decimal


@dataclass(frozen=True)
class Bid:
    bidder: str
    price: Decimal


@dataclass
class EvaluationInput:
    method: str
    price_points: Decimal
    budget: Decimal
    aggregate: str
    factors: Sequence[Factor]
    bids: Sequence[Bid]
    scores: Mapping[str, Mapping[str, Mapping[str, Decimal]]]  # expert → bidder → factor id
    min_valid_bids: int = 3
    decimals: int = 2


@dataclass(frozen=True)
class RankedBid:
    """One ranked valid bid. ``price_score`` and ``total`` are rounded half up for display.

    For ``lowest_price``, ``price_score`` is ``None`` and ``total`` is the price.
    """

    bidder: str
    price: Decimal
    price_score: Decimal | None
    total: Decimal
    rank: int


@dataclass
class EvaluationResult:
    status: str  # "ok" | "failed"
    reason: str | None
    ranking: list[RankedBid] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (bidder, reason)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK


# --- helpers -------------------------------------------------------------------------------------


def _number(value: Any, *, field: str, label: str) -> Decimal:
    """An exact number from an int, Decimal or numeric string; floats and booleans refused."""
    if isinstance(value, bool) or value is None:
        raise field_error(
            field,
            _("%(label)s必须是数字，收到 %(value)s。") % {"label": label, "value": repr(value)},
        )
    if isinstance(value, float):
        raise field_error(
            field,
            _('%(label)s不能是浮点数（%(value)s）：请以整数或字符串给出，如 "%(value_2)s"。')
            % {"label": label, "value": repr(value), "value_2": value},
        )
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            raise field_error(
                field,
                _("%(label)s不是有效的数字：%(value)s。") % {"label": label, "value": repr(value)},
            ) from None
    else:
        raise field_error(
            field,
            _("%(label)s必须是数字，收到 %(value)s。") % {"label": label, "value": repr(value)},
        )
    if not number.is_finite():
        raise field_error(
            field,
            _("%(label)s不是有效的数字：%(value)s。") % {"label": label, "value": repr(value)},
        )
    return number


def _integer(value: Any, *, field: str, label: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise field_error(
            field,
            _("%(label)s必须是整数，收到 %(value)s。") % {"label": label, "value": repr(value)},
        )
    if not minimum <= value <= maximum:
        raise field_error(
            field,
            _("%(label)s须在 %(minimum)s 到 %(maximum)s 之间，收到 %(value)s。")
            % {"label": label, "minimum": minimum, "maximum": maximum, "value": value},
        )
    return value


def _fmt(number: Decimal | int) -> str:
    """A number for a message: 40, 35.5 (no trailing zeros, no exponent)."""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_half_up(value: Fraction | Decimal | int, decimals: int) -> Decimal:
    """Round exactly, half away from zero, to ``decimals`` places (88.325 → 88.33)."""
    x = Fraction(value) * 10**decimals
    n = math.floor(abs(x) + Fraction(1, 2))
    if x < 0:
        n = -n
    return Decimal(n).scaleb(-decimals)


# --- validation ----------------------------------------------------------------------------------


def check_input(inp: EvaluationInput) -> None:
    """Refuse an input that cannot be evaluated. Scores are checked for range and for
    unknown experts/bidders/factors here; completeness and the number of experts are checked
    by ``evaluate`` when it scores (only the valid bids need scores, and none are needed if
    the tender fails before scoring)."""
    if inp.method not in METHODS:
        raise field_error(
            "method",
            _("评标方法须为 %(join)s，收到 %(method)s。")
            % {"join": " 或 ".join(METHODS), "method": repr(inp.method)},
        )
    _integer(
        inp.min_valid_bids, field="min_valid_bids", label="最少有效投标人数", minimum=1, maximum=100
    )
    _integer(inp.decimals, field="decimals", label="评分保留小数位数", minimum=0, maximum=6)
    budget = to_money(inp.budget, field="budget")
    if budget <= 0:
        raise field_error("budget", _("采购预算必须大于零，收到 %(budget)s。") % {"budget": budget})

    bidders: set[str] = set()
    for i, bid in enumerate(inp.bids):
        if not isinstance(bid.bidder, str) or not bid.bidder.strip():
            raise field_error(
                f"bids[{i}].bidder",
                _("第 %(value)s 份投标的投标人名称须为非空字符串。") % {"value": i + 1},
            )
        if bid.bidder in bidders:
            raise field_error(
                f"bids[{i}].bidder", _("投标人“%(bidder)s”重复出现。") % {"bidder": bid.bidder}
            )
        bidders.add(bid.bidder)
        price = to_money(bid.price, field=f"bids[{i}].price")
        if price <= 0:
            raise field_error(
                f"bids[{i}].price",
                _("投标人“%(bidder)s”的报价必须大于零，收到 %(price)s。")
                % {"bidder": bid.bidder, "price": price},
            )

    if inp.method == LOWEST_PRICE:
        return

    if inp.aggregate not in AGGREGATES:
        raise field_error(
            "aggregate",
            _("专家评分汇总方式须为 %(join)s，收到 %(aggregate)s。")
            % {"join": " 或 ".join(AGGREGATES), "aggregate": repr(inp.aggregate)},
        )
    price_points = _number(inp.price_points, field="price_points", label="价格分")
    if not 0 <= price_points <= SHEET_TOTAL:
        raise field_error(
            "price_points",
            _("价格分须在 0 到 100 之间，收到 %(fmt)s。") % {"fmt": _fmt(price_points)},
        )

    factor_max: dict[str, Decimal] = {}
    for i, factor in enumerate(inp.factors):
        if not isinstance(factor.id, str) or not factor.id.strip():
            raise field_error(
                f"factors[{i}].id",
                _("第 %(value)s 个评审因素的编号须为非空字符串。") % {"value": i + 1},
            )
        if factor.id in factor_max:
            raise field_error(
                f"factors[{i}].id", _("评审因素编号“%(id)s”重复。") % {"id": factor.id}
            )
        top = _number(factor.max, field=f"factors[{i}].max", label=f"评审因素“{factor.id}”的满分")
        if top <= 0:
            raise field_error(
                f"factors[{i}].max",
                _("评审因素“%(id)s”的满分必须大于零，收到 %(fmt)s。")
                % {"id": factor.id, "fmt": _fmt(top)},
            )
        factor_max[factor.id] = top
    sheet = price_points + sum(factor_max.values(), Decimal(0))
    if sheet != SHEET_TOTAL:
        raise field_error(
            "factors",
            _(
                "评分表总分须为 100 分：价格分 %(fmt)s 分 + 评审因素满分合计 %(fmt_2)s 分 = %(fmt_3)s 分。"
            )
            % {
                "fmt": _fmt(price_points),
                "fmt_2": _fmt(sheet - price_points),
                "fmt_3": _fmt(sheet),
            },
        )

    for expert, by_bidder in inp.scores.items():
        if not isinstance(expert, str) or not expert.strip():
            raise field_error("scores", _("专家编号不能为空。"))
        if not isinstance(by_bidder, Mapping):
            raise field_error(
                "scores", _("专家“%(expert)s”的评分须按投标人给出。") % {"expert": expert}
            )
        for bidder, by_factor in by_bidder.items():
            if bidder not in bidders:
                raise field_error(
                    "scores",
                    _("专家“%(expert)s”为未投标的“%(bidder)s”打分。")
                    % {"expert": expert, "bidder": bidder},
                )
            if not isinstance(by_factor, Mapping):
                raise field_error(
                    "scores",
                    _("专家“%(expert)s”对投标人“%(bidder)s”的评分须按评审因素给出。")
                    % {"expert": expert, "bidder": bidder},
                )
            for factor_id, value in by_factor.items():
                if factor_id not in factor_max:
                    raise field_error(
                        "scores",
                        _(
                            "专家“%(expert)s”对投标人“%(bidder)s”的评分含未知评审因素“%(factor_id)s”。"
                        )
                        % {"expert": expert, "bidder": bidder, "factor_id": factor_id},
                    )
                where = f"专家“{expert}”对投标人“{bidder}”的评审因素“{factor_id}”"
                score = _number(value, field="scores", label=f"{where}的评分")
                top = factor_max[factor_id]
                if not 0 <= score <= top:
                    raise field_error(
                        "scores",
                        _("%(where)s评分 %(fmt)s 超出范围（0–%(fmt_2)s 分）。")
                        % {"where": where, "fmt": _fmt(score), "fmt_2": _fmt(top)},
                    )


# --- evaluation ----------------------------------------------------------------------------------


def evaluate(inp: EvaluationInput) -> EvaluationResult:
    """Evaluate the bids: validity against the budget, the minimum count, scores, ranking."""
    check_input(inp)
    budget = to_money(inp.budget, field="budget")
    bids = [Bid(b.bidder, to_money(b.price, field="price")) for b in inp.bids]

    valid: list[Bid] = []
    invalid: list[tuple[str, str]] = []
    for bid in bids:
        if bid.price > budget:
            invalid.append(
                (
                    bid.bidder,
                    f"投标报价 {format_yuan(bid.price)} 超过采购预算 {format_yuan(budget)}，为无效投标。",
                )
            )
        else:
            valid.append(bid)

    if bids and not valid:
        return EvaluationResult(
            STATUS_FAILED,
            f"全部 {len(bids)} 份投标报价均超过采购预算 {format_yuan(budget)}"
            f"（政府采购法 §36），采购失败（废标）。",
            [],
            invalid,
        )
    if len(valid) < inp.min_valid_bids:
        return EvaluationResult(
            STATUS_FAILED,
            f"有效投标仅 {len(valid)} 家，不足 {inp.min_valid_bids} 家"
            f"（政府采购法 §36），采购失败（废标）。",
            [],
            invalid,
        )

    if inp.method == LOWEST_PRICE:
        ranking = _rank(
            [(bid, None, bid.price) for bid in valid],
            key=lambda row: row[0].price,
        )
    else:
        ranking = _rank(
            _comprehensive(inp, valid),
            key=lambda row: (-row[2], row[0].price),
        )
    return EvaluationResult(STATUS_OK, None, ranking, invalid)


def _comprehensive(inp: EvaluationInput, valid: list[Bid]) -> list[tuple[Bid, Decimal, Decimal]]:
    """(bid, displayed price score, rounded total) for each valid bid."""
    experts = list(inp.scores)
    if not experts:
        raise field_error("scores", _("综合评分法需要专家评分，未收到任何专家的评分。"))
    if inp.aggregate == TRIMMED_MEAN and len(experts) < 3:
        raise field_error(
            "aggregate",
            _("去掉最高分和最低分后平均（trimmed_mean）至少需要 3 名专家，当前只有 %(len)s 名。")
            % {"len": len(experts)},
        )
    price_points = Fraction(_number(inp.price_points, field="price_points", label="价格分"))
    base = Fraction(min(bid.price for bid in valid))
    rows = []
    for bid in valid:
        expert_totals = []
        for expert in experts:
            by_factor = inp.scores[expert].get(bid.bidder, {})
            total = Fraction(0)
            for factor in inp.factors:
                if factor.id not in by_factor:
                    raise field_error(
                        "scores",
                        _("专家“%(expert)s”未对投标人“%(bidder)s”的评审因素“%(id)s”打分。")
                        % {"expert": expert, "bidder": bid.bidder, "id": factor.id},
                    )
                total += Fraction(_number(by_factor[factor.id], field="scores", label="评分"))
            expert_totals.append(total)
        if inp.aggregate == TRIMMED_MEAN:
            expert_totals = sorted(expert_totals)[1:-1]
        aggregate = sum(expert_totals, Fraction(0)) / len(expert_totals)
        price_score = base * price_points / Fraction(bid.price)
        rows.append(
            (
                bid,
                round_half_up(price_score, inp.decimals),
                round_half_up(price_score + aggregate, inp.decimals),
            )
        )
    return rows


def _rank(rows, *, key) -> list[RankedBid]:
    """Competition ranking (1, 1, 3): rows with equal keys share a rank. Stable: tied rows
    keep the order the bids were given in."""
    ranking: list[RankedBid] = []
    previous = None
    for position, row in enumerate(sorted(rows, key=key), start=1):
        bid, price_score, total = row
        rank = ranking[-1].rank if ranking and key(row) == previous else position
        previous = key(row)
        ranking.append(RankedBid(bid.bidder, bid.price, price_score, total, rank))
    return ranking


# --- JSON ----------------------------------------------------------------------------------------

_KEYS = {
    "method",
    "price_points",
    "budget",
    "aggregate",
    "factors",
    "bids",
    "scores",
    "min_valid_bids",
    "decimals",
}


def parse_input(data: Any) -> EvaluationInput:
    """Build and check an ``EvaluationInput`` from the JSON format (see ``score_check``)::

        {"method": "comprehensive" | "lowest_price", "price_points": 30,
         "budget": "1000000.00", "aggregate": "mean" | "trimmed_mean",
         "factors": [{"id": "plan", "max": 40}],
         "bids": [{"bidder": "A", "price": "800000.00"}],
         "scores": {"<expert>": {"<bidder>": {"<factor id>": 35}}},
         "min_valid_bids": 3, "decimals": 2}

    ``min_valid_bids`` and ``decimals`` are optional; for ``lowest_price`` so are
    ``price_points``, ``aggregate``, ``factors`` and ``scores``. Raises ``ValidationError``.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(_("输入须为 JSON 对象。"))
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise field_error(unknown[0], _("未知字段：%(join)s。") % {"join": ", ".join(unknown)})
    for key in ("method", "budget", "bids"):
        if key not in data:
            raise field_error(key, _("缺少字段“%(key)s”。") % {"key": key})
    method = data["method"]
    if method not in METHODS:
        raise field_error(
            "method",
            _("评标方法须为 %(join)s，收到 %(method)s。")
            % {"join": " 或 ".join(METHODS), "method": repr(method)},
        )
    scored = method == COMPREHENSIVE
    if scored:
        for key in ("price_points", "aggregate", "factors", "scores"):
            if key not in data:
                raise field_error(key, _("综合评分法缺少字段“%(key)s”。") % {"key": key})

    factors_data = data.get("factors", [])
    if not isinstance(factors_data, list):
        raise field_error("factors", _("“factors”须为列表。"))
    factors = []
    for i, item in enumerate(factors_data):
        if not isinstance(item, Mapping) or "id" not in item or "max" not in item:
            raise field_error(
                f"factors[{i}]", _("第 %(value)s 个评审因素须含“id”和“max”。") % {"value": i + 1}
            )
        factors.append(
            Factor(
                item["id"], _number(item["max"], field=f"factors[{i}].max", label="评审因素满分")
            )
        )

    bids_data = data["bids"]
    if not isinstance(bids_data, list):
        raise field_error("bids", _("“bids”须为列表。"))
    bids = []
    for i, item in enumerate(bids_data):
        if not isinstance(item, Mapping) or "bidder" not in item or "price" not in item:
            raise field_error(
                f"bids[{i}]", _("第 %(value)s 份投标须含“bidder”和“price”。") % {"value": i + 1}
            )
        bids.append(Bid(item["bidder"], to_money(item["price"], field=f"bids[{i}].price")))

    scores = data.get("scores", {})
    if not isinstance(scores, Mapping):
        raise field_error("scores", _("“scores”须为对象：专家 → 投标人 → 评审因素 → 分数。"))

    inp = EvaluationInput(
        method=method,
        price_points=(
            _number(data["price_points"], field="price_points", label="价格分")
            if "price_points" in data
            else Decimal(0)
        ),
        budget=to_money(data["budget"], field="budget"),
        aggregate=data.get("aggregate", MEAN),
        factors=factors,
        bids=bids,
        scores=scores,
        min_valid_bids=data.get("min_valid_bids", 3),
        decimals=data.get("decimals", 2),
    )
    check_input(inp)
    return inp


def result_to_json(result: EvaluationResult) -> dict[str, Any]:
    """The JSON form of a result. Amounts and scores are strings; for ``lowest_price``
    ``price_score`` is ``""`` and ``total`` is the price."""
    return {
        "status": result.status,
        "reason": result.reason,
        "ranking": [
            {
                "bidder": row.bidder,
                "price": str(row.price),
                "price_score": "" if row.price_score is None else str(row.price_score),
                "total": str(row.total),
                "rank": row.rank,
            }
            for row in result.ranking
        ],
        "invalid": [{"bidder": bidder, "reason": reason} for bidder, reason in result.invalid],
    }


# --- other §4.1 rules ----------------------------------------------------------------------------

CONSULTATION_MAX_PRICE_WEIGHT = Decimal(30)  # 财库〔2014〕214号: services 10–30 %
GOODS_MIN_PRICE_WEIGHT = Decimal(30)  # 87号令: goods ≥ 30 %


def validate_price_weight(
    price_points: Any,
    *,
    kind: str = "services",
    method: str = "open_tender",
    min_services: int = 10,
) -> None:
    """Refuse a price weight (price points out of 100) that breaks DOMAIN §4.1.

    Services ≥ ``min_services`` % (the jurisdiction's ``services_min_price_weight``, ≥ 10);
    services by competitive consultation ``min_services``–30 %; goods ≥ 30 %. Raises a
    ``ValidationError`` on the field ``price_points``.
    """
    if kind not in ("services", "goods"):
        raise field_error(
            "kind", _("采购品目类别须为 services 或 goods，收到 %(kind)s。") % {"kind": repr(kind)}
        )
    if method not in ("open_tender", "consultation"):
        raise field_error(
            "method",
            _("采购方式须为 open_tender 或 consultation，收到 %(method)s。")
            % {"method": repr(method)},
        )
    weight = _number(price_points, field="price_points", label="价格分权重")
    if not 0 <= weight <= SHEET_TOTAL:
        raise field_error(
            "price_points",
            _("价格分权重须在 0%% 到 100%% 之间，收到 %(fmt)s%%。") % {"fmt": _fmt(weight)},
        )
    if kind == "goods":
        if weight < GOODS_MIN_PRICE_WEIGHT:
            raise field_error(
                "price_points",
                _("货物项目价格分权重不得低于 30%%（87号令），当前为 %(fmt)s%%。")
                % {"fmt": _fmt(weight)},
            )
        return
    minimum = Decimal(min_services)
    if method == "consultation":
        if minimum > CONSULTATION_MAX_PRICE_WEIGHT:
            raise field_error(
                "price_points",
                _(
                    "服务项目价格分最低权重设为 %(fmt)s%%，高于竞争性磋商的上限 30%%（财库〔2014〕214号），无法同时满足。"
                )
                % {"fmt": _fmt(minimum)},
            )
        if not minimum <= weight <= CONSULTATION_MAX_PRICE_WEIGHT:
            raise field_error(
                "price_points",
                _(
                    "竞争性磋商服务项目价格分权重须在 %(fmt)s%%–30%% 之间（财库〔2014〕214号），当前为 %(fmt_2)s%%。"
                )
                % {"fmt": _fmt(minimum), "fmt_2": _fmt(weight)},
            )
        return
    if weight < minimum:
        raise field_error(
            "price_points",
            _(
                "服务项目价格分权重不得低于 %(fmt)s%%（87号令；财库〔2014〕214号），当前为 %(fmt_2)s%%。"
            )
            % {"fmt": _fmt(minimum), "fmt_2": _fmt(weight)},
        )


def committee_size_ok(size: int, *, budget: Any, method: str) -> tuple[bool, str | None]:
    """Whether an evaluation committee of ``size`` members is lawful (DOMAIN §4.1).

    ``open_tender``: ≥ 5 members and odd, ≥ 7 when the budget ≥ ¥10,000,000 (87号令 §47);
    ``consultation``: ≥ 3 and odd. Returns ``(True, None)`` or ``(False, reason)``. (The
    rule that experts are ≥ ⅔ of the members needs the composition and is checked elsewhere.)
    """
    if isinstance(size, bool) or not isinstance(size, int):
        raise field_error(
            "size", _("评审委员会人数必须是整数，收到 %(size)s。") % {"size": repr(size)}
        )
    amount = to_money(budget, field="budget")
    if method == "consultation":
        minimum, who, source = 3, "竞争性磋商小组", "财库〔2014〕214号"
    elif method == "open_tender":
        who, source = "评标委员会", "87号令 §47"
        minimum = 7 if amount >= LARGE_BUDGET else 5
    else:
        raise field_error(
            "method",
            _("采购方式须为 open_tender 或 consultation，收到 %(method)s。")
            % {"method": repr(method)},
        )
    why = "（采购预算达到 1000 万元）" if method == "open_tender" and minimum == 7 else ""
    if size < minimum:
        return False, f"{who}须不少于 {minimum} 人{why}（{source}），当前为 {size} 人。"
    if size % 2 == 0:
        return False, f"{who}人数须为单数（{source}），当前为 {size} 人。"
    return True, None
