"""The published rules, rewritten with the standard library only (no Caidan code).

* The expert draw (财库〔2016〕198号): the seed committed to by ``SHA-256(seed)`` at the
  announcement; the n-th draw's seed is the seed itself (n = 0) or ``SHA-256(f"{seed}:{n}")``;
  the candidates minus the exclusions are ordered by ``H(f"{draw seed}:{id}")`` (hexadecimal;
  H = SM3 or SHA-256 as the draw's ``algorithm`` names), then by id, and the first
  ``size + reserves`` are drawn.
* The ranking (87号令 §55–57): comprehensive scoring — price score = lowest valid price ÷
  price × price points; total = price score + the mean (or the mean without the highest and
  lowest) of the experts' factor sums, exact, rounded half up once; ties share a rank
  (1, 1, 3). Lowest price — valid bids by price. A bid over the budget is invalid; fewer valid
  bids than the minimum fails the tender.
* Evaluations (财预〔2020〕10号): a computed indicator earns weight × rate capped to 0..1,
  rounded half up to 0.01; the evaluator's score is the sum of the leaf indicators; the total
  is the weighted mean of the subjects that have a score; grades 优 ≥ 90, 良 ≥ 80, 中 ≥ 60,
  差 below.
* Track records: a ``track_record`` factor gives max × the bidder's mean final-evaluation
  total ÷ 100, rounded half up to 0.01 (0 without a record).
"""

from __future__ import annotations

import hashlib
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
PASSING_GRADES = ("excellent", "good", "fair")

# --- the expert draw --------------------------------------------------------------------------


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def derived_seed(seed: str, index: int) -> str:
    return seed if index == 0 else sha256_hex(f"{seed}:{index}")


def hash_hex(algorithm: str, text: str) -> str:
    """``algorithm`` as published ("sm3-rank-v1", "sha256-rank-v1"). SM3 comes from the
    OpenSSL that Python's hashlib uses; where that lacks it, the draw cannot be re-run."""
    name = algorithm.split("-", 1)[0]
    try:
        return hashlib.new(name, text.encode()).hexdigest()
    except ValueError:
        raise ValueError(f"hash {name!r} is not available in this Python's hashlib") from None


def draw_order(seed: str, candidates: list[int], algorithm: str) -> list[int]:
    return sorted(candidates, key=lambda c: (hash_hex(algorithm, f"{seed}:{c}"), c))


# --- the ranking ------------------------------------------------------------------------------


def round_half_up(value: Fraction | Decimal | int, decimals: int) -> Decimal:
    """Exactly, half away from zero (88.325 → 88.33)."""
    x = Fraction(value) * 10**decimals
    n = math.floor(abs(x) + Fraction(1, 2))
    if x < 0:
        n = -n
    return Decimal(n).scaleb(-decimals)


def number(value) -> Decimal:
    """An exact number from a published integer or string (floats are refused: a float in a
    score sheet would not be exact)."""
    if isinstance(value, bool | float) or value is None:
        raise ValueError(f"not an exact number: {value!r}")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def rank(data: dict) -> dict:
    """Recompute a tender's result from its published evaluation input (the ``score_check``
    format). Returns ``{"status", "reason", "ranking": [{bidder, price, price_score, total,
    rank}], "invalid": [bidder]}``; numbers as ``Decimal`` (``price_score`` None under the
    lowest-price method, whose ``total`` is the price)."""
    method = data["method"]
    budget = number(data["budget"])
    decimals = int(data.get("decimals", 2))
    minimum = int(data.get("min_valid_bids", 3))
    bids = [(b["bidder"], number(b["price"])) for b in data["bids"]]
    valid = [(bidder, price) for bidder, price in bids if price <= budget]
    invalid = [bidder for bidder, price in bids if price > budget]
    if bids and not valid:
        return {"status": "failed", "reason": "all bids over the budget", "ranking": [],
                "invalid": invalid}  # fmt: skip
    if len(valid) < minimum:
        return {"status": "failed", "reason": f"{len(valid)} valid bids, fewer than {minimum}",
                "ranking": [], "invalid": invalid}  # fmt: skip
    if method == "lowest_price":
        rows = [(bidder, price, None, price) for bidder, price in valid]
        key = lambda row: row[1]  # noqa: E731
    else:
        rows = _comprehensive(data, valid, decimals)
        key = lambda row: (-row[3], row[1])  # noqa: E731
    ranking, previous = [], None
    for position, row in enumerate(sorted(rows, key=key), start=1):
        shared = ranking and key(row) == previous
        previous = key(row)
        ranking.append(
            {
                "bidder": row[0],
                "price": row[1],
                "price_score": row[2],
                "total": row[3],
                "rank": ranking[-1]["rank"] if shared else position,
            }
        )
    return {"status": "ok", "reason": None, "ranking": ranking, "invalid": invalid}


