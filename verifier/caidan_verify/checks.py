"""The checks: each recomputes something from the published data and compares it with what
Caidan published, printing every step. A disagreement is a failure naming the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from . import arithmetic as a
from .sources import Published


class Report:
    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out = out
        self.checked = 0
        self.failures: list[str] = []

    def step(self, text: str) -> None:
        self.out(f"    {text}")

    def section(self, text: str) -> None:
        self.out("")
        self.out(f"== {text}")

    def record(self, text: str) -> None:
        self.out(f"  {text}")

    def check(self, where: str, what: str, published, recomputed) -> bool:
        """Compare; print ``ok`` or ``FAIL`` naming ``where``."""
        self.checked += 1
        if published == recomputed:
            self.step(f"ok    {what}: {_show(recomputed)}")
            return True
        message = f"{where}: {what}: published {_show(published)}, recomputed {_show(recomputed)}"
        self.failures.append(message)
        self.out(f"    FAIL  {message}")
        return False

    def fail(self, where: str, message: str) -> None:
        self.checked += 1
        self.failures.append(f"{where}: {message}")
        self.out(f"    FAIL  {where}: {message}")


READ_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def unreadable(exc: Exception) -> str:
    return f"the published data cannot be read: {type(exc).__name__}: {exc}"


def _show(value) -> str:
    if isinstance(value, list) and len(value) > 12:
        return "[" + ", ".join(map(str, value[:12])) + f", … ({len(value)} in all)]"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _fraction(value) -> str:
    return f"{Decimal(value.numerator) / Decimal(value.denominator):f}"


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else a.number(value)


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def tender_name(tender: dict | None, tid: int) -> str:
    if not tender:
        return f"tender {tid}"
    return f"tender {tid} ({tender.get('reference', '')} {tender.get('title', '')})".rstrip()


# --- 1. expert draws ---------------------------------------------------------------------------


def check_draws(p: Published, r: Report) -> None:
    r.section("1. Expert draws (seed → candidates − exclusions → drawn)")
    shown = {tid: d for tid, d in sorted(p.draws.items()) if d.get("seed")}
    if not shown:
        r.record("no draw record with a published seed")
    for tid, record in shown.items():
        tender = p.tenders.get(tid)
        where = tender_name(tender, tid) + " draw"
        r.record(where)
        seed = record["seed"]
        r.step(f"seed {seed}")
        r.check(where, "SHA-256(seed) equals the commitment", record.get("commitment"),
                a.sha256_hex(seed))  # fmt: skip
        announced = ((tender or {}).get("scoring_sheet") or {}).get("draw_commitment")
        if announced:
            r.check(where, "commitment announced with the tender", announced,
                    record.get("commitment"))  # fmt: skip
        for n, draw in enumerate(record.get("draws") or []):
            label = f"draw {n}"
            r.check(where, f"{label} seed derived from the committed seed", draw.get("seed"),
                    a.derived_seed(seed, n))  # fmt: skip
            candidates = [int(c) for c in draw.get("candidates") or []]
            excluded = sorted({int(x["expert"]) for x in draw.get("exclusions") or []})
            r.step(f"{label}: {len(candidates)} candidates (pool numbers) {_show(candidates)}")
            for x in draw.get("exclusions") or []:
                r.step(f"{label}: excluded {x['expert']} ({', '.join(x.get('rules') or [])})")
            r.check(where, f"{label} candidates listed once, ascending", candidates,
                    sorted(set(candidates)))  # fmt: skip
            remaining = [c for c in candidates if c not in set(excluded)]
            wanted = int(draw.get("size", 0)) + int(draw.get("reserves", 0))
            try:
                order = a.draw_order(str(draw.get("seed")), remaining, str(draw["algorithm"]))
            except (KeyError, ValueError) as exc:
                r.fail(where, f"{label}: cannot re-run the draw: {exc}")
                continue
            r.step(f"{label}: {draw['algorithm']}, {draw.get('size')} members + "
                   f"{draw.get('reserves')} reserves from {len(remaining)}")  # fmt: skip
            r.check(where, f"{label} drawn", [int(c) for c in draw.get("drawn") or []],
                    order[:wanted])  # fmt: skip


# --- 2. rankings --------------------------------------------------------------------------------


def check_rankings(p: Published, r: Report) -> dict[int, dict]:
    """Returns the recomputed results by tender id (the track-record check reads them)."""
    r.section("2. Rankings (score sheets → price scores, totals, ranks → award)")
    results = {}
    if not p.evaluation_inputs:
        r.record("no published evaluation input")
    for tid, data in sorted(p.evaluation_inputs.items()):
        tender = p.tenders.get(tid) or {}
        where = tender_name(tender, tid) + " ranking"
        r.record(where)
        r.step(f"method {data.get('method')}, budget {data.get('budget')}, "
               f"{len(data.get('bids') or [])} bids, {len(data.get('scores') or {})} experts, "
               f"aggregate {data.get('aggregate', '-')}")  # fmt: skip
        for bid in data.get("bids") or []:
            r.step(f"{bid['bidder']}: price {bid['price']}")
            try:
                sums = a.expert_sums(data, bid["bidder"]) if data.get("scores") else []
            except (KeyError, ValueError):
                continue  # an invalid bid has no scores; a missing score fails below
            for expert, total in sums:
                r.step(f"  {expert}: factor scores sum to {_fraction(total)}")
        try:
            result = a.rank(data)
        except (KeyError, ValueError, TypeError) as exc:
            r.fail(where, f"cannot recompute: {exc}")
            continue
        results[tid] = result
        r.step(
            f"result: {result['status']}" + (f" ({result['reason']})" if result["reason"] else "")
        )
        notice = tender.get("award_notice") or {}
        by_key = _bidder_rows(data, notice.get("ranking") or [])
        for row in result["ranking"]:
            pub = by_key.get(row["bidder"])
            who = f"{row['bidder']}"
            if pub is None:
                r.fail(where, f"{who} is ranked {row['rank']} but missing from the award notice")
                continue
            if row["price_score"] is not None:
                r.check(where, f"{who} price score", _dec(pub.get("price_score")),
                        row["price_score"])  # fmt: skip
            r.check(where, f"{who} total", _dec(pub.get("total")), row["total"])
            r.check(where, f"{who} rank", pub.get("rank"), row["rank"])
        for bidder in result["invalid"]:
            pub = by_key.get(bidder)
            r.check(where, f"{bidder} invalid (over the budget)", bool(pub and pub.get("valid")),
                    False)  # fmt: skip
        _check_award(p, r, tid, tender, result, by_key, where)
    return results


def _bidder_rows(data: dict, rows: list[dict]) -> dict[str, dict]:
    """The award notice's row of each bidder of the evaluation input. Bidders are named by
    organization, with the credit code after the name where two names clash (「名称（代码）」);
    the notice shows the name, so clashing names are told apart by the price."""
    out = {}
    for bid in data.get("bids") or []:
        key = bid["bidder"]
        same = [row for row in rows if row.get("organization_name") == key]
        if not same:
            base = key.rsplit("（", 1)[0]
            same = [row for row in rows if row.get("organization_name") == base]
        if len(same) > 1:
            same = [row for row in same if _dec(row.get("price")) == a.number(bid["price"])]
        if len(same) == 1:
            out[key] = same[0]
    return out


def _check_award(p, r, tid, tender, result, by_key, where) -> None:
    notice = tender.get("award_notice") or {}
    award = notice.get("award")
    if not award or result["status"] != "ok":
        return
    passed_over = {e["organization_id"] for e in notice.get("ended_awards") or []}
    # a lot of a tender in lots with a cap: bidders that already won the cap are passed over
    # (``award.cap_skipped``); each claimed lot must be published as won by that bidder
    for skipped in award.get("cap_skipped") or []:
        passed_over.add(skipped.get("organization"))
        _check_cap_claim(p, r, tender, skipped, where)
    remaining = [
        (row["rank"], (by_key.get(row["bidder"]) or {}).get("organization_name"))
        for row in result["ranking"]
        if (by_key.get(row["bidder"]) or {}).get("organization_id") not in passed_over
    ]
    # bidders tied for first place may each be chosen (with the purchaser's reason)
    best = [name for rank, name in remaining if remaining and rank == remaining[0][0]]
    awarded = award.get("organization_name")
    r.check(where, "award to the best-ranked bidder not passed over",
            awarded, awarded if awarded in best else " or ".join(map(str, best)))  # fmt: skip
    ocds_awards = [
        aw
        for pkg in p.ocds
        for rel in _releases(pkg)
        for aw in rel.get("awards") or []
        if str(aw.get("id")) == str(award.get("id"))
    ]
    if ocds_awards:
        names = sorted({s.get("name") for aw in ocds_awards for s in aw.get("suppliers") or []})
        r.check(where, "OCDS award supplier", names, [award.get("organization_name")])


def _check_cap_claim(p, r, tender: dict, skipped: dict, where: str) -> None:
    """The lots ``skipped`` says its bidder had already won are, as published, won by it."""
    parent = tender.get("parent_id")
    for number in skipped.get("lots") or []:
        sibling = next(
            (
                t
                for t in p.tenders.values()
                if t and t.get("parent_id") == parent and t.get("lot_number") == number
            ),
            None,
        )
        if sibling is None:
            continue  # not published (yet): nothing to compare
        won = ((sibling.get("award_notice") or {}).get("award") or {}).get("organization_id")
        r.check(where, f"passed over for the cap: lot {number} won by the same bidder",
                won, skipped.get("organization"))  # fmt: skip


def _releases(package: dict) -> list[dict]:
    if "releases" in package:
        return package.get("releases") or []
    return [rel for rec in package.get("records") or [] for rel in rec.get("releases") or []]


# --- 3. evaluations -----------------------------------------------------------------------------


def check_evaluations(p: Published, r: Report) -> None:
    r.section("3. Evaluations (indicator points → subjects → total → grade)")
    metrics = _ocds_metrics(p)
    if not p.evaluations:
        r.record("no published evaluation")
    for eid, e in sorted(p.evaluations.items()):
        contract = e.get("contract") or {}
        where = f"evaluation {eid} ({e.get('stage')} of contract {contract.get('reference', '')})"
        r.record(where)
        try:
            _check_evaluation(eid, e, r, where, metrics)
        except READ_ERRORS as exc:
            r.fail(where, unreadable(exc))


def _check_evaluation(eid: int, e: dict, r: Report, where: str, metrics: dict) -> None:
    if e.get("status") != "published":
        r.step("not published: skipped")
        return
    indicators = e.get("indicators") or []
    subjects = {s["key"]: s for s in e.get("subjects") or []}
    leaves_total = Decimal("0.00")
    points = {}
    for ind in indicators:
        if not ind.get("leaf"):
            continue
        code, weight = ind["code"], a.number(ind["weight"])
        rate = _dec(ind.get("rate"))
        computed = _dec(ind.get("computed_points"))
        if ind.get("formula") == "completion" and ind.get("actual") and ind.get("planned"):
            r.check(where, f"{code} completion rate = {ind['actual']} ÷ {ind['planned']}",
                    rate, a.rate_of(a.number(ind["actual"]), a.number(ind["planned"])))  # fmt: skip
        if ind.get("formula") == "satisfaction" and rate is not None:
            score = _dec((subjects.get("recipients") or {}).get("score"))
            if score is not None:
                r.check(where, f"{code} satisfaction rate = recipients' score ÷ 100", rate,
                        (score / 100).quantize(a.RATE_PLACES))  # fmt: skip
        if rate is not None and ind.get("formula"):
            r.check(where, f"{code} points = {weight:f} × rate {rate:f}", computed,
                    a.indicator_points(rate, weight))  # fmt: skip
            expected = computed
        else:
            expected = _dec(ind.get("evaluator_score"))
            r.step(f"{code} scored by the evaluator: {ind.get('evaluator_score')} of {weight:f}")
            if expected is not None and not 0 <= expected <= weight:
                r.fail(where, f"{code} score {expected:f} outside 0–{weight:f}")
        r.check(where, f"{code} points", _dec(ind.get("points")), expected)
        points[code] = expected
        leaves_total += expected or 0
    children: dict[str, list[str]] = {}
    for ind in indicators:
        if ind.get("parent"):
            children.setdefault(ind["parent"], []).append(ind["code"])

    for ind in indicators:
        if not ind.get("leaf"):
            r.check(where, f"{ind['code']} points = sum of its indicators",
                    _dec(ind.get("points")), _subtotal(ind["code"], points, children))  # fmt: skip
    if indicators:
        r.check(where, "evaluator's score = sum of the leaf indicators",
                _dec((subjects.get("evaluator") or {}).get("score")), leaves_total)  # fmt: skip
    scores = {k: _dec(s.get("score")) for k, s in subjects.items()}
    weights = {k: s.get("weight") for k, s in subjects.items()}
    r.step(
        "subjects: " + ", ".join(f"{k} {_show(v)} × {weights.get(k)}" for k, v in scores.items())
    )
    try:
        recomputed = a.weighted_total(scores, weights)
    except ValueError as exc:
        r.fail(where, f"cannot recompute the total: {exc}")
        return
    r.check(where, "total", _dec(e.get("total")), recomputed)
    r.check(where, "grade", e.get("grade"), a.grade_for(recomputed))
    r.check(where, "passed", e.get("passed"), a.grade_for(recomputed) in a.PASSING_GRADES)
    seen = metrics.get(f"evaluation-{eid}") or []
    if seen:  # every release that carries the metric (they are cumulative snapshots)
        totals = {str(o.get("measure")) for m in seen for o in m.get("observations") or []
                  if o.get("notes") == "综合得分"}  # fmt: skip
        grades = {str(o.get("measure")) for m in seen for o in m.get("observations") or []
                  if o.get("notes") == "等级"}  # fmt: skip
        r.step(f"OCDS: the metric evaluation-{eid} in {len(seen)} releases")
        r.check(where, "OCDS metric total", sorted(_dec(t) for t in totals), [recomputed])
        r.check(where, "OCDS metric grade", ", ".join(sorted(grades)),
                GRADE_LABELS[a.grade_for(recomputed)])  # fmt: skip


GRADE_LABELS = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}  # as OCDS shows them


def _subtotal(code: str, points: dict, children: dict) -> Decimal | None:
    """A parent indicator's points: the sum of its leaves' (as Caidan shows them)."""
    if code in points:
        return points[code]
    parts = [_subtotal(c, points, children) for c in children.get(code, [])]
    known = [t for t in parts if t is not None]
    return sum(known, Decimal("0.00")) if known else None


def _ocds_metrics(p: Published) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for pkg in p.ocds:
        for rel in _releases(pkg):
            for c in rel.get("contracts") or []:
                for m in (c.get("implementation") or {}).get("metrics") or []:
                    out.setdefault(m["id"], []).append(m)
    return out


# --- 4. payment gates ---------------------------------------------------------------------------

GATE_STAGE = {"midterm": "mid", "final": "final"}


def check_gates(p: Published, r: Report) -> None:
    r.section("4. Payment gates (a passed mid-term / final evaluation opens its instalment)")
    by_contract: dict[int, list[dict]] = {}
    for e in p.evaluations.values():
        if e.get("status") == "published":
            by_contract.setdefault(int(e["contract"]["id"]), []).append(e)
    if not p.contracts:
        r.record("no public contract")
    for cid, c in sorted(p.contracts.items()):
        where = f"contract {cid} ({c.get('reference', '')})"
        instalments = c.get("instalments") or []
        if not instalments:
            continue
        r.record(where)
        evaluations = by_contract.get(cid, [])
        for i in instalments:
            gate, label = i.get("gate"), f"instalment {i.get('sequence')} ({i.get('gate')})"
            if gate not in GATE_STAGE:
                r.step(f"{label}: gate {'open' if i.get('gate_open') else 'closed'} "
                       f"({i.get('gate_note') or 'not an evaluation gate'})")  # fmt: skip
                continue
            passed = sorted(
                (e for e in evaluations if e.get("stage") == GATE_STAGE[gate]
                 and a.grade_for(a.number(e["total"])) in a.PASSING_GRADES),
                key=lambda e: (e.get("published_at") or "", e["id"]),
            )  # fmt: skip
            for e in evaluations:
                if e.get("stage") == GATE_STAGE[gate]:
                    r.step(f"{label}: evaluation {e['id']} total {e.get('total')} → "
                           f"{a.grade_for(a.number(e['total']))}")  # fmt: skip
            r.check(where, f"{label} gate open", bool(i.get("gate_open")), bool(passed))
            if passed and i.get("gate_open"):
                r.check(where, f"{label} opened by evaluation", i.get("gate_evaluation_id"),
                        passed[0]["id"])  # fmt: skip
                r.check(where, f"{label} opened when the evaluation was published",
                        _when(i.get("gate_opened_at")), _when(passed[0].get("published_at")))  # fmt: skip
            if i.get("paid") and not i.get("gate_open"):
                r.fail(where, f"{label} paid though its gate is closed")


# --- 5. track records ---------------------------------------------------------------------------


def check_track_records(p: Published, r: Report, results: dict[int, dict]) -> None:
    r.section("5. Track records (final evaluations → record → points a later tender used)")
    finals = {
        eid: e
        for eid, e in p.evaluations.items()
        if e.get("stage") == "final" and e.get("status") == "published"
    }
    for oid, record in sorted(p.track_records.items()):
        items = record.get("items") or []
        if not items:
            continue
        where = f"track record of organization {oid} ({(record.get('organization') or {}).get('name', '')})"
        r.record(where)
        for item in items:
            e = finals.get(int(item["evaluation_id"]))
            if e is None:
                r.fail(
                    where, f"evaluation {item['evaluation_id']} is not a published final evaluation"
                )
                continue
            r.check(
                where, f"evaluation {e['id']} total", _dec(item.get("total")), _dec(e.get("total"))
            )
            r.check(where, f"evaluation {e['id']} grade", item.get("grade"), e.get("grade"))
        totals = [a.number(i["total"]) for i in items]
        r.check(where, "count", record.get("count"), len(items))
        r.check(where, "average", _dec(record.get("average")),
                (sum(totals, Decimal(0)) / len(totals)).quantize(a.CENT))  # fmt: skip
        mine = {e["id"] for e in finals.values() if int(e["contract"]["organization"]["id"]) == oid}
        r.check(where, "every published final evaluation is on the record",
                sorted(int(i["evaluation_id"]) for i in items), sorted(mine))  # fmt: skip

    used = False
    for tid, data in sorted(p.evaluation_inputs.items()):
        tender = p.tenders.get(tid) or {}
        factors = [f for f in (tender.get("scoring_sheet") or {}).get("factors") or []
                   if f.get("auto") == "track_record"]  # fmt: skip
        if not factors:
            continue
        used = True
        where = tender_name(tender, tid) + " track-record points"
        r.record(where)
        moment = _when(tender.get("evaluated_at"))
        rows = (tender.get("award_notice") or {}).get("ranking") or []
        by_key = _bidder_rows(data, rows)
        for bid in data.get("bids") or []:
            row = by_key.get(bid["bidder"])
            if row is None:
                r.fail(where, f"{bid['bidder']} not in the award notice")
                continue
            oid = int(row["organization_id"])
            totals = [
                a.number(e["total"])
                for e in finals.values()
                if int(e["contract"]["organization"]["id"]) == oid
                and (moment is None or _when(e.get("published_at")) <= moment)
            ]
            r.step(f"{bid['bidder']}: {len(totals)} final evaluations before the tender's "
                   f"evaluation {_show([f'{t:f}' for t in totals])}")  # fmt: skip
            for f in factors:
                expected = a.track_record_points(a.number(f["max"]), totals)
                for expert, by_bidder in (data.get("scores") or {}).items():
                    given = _dec((by_bidder.get(bid["bidder"]) or {}).get(f["id"]))
                    r.check(where, f"{bid['bidder']} {f['id']} points ({expert})", given, expected)
    if not used:
        r.record("no published tender scored a track_record factor")


def run_all(p: Published, r: Report) -> None:
    """Every check, in order. Data a check cannot read (a missing key, a number that is not
    one) is a failure of that part, named, and the other parts still run."""
    results: dict[int, dict] = {}
    parts = [
        ("expert draws", lambda: check_draws(p, r)),
        ("rankings", lambda: results.update(check_rankings(p, r))),
        ("evaluations", lambda: check_evaluations(p, r)),
        ("payment gates", lambda: check_gates(p, r)),
        ("track records", lambda: check_track_records(p, r, results)),
    ]
    for name, part in parts:
        try:
            part()
        except READ_ERRORS as exc:
            r.fail(name, unreadable(exc))
