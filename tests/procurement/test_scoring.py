"""The bid-evaluation engine (DOMAIN.md §3.4, §4.1): pure functions, no database."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from caidan.common.errors import ValidationError
from caidan.procurement.scoring import (
    Bid,
    EvaluationInput,
    Factor,
    committee_size_ok,
    evaluate,
    parse_input,
    result_to_json,
    round_half_up,
    validate_price_weight,
)

D = Decimal


def comprehensive(bids, scores, *, factors=(("plan", 40), ("team", 30)), **extra):
    """Input data in the JSON format; price points 30 + factors 70 = 100."""
    data = {
        "method": "comprehensive",
        "price_points": 30,
        "budget": "1000000.00",
        "aggregate": "mean",
        "factors": [{"id": i, "max": m} for i, m in factors],
        "bids": [{"bidder": b, "price": p} for b, p in bids],
        "scores": scores,
    }
    data.update(extra)
    return data


def run(data):
    return result_to_json(evaluate(parse_input(data)))


def rows(out):
    return [(r["bidder"], r["price_score"], r["total"], r["rank"]) for r in out["ranking"]]


def one_factor(totals):
    """scores for one expert E1 and a single factor "plan" (max 70): {bidder: score}."""
    return {"E1": {b: {"plan": s} for b, s in totals.items()}}


# --- price score ---------------------------------------------------------------------------------

BIDS_ABC = [("A", "800000.00"), ("B", "1000000.00"), ("C", "900000.00")]

# expert totals (plan + team):       A            B            C
#   E1                          35+25=60     40+30=70     30+20=50
#   E2                          30+25=55     35+25=60     30+30=60
#   E3                          35+25=60     38+27=65     25+20=45
SCORES_3 = {
    "E1": {
        "A": {"plan": 35, "team": 25},
        "B": {"plan": 40, "team": 30},
        "C": {"plan": 30, "team": 20},
    },
    "E2": {
        "A": {"plan": 30, "team": 25},
        "B": {"plan": 35, "team": 25},
        "C": {"plan": 30, "team": 30},
    },
    "E3": {
        "A": {"plan": 35, "team": 25},
        "B": {"plan": 38, "team": 27},
        "C": {"plan": 25, "team": 20},
    },
}


def test_price_score_800k_and_1m_get_30_and_24():
    # base = 800,000 (lowest valid); A: 800000/800000 × 30 = 30; B: 800000/1000000 × 30 = 24
    out = run(comprehensive(BIDS_ABC, SCORES_3))
    scores = {r["bidder"]: r["price_score"] for r in out["ranking"]}
    assert scores["A"] == "30.00"
    assert scores["B"] == "24.00"
    # C: 800000/900000 × 30 = 26.666… → shown as 26.67
    assert scores["C"] == "26.67"


def test_mean_of_expert_totals():
    # A: 30 + (60+55+60)/3 = 30 + 58.333… = 88.333… → 88.33
    # B: 24 + (70+60+65)/3 = 24 + 65       = 89.00
    # C: 26.666… + (50+60+45)/3 = 26.666… + 51.666… = 78.333… → 78.33
    #    (rounding the shown parts first would give 26.67 + 51.67 = 78.34: the total is
    #    computed from the unrounded components and rounded once)
    out = run(comprehensive(BIDS_ABC, SCORES_3))
    assert out["status"] == "ok"
    assert out["reason"] is None
    assert rows(out) == [
        ("B", "24.00", "89.00", 1),
        ("A", "30.00", "88.33", 2),
        ("C", "26.67", "78.33", 3),
    ]


def test_trimmed_mean_drops_one_highest_and_one_lowest():
    scores = {k: dict(v) for k, v in SCORES_3.items()}
    # a fourth expert E4:      A: 20+10=30   B: 40+30=70   C: 40+30=70
    scores["E4"] = {
        "A": {"plan": 20, "team": 10},
        "B": {"plan": 40, "team": 30},
        "C": {"plan": 40, "team": 30},
    }
    # A: totals [60, 55, 60, 30] → drop one 60 and 30 → (55+60)/2 = 57.5; 30 + 57.5 = 87.50
    # B: totals [70, 60, 65, 70] → drop one 70 and 60 → (65+70)/2 = 67.5; 24 + 67.5 = 91.50
    # C: totals [50, 60, 45, 70] → drop 70 and 45 → (50+60)/2 = 55; 26.666… + 55 = 81.666… → 81.67
    out = run(comprehensive(BIDS_ABC, scores, aggregate="trimmed_mean"))
    assert rows(out) == [
        ("B", "24.00", "91.50", 1),
        ("A", "30.00", "87.50", 2),
        ("C", "26.67", "81.67", 3),
    ]
    # the plain mean of the same data differs:
    # A: 30 + 205/4 = 81.25; B: 24 + 265/4 = 90.25; C: 26.666… + 225/4 = 82.916… → 82.92
    out = run(comprehensive(BIDS_ABC, scores))
    assert rows(out) == [
        ("B", "24.00", "90.25", 1),
        ("C", "26.67", "82.92", 2),
        ("A", "30.00", "81.25", 3),
    ]


def test_trimmed_mean_needs_three_experts():
    scores = {k: SCORES_3[k] for k in ("E1", "E2")}
    with pytest.raises(ValidationError) as exc:
        run(comprehensive(BIDS_ABC, scores, aggregate="trimmed_mean"))
    assert exc.value.field == "aggregate"
    assert "至少需要 3 名专家" in exc.value.message
    assert "只有 2 名" in exc.value.message


def test_trimmed_mean_with_three_experts_is_the_median():
    # A: [60, 55, 60] → 60; B: [70, 60, 65] → 65; C: [50, 60, 45] → 50
    out = run(comprehensive(BIDS_ABC, SCORES_3, aggregate="trimmed_mean"))
    assert rows(out) == [
        ("A", "30.00", "90.00", 1),
        ("B", "24.00", "89.00", 2),
        ("C", "26.67", "76.67", 3),  # 26.666… + 50 = 76.666… → 76.67
    ]


# --- rounding ------------------------------------------------------------------------------------


def test_half_up_at_a_5_boundary():
    # B: 24 + (64.3 + 64.35)/2 = 24 + 64.325 = 88.325 exactly → half up 88.33
    # (half-even would give 88.32, and so would float arithmetic: 88.325 is 88.32499… in binary)
    scores = {
        "E1": {"A": {"plan": 10}, "B": {"plan": "64.3"}, "C": {"plan": 10}},
        "E2": {"A": {"plan": 10}, "B": {"plan": "64.35"}, "C": {"plan": 10}},
    }
    out = run(comprehensive(BIDS_ABC, scores, factors=(("plan", 70),)))
    totals = {r["bidder"]: r["total"] for r in out["ranking"]}
    assert totals["B"] == "88.33"
    assert D("88.325").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("88.32")


def test_round_half_up_helper():
    assert round_half_up(D("88.325"), 2) == D("88.33")
    assert round_half_up(D("88.324999"), 2) == D("88.32")
    assert round_half_up(D("2.5"), 0) == D("3")
    assert round_half_up(D("0.125"), 2) == D("0.13")
    assert str(round_half_up(D("24"), 2)) == "24.00"


def test_decimals_is_configurable():
    # A: 30 + 175/3 = 88.3333… → 3 places 88.333; C: 26.6666… + 155/3 → 78.333
    out = run(comprehensive(BIDS_ABC, SCORES_3, decimals=3))
    assert rows(out)[1] == ("A", "30.000", "88.333", 2)
    assert rows(out)[2] == ("C", "26.667", "78.333", 3)
    out = run(comprehensive(BIDS_ABC, SCORES_3, decimals=0))
    assert [r["total"] for r in out["ranking"]] == ["89", "88", "78"]


# --- ranking and ties ----------------------------------------------------------------------------


def test_equal_total_lower_price_first():
    # single factor plan (max 70), one expert
    # B: 24 + 56 = 80; A: 30 + 50 = 80 → equal: A (800,000) before B (1,000,000)
    # C: 26.666… + 40 = 66.67
    bids = [("B", "1000000.00"), ("A", "800000.00"), ("C", "900000.00")]
    out = run(comprehensive(bids, one_factor({"A": 50, "B": 56, "C": 40}), factors=(("plan", 70),)))
    assert rows(out) == [
        ("A", "30.00", "80.00", 1),
        ("B", "24.00", "80.00", 2),
        ("C", "26.67", "66.67", 3),
    ]


def test_equal_total_and_price_tie_and_the_next_rank_skips():
    # C: 800000/900000×30 + 60 = 86.67 → 1
    # A, B: 800,000 → 30 + 50 = 80.00 each, same price → tied at 2
    # D: 24 + 40 = 64.00 → 4 (rank 3 is skipped)
    bids = [("A", "800000.00"), ("B", "800000.00"), ("C", "900000.00"), ("D", "1000000.00")]
    scores = one_factor({"A": 50, "B": 50, "C": 60, "D": 40})
    out = run(comprehensive(bids, scores, factors=(("plan", 70),)))
    assert rows(out) == [
        ("C", "26.67", "86.67", 1),
        ("A", "30.00", "80.00", 2),
        ("B", "30.00", "80.00", 2),
        ("D", "24.00", "64.00", 4),
    ]


def test_ranking_uses_the_rounded_total():
    # A, B at 800,000: 30 + 50.001 = 80.001 and 30 + 50.004 = 80.004 → both 80.00 → tied
    bids = [("A", "800000.00"), ("B", "800000.00"), ("C", "1000000.00")]
    scores = one_factor({"A": "50.001", "B": "50.004", "C": 10})
    out = run(comprehensive(bids, scores, factors=(("plan", 70),)))
    assert [(r["bidder"], r["total"], r["rank"]) for r in out["ranking"]] == [
        ("A", "80.00", 1),
        ("B", "80.00", 1),
        ("C", "34.00", 3),
    ]


def test_lowest_price_method_ranks_by_price_with_ties():
    data = {
        "method": "lowest_price",
        "budget": "1000000.00",
        "bids": [
            {"bidder": "A", "price": "900000.00"},
            {"bidder": "B", "price": "800000.00"},
            {"bidder": "C", "price": "800000.00"},
            {"bidder": "D", "price": "950000.00"},
            {"bidder": "E", "price": "1100000.00"},
        ],
    }
    out = run(data)
    assert out["status"] == "ok"
    # no price score in this method: "" ; total = the evaluated price
    assert out["ranking"] == [
        {"bidder": "B", "price": "800000.00", "price_score": "", "total": "800000.00", "rank": 1},
        {"bidder": "C", "price": "800000.00", "price_score": "", "total": "800000.00", "rank": 1},
        {"bidder": "A", "price": "900000.00", "price_score": "", "total": "900000.00", "rank": 3},
        {"bidder": "D", "price": "950000.00", "price_score": "", "total": "950000.00", "rank": 4},
    ]
    assert [i["bidder"] for i in out["invalid"]] == ["E"]
    result = evaluate(parse_input(data))
    assert result.ranking[0].price_score is None
    assert result.ranking[0].total == D("800000.00")


def test_lowest_price_fails_below_the_minimum():
    data = {
        "method": "lowest_price",
        "budget": "1000000.00",
        "bids": [{"bidder": "A", "price": "900000.00"}, {"bidder": "B", "price": "800000.00"}],
    }
    out = run(data)
    assert out["status"] == "failed"
    assert out["ranking"] == []


# --- validity and failure ------------------------------------------------------------------------


def test_over_budget_bid_is_invalid_and_at_budget_is_valid():
    bids = [*BIDS_ABC, ("D", "1000000.01")]  # B is exactly at the budget: valid
    scores = {k: dict(v) for k, v in SCORES_3.items()}
    out = run(comprehensive(bids, scores))
    assert out["status"] == "ok"
    assert [r["bidder"] for r in out["ranking"]] == ["B", "A", "C"]
    assert out["invalid"] == [
        {"bidder": "D", "reason": "投标报价 ¥1,000,000.01 超过采购预算 ¥1,000,000.00，为无效投标。"}
    ]


def test_over_budget_bid_is_not_the_base_price():
    # D is over the budget, so the base price is A's 800,000 and A keeps the full 30 points
    data = comprehensive(BIDS_ABC, SCORES_3, budget="1000000.00")
    data["bids"].append({"bidder": "D", "price": "1500000.00"})
    out = run(data)
    assert {r["bidder"]: r["price_score"] for r in out["ranking"]}["A"] == "30.00"


def test_two_valid_bids_fail_with_minimum_three():
    bids = [("A", "800000.00"), ("B", "1000000.00"), ("C", "1200000.00")]
    # no scores needed: the tender fails before scoring
    out = run(comprehensive(bids, {}))
    assert out["status"] == "failed"
    assert out["reason"] == "有效投标仅 2 家，不足 3 家（政府采购法 §36），采购失败（废标）。"
    assert out["ranking"] == []
    assert [i["bidder"] for i in out["invalid"]] == ["C"]


def test_all_bids_over_budget_fail():
    bids = [("A", "1100000.00"), ("B", "1200000.00"), ("C", "1300000.00")]
    out = run(comprehensive(bids, {}))
    assert out["status"] == "failed"
    assert out["reason"] == (
        "全部 3 份投标报价均超过采购预算 ¥1,000,000.00（政府采购法 §36），采购失败（废标）。"
    )
    assert len(out["invalid"]) == 3


def test_consultation_minimum_two_proceeds():
    bids = [("A", "800000.00"), ("B", "1000000.00")]
    scores = {e: {b: SCORES_3[e][b] for b in ("A", "B")} for e in SCORES_3}
    out = run(comprehensive(bids, scores, min_valid_bids=2))
    assert out["status"] == "ok"
    assert rows(out) == [("B", "24.00", "89.00", 1), ("A", "30.00", "88.33", 2)]
    out = run(comprehensive([("A", "800000.00")], {}, min_valid_bids=2))
    assert out["status"] == "failed"
    assert "有效投标仅 1 家，不足 2 家" in out["reason"]


def test_evaluate_with_dataclasses():
    inp = EvaluationInput(
        method="comprehensive",
        price_points=D(30),
        budget=D("1000000.00"),
        aggregate="mean",
        factors=[Factor("plan", D(70))],
        bids=[Bid("A", D("800000.00")), Bid("B", D("1000000.00")), Bid("C", D("900000.00"))],
        scores={"E1": {"A": {"plan": D(50)}, "B": {"plan": D(60)}, "C": {"plan": D(55)}}},
    )
    result = evaluate(inp)
    assert result.ok
    # B: 24 + 60 = 84; C: 26.666… + 55 = 81.67; A: 30 + 50 = 80
    assert [(r.bidder, r.total, r.rank) for r in result.ranking] == [
        ("B", D("84.00"), 1),
        ("C", D("81.67"), 2),
        ("A", D("80.00"), 3),
    ]


# --- validation ----------------------------------------------------------------------------------


def refused(data) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        run(data)
    return exc.value


def test_score_out_of_range_names_expert_bidder_and_factor():
    scores = {k: {b: dict(f) for b, f in v.items()} for k, v in SCORES_3.items()}
    scores["E2"]["C"]["plan"] = 41
    err = refused(comprehensive(BIDS_ABC, scores))
    assert err.field == "scores"
    assert err.message == "专家“E2”对投标人“C”的评审因素“plan”评分 41 超出范围（0–40 分）。"
    scores["E2"]["C"]["plan"] = -1
    assert "超出范围" in refused(comprehensive(BIDS_ABC, scores)).message


def test_missing_score_refused():
    scores = {k: {b: dict(f) for b, f in v.items()} for k, v in SCORES_3.items()}
    del scores["E3"]["B"]["team"]
    err = refused(comprehensive(BIDS_ABC, scores))
    assert err.message == "专家“E3”未对投标人“B”的评审因素“team”打分。"
    del scores["E1"]["A"]
    assert "专家“E1”未对投标人“A”" in refused(comprehensive(BIDS_ABC, scores)).message


def test_duplicate_factor_refused():
    err = refused(comprehensive(BIDS_ABC, SCORES_3, factors=(("plan", 35), ("plan", 35))))
    assert err.field == "factors[1].id"
    assert "评审因素编号“plan”重复" in err.message


def test_float_amount_refused():
    data = comprehensive(BIDS_ABC, SCORES_3)
    data["bids"][0]["price"] = 800000.0
    err = refused(data)
    assert err.field == "bids[0].price"
    assert "不能是浮点数" in err.message
    data = comprehensive(BIDS_ABC, SCORES_3, budget=1000000.0)
    assert refused(data).field == "budget"


def test_float_score_refused():
    scores = {k: {b: dict(f) for b, f in v.items()} for k, v in SCORES_3.items()}
    scores["E1"]["A"]["plan"] = 35.5
    err = refused(comprehensive(BIDS_ABC, scores))
    assert "不能是浮点数" in err.message
    scores["E1"]["A"]["plan"] = "35.5"  # as a string it is fine
    assert run(comprehensive(BIDS_ABC, scores))["status"] == "ok"


def test_sheet_total_must_be_100():
    err = refused(comprehensive(BIDS_ABC, SCORES_3, factors=(("plan", 40), ("team", 20))))
    assert err.field == "factors"
    assert err.message.startswith("评分表总分须为 100 分")
    assert "= 90 分" in err.message


def test_unknown_method_aggregate_bidder_and_factor_refused():
    assert refused(comprehensive(BIDS_ABC, SCORES_3, method="auction")).field == "method"
    assert refused(comprehensive(BIDS_ABC, SCORES_3, aggregate="median")).field == "aggregate"
    scores = {k: {b: dict(f) for b, f in v.items()} for k, v in SCORES_3.items()}
    scores["E1"]["Z"] = {"plan": 1, "team": 1}
    assert "未投标的“Z”" in refused(comprehensive(BIDS_ABC, scores)).message
    scores = {k: {b: dict(f) for b, f in v.items()} for k, v in SCORES_3.items()}
    scores["E1"]["A"]["price"] = 1
    assert "未知评审因素“price”" in refused(comprehensive(BIDS_ABC, scores)).message


def test_malformed_input_refused():
    assert refused([]).message == "输入须为 JSON 对象。"
    data = comprehensive(BIDS_ABC, SCORES_3)
    del data["budget"]
    assert refused(data).field == "budget"
    data = comprehensive(BIDS_ABC, SCORES_3, extra_key=1)
    assert refused(data).field == "extra_key"
    assert refused(comprehensive([("A", "1"), ("A", "2")], {})).field == "bids[1].bidder"
    assert refused(comprehensive([("A", "0.00")], {})).field == "bids[0].price"
    assert refused(comprehensive(BIDS_ABC, SCORES_3, min_valid_bids=0)).field == "min_valid_bids"
    assert refused(comprehensive(BIDS_ABC, SCORES_3, decimals="2")).field == "decimals"
    assert refused(comprehensive(BIDS_ABC, {})).message.startswith("综合评分法需要专家评分")


# --- price weight (DOMAIN §4.1) ------------------------------------------------------------------


def test_price_weight_services():
    with pytest.raises(ValidationError) as exc:
        validate_price_weight(9)
    assert exc.value.field == "price_points"
    assert "服务项目价格分权重不得低于 10%" in exc.value.message
    validate_price_weight(10)
    validate_price_weight(60)
    # a jurisdiction may raise the minimum (services_min_price_weight)
    with pytest.raises(ValidationError):
        validate_price_weight(15, min_services=20)
    validate_price_weight("20", min_services=20)


def test_price_weight_consultation():
    validate_price_weight(10, method="consultation")
    validate_price_weight(30, method="consultation")
    with pytest.raises(ValidationError) as exc:
        validate_price_weight(31, method="consultation")
    assert exc.value.field == "price_points"
    assert "竞争性磋商服务项目价格分权重须在 10%–30% 之间" in exc.value.message
    with pytest.raises(ValidationError):
        validate_price_weight(9, method="consultation")


def test_price_weight_goods():
    with pytest.raises(ValidationError) as exc:
        validate_price_weight(29, kind="goods")
    assert exc.value.field == "price_points"
    assert "货物项目价格分权重不得低于 30%" in exc.value.message
    validate_price_weight(30, kind="goods")


def test_price_weight_bad_arguments():
    with pytest.raises(ValidationError):
        validate_price_weight(10.0)
    with pytest.raises(ValidationError):
        validate_price_weight(10, kind="works")
    with pytest.raises(ValidationError):
        validate_price_weight(101)


# --- committee size (DOMAIN §4.1, 87号令 §47) -----------------------------------------------------


@pytest.mark.parametrize(
    ("size", "budget", "method", "ok"),
    [
        (4, "1000000.00", "open_tender", False),
        (5, "1000000.00", "open_tender", True),
        (6, "1000000.00", "open_tender", False),
        (7, "1000000.00", "open_tender", True),
        (5, "9999999.99", "open_tender", True),
        (5, "10000000.00", "open_tender", False),
        (7, "10000000.00", "open_tender", True),
        (8, "10000000.00", "open_tender", False),
        (3, "10000000.00", "consultation", True),
        (2, "500000.00", "consultation", False),
        (4, "500000.00", "consultation", False),
        (5, "500000.00", "consultation", True),
    ],
)
def test_committee_size(size, budget, method, ok):
    result, reason = committee_size_ok(size, budget=budget, method=method)
    assert result is ok
    assert (reason is None) is ok


def test_committee_size_reasons():
    assert committee_size_ok(4, budget="1000000.00", method="open_tender") == (
        False,
        "评标委员会须不少于 5 人（87号令 §47），当前为 4 人。",
    )
    assert committee_size_ok(6, budget="1000000.00", method="open_tender") == (
        False,
        "评标委员会人数须为单数（87号令 §47），当前为 6 人。",
    )
    ok, reason = committee_size_ok(5, budget="10000000.00", method="open_tender")
    assert not ok
    assert (
        reason == "评标委员会须不少于 7 人（采购预算达到 1000 万元）（87号令 §47），当前为 5 人。"
    )
    with pytest.raises(ValidationError):
        committee_size_ok(5, budget="1000000.00", method="auction")