def expert_sums(data: dict, bidder: str) -> list[tuple[str, Fraction]]:
    """Each expert's sum of the factor scores given to ``bidder``."""
    out = []
    for expert, by_bidder in data["scores"].items():
        by_factor = by_bidder.get(bidder)
        if by_factor is None:
            raise ValueError(f"expert {expert!r} gave no scores to {bidder!r}")
        total = Fraction(0)
        for factor in data["factors"]:
            if factor["id"] not in by_factor:
                raise ValueError(f"expert {expert!r} did not score {bidder!r} on {factor['id']!r}")
            score = number(by_factor[factor["id"]])
            if not 0 <= score <= number(factor["max"]):
                raise ValueError(
                    f"expert {expert!r} gave {bidder!r} {score} on {factor['id']!r}, "
                    f"outside 0–{factor['max']}"
                )
            total += Fraction(score)
        out.append((expert, total))
    return out


def _comprehensive(data: dict, valid, decimals: int) -> list[tuple]:
    price_points = Fraction(number(data["price_points"]))
    sheet = number(data["price_points"]) + sum(number(f["max"]) for f in data["factors"])
    if sheet != 100:
        raise ValueError(f"the scoring sheet totals {sheet}, not 100")
    base = Fraction(min(price for _, price in valid))
    rows = []
    for bidder, price in valid:
        totals = [total for _, total in expert_sums(data, bidder)]
        if not totals:
            raise ValueError("comprehensive scoring without any expert's scores")
        if data.get("aggregate") == "trimmed_mean":
            totals = sorted(totals)[1:-1]
        aggregate = sum(totals, Fraction(0)) / len(totals)
        price_score = base * price_points / Fraction(price)
        rows.append(
            (
                bidder,
                price,
                round_half_up(price_score, decimals),
                round_half_up(price_score + aggregate, decimals),
            )
        )
    return rows


# --- evaluations --------------------------------------------------------------------------------


def indicator_points(rate: Decimal, weight: Decimal) -> Decimal:
    return (weight * max(Decimal(0), min(Decimal(1), rate))).quantize(CENT, ROUND_HALF_UP)


def rate_of(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(RATE_PLACES, ROUND_HALF_UP)


def weighted_total(scores: dict[str, Decimal | None], weights: dict[str, int | None]) -> Decimal:
    present = {k: v for k, v in scores.items() if v is not None and weights.get(k)}
    if not present:
        raise ValueError("no subject has a score")
    total_weight = sum(Decimal(weights[k]) for k in present)
    value = sum(Decimal(weights[k]) * v for k, v in present.items()) / total_weight
    return value.quantize(CENT, ROUND_HALF_UP)


def grade_for(total: Decimal) -> str:
    if total >= 90:
        return "excellent"
    if total >= 80:
        return "good"
    if total >= 60:
        return "fair"
    return "poor"


# --- track records ------------------------------------------------------------------------------


def track_record_points(factor_max: Decimal, totals: list[Decimal]) -> Decimal:
    mean = sum(totals, Decimal(0)) / len(totals) if totals else Decimal(0)
    return (factor_max * mean / 100).quantize(CENT, rounding=ROUND_HALF_UP)
