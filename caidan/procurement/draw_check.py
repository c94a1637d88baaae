"""Re-run a tender's published expert draw (财库〔2016〕198号; DOMAIN §4.7).

The seed of a tender's draws is fixed when its announcement is published, before any bid
can be seen; only ``commitment = SHA-256(seed)`` (lowercase hexadecimal) is public then.
With the award notice the platform publishes the draw record (``GET
/api/v1/procurement/tenders/{id}/draw``)::

    {"commitment": "…", "seed": "…",
     "draws": [{"index": 0, "seed": "…", "algorithm": "sm3-rank-v1", "size": 5,
                "reserves": 2, "candidates": [3, 4, …],
                "exclusions": [{"expert": 4, "rules": ["former_tie"]}],
                "drawn": [9, 3, …]}]}

Anyone can check it with nothing but this file:

1. ``SHA-256(seed) == commitment``: the seed published now is the one committed to before
   the bids were opened;
2. draw ``n`` used ``derived_seed(seed, n)``: the seed itself for the first draw, and
   ``SHA-256(f"{seed}:{n}")`` for the n-th supplementary draw (no one chose it either);
3. the candidates minus the exclusions, ordered by ``H(f"{draw seed}:{id}")`` then id (H =
   SM3, or SHA-256 as the draw's ``algorithm`` names), give ``drawn`` as their first
   ``size + reserves`` ids.

``python -m caidan.procurement.draw_check record.json`` prints the result.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from typing import Any


def seed_commitment(seed: str) -> str:
    """The public commitment to a secret seed: SHA-256 of its UTF-8 text, hexadecimal."""
    return hashlib.sha256(seed.encode()).hexdigest()


def derived_seed(seed: str, index: int) -> str:
    """The seed of a tender's ``index``-th draw (0 = the first) from its committed seed."""
    if index == 0:
        return seed
    return hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()


def draw_order(seed: str, candidate_ids: Sequence[int], *, algorithm: str) -> list[int]:
    """The candidates by ``H(f"{seed}:{id}")`` (hexadecimal), then by id."""
    hash_ = algorithm.split("-", 1)[0]

    def key(candidate: int) -> tuple[str, int]:
        return (hashlib.new(hash_, f"{seed}:{candidate}".encode()).hexdigest(), candidate)

    return sorted((int(c) for c in candidate_ids), key=key)


def verify_record(record: dict[str, Any]) -> dict[str, Any]:
    """Check a published draw record. Returns ``{"ok", "commitment_ok", "draws": [{"index",
    "seed_ok", "order_ok"}]}``; ``ok`` only when every check holds."""
    seed = record.get("seed")
    if not isinstance(seed, str) or not seed:
        return {"ok": False, "commitment_ok": False, "draws": [], "reason": "种子尚未公开。"}
    commitment_ok = seed_commitment(seed) == record.get("commitment")
    rows = []
    for n, draw in enumerate(record.get("draws") or []):
        seed_ok = draw.get("index") == n and draw.get("seed") == derived_seed(seed, n)
        candidates = [int(c) for c in draw.get("candidates") or []]
        excluded = {int(row["expert"]) for row in draw.get("exclusions") or []}
        remaining = [c for c in candidates if c not in excluded]
        order = draw_order(str(draw.get("seed")), remaining, algorithm=str(draw["algorithm"]))
        wanted = int(draw.get("size", 0)) + int(draw.get("reserves", 0))
        order_ok = candidates == sorted(set(candidates)) and order[:wanted] == list(
            draw.get("drawn") or []
        )
        rows.append({"index": n, "seed_ok": seed_ok, "order_ok": order_ok})
    ok = commitment_ok and all(r["seed_ok"] and r["order_ok"] for r in rows)
    return {"ok": ok, "commitment_ok": commitment_ok, "draws": rows}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("用法：python -m caidan.procurement.draw_check record.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        result = verify_record(json.load(fh))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
