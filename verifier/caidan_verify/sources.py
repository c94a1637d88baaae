"""Where the published data comes from: a Caidan site (its public API, read with urllib) or a
directory of JSON files saved from one, laid out as::

    DIR/ocds/*.json             OCDS release or record packages (the bulk releases.json of
                                /open/data/, or pages of /api/v1/ocds/releases)
    DIR/ocds/*.jsonl[.gz]       one package a line (the bulk records.jsonl.gz)
    DIR/tenders/<id>.json       GET /api/v1/procurement/tenders/<id>
    DIR/tenders/<id>/draw.json  GET /api/v1/procurement/tenders/<id>/draw
    DIR/tenders/<id>/evaluation.json
                                GET /api/v1/procurement/tenders/<id>/evaluation.json
    DIR/contracts/<id>.json     GET /api/v1/contracts/<id>
    DIR/evaluations/<id>.json   GET /api/v1/evaluations/<id>
    DIR/track-records/<id>.json GET /api/v1/evaluations/track-records/<organization id>

Only public, anonymous requests are made: the verifier sees what anyone sees.
"""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API = "/api/v1"
Fetch = Callable[[str], Any]  # path (with query) → parsed JSON, or None for 404


@dataclass
class Published:
    ocds: list[dict] = field(default_factory=list)  # packages
    tenders: dict[int, dict] = field(default_factory=dict)
    draws: dict[int, dict] = field(default_factory=dict)
    evaluation_inputs: dict[int, dict] = field(default_factory=dict)
    contracts: dict[int, dict] = field(default_factory=dict)
    evaluations: dict[int, dict] = field(default_factory=dict)
    track_records: dict[int, dict] = field(default_factory=dict)

    # name in the directory → attribute
    KINDS = {
        "tenders": "tenders",
        "contracts": "contracts",
        "evaluations": "evaluations",
        "track-records": "track_records",
    }


# --- the site ---------------------------------------------------------------------------------


def url_fetch(base: str, *, timeout: float = 60) -> Fetch:
    """A ``Fetch`` reading ``base`` + path over HTTP(S) with urllib."""
    base = base.rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {base}")

    def fetch(path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            base + path, headers={"Accept": "application/json", "User-Agent": "caidan-verify"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    return fetch


def _pages(fetch: Fetch, path: str, limit: int = 100):
    """Every item of a paged public list (``items`` and ``next_cursor``)."""
    cursor = None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = fetch(f"{path}?{urllib.parse.urlencode(query)}")
        if page is None:
            return
        yield from page.get("items") or []
        cursor = page.get("next_cursor")
        if not cursor:
            return


def crawl(fetch: Fetch, *, log: Callable[[str], None] = lambda _: None) -> Published:
    """Download everything the checks read through ``fetch``: the OCDS releases, each public
    tender with its draw record and evaluation input, each public contract, each published
    evaluation and the track record of every organization they name."""
    out = Published()
    path = f"{API}/ocds/releases?limit=100"
    while path:
        package = fetch(path)
        out.ocds.append(package)
        following = (package.get("links") or {}).get("next") or ""
        path = urllib.parse.urlsplit(following)._replace(scheme="", netloc="").geturl()
    log(f"OCDS: {sum(len(p.get('releases') or []) for p in out.ocds)} releases")

    for row in _pages(fetch, f"{API}/procurement/tenders"):
        tid = int(row["id"])
        out.tenders[tid] = fetch(f"{API}/procurement/tenders/{tid}")
        draw = fetch(f"{API}/procurement/tenders/{tid}/draw")
        if draw is not None:
            out.draws[tid] = draw
        data = fetch(f"{API}/procurement/tenders/{tid}/evaluation.json")
        if data is not None:
            out.evaluation_inputs[tid] = data
    log(f"tenders: {len(out.tenders)}, draw records: {len(out.draws)}, "
        f"evaluation inputs: {len(out.evaluation_inputs)}")  # fmt: skip

    for row in _pages(fetch, f"{API}/contracts"):
        cid = int(row["id"])
        out.contracts[cid] = fetch(f"{API}/contracts/{cid}")
    for row in _pages(fetch, f"{API}/evaluations"):
        eid = int(row["id"])
        out.evaluations[eid] = fetch(f"{API}/evaluations/{eid}")
    organizations = {int(c["organization"]["id"]) for c in out.contracts.values()}
    for tender in out.tenders.values():
        for row in (tender.get("award_notice") or {}).get("ranking") or []:
            organizations.add(int(row["organization_id"]))
    for oid in sorted(organizations):
        record = fetch(f"{API}/evaluations/track-records/{oid}")
        if record is not None:
            out.track_records[oid] = record
    log(f"contracts: {len(out.contracts)}, published evaluations: {len(out.evaluations)}, "
        f"track records: {len(out.track_records)}")  # fmt: skip
    return out


# --- the directory ------------------------------------------------------------------------------


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def save(published: Published, directory: str | Path) -> None:
    root = Path(directory)
    for n, package in enumerate(published.ocds, start=1):
        _write(root / "ocds" / f"releases-{n:04d}.json", package)
    for tid, tender in published.tenders.items():
        _write(root / "tenders" / f"{tid}.json", tender)
    for tid, draw in published.draws.items():
        _write(root / "tenders" / str(tid) / "draw.json", draw)
    for tid, data in published.evaluation_inputs.items():
        _write(root / "tenders" / str(tid) / "evaluation.json", data)
    for name, attribute in Published.KINDS.items():
        if name == "tenders":
            continue
        for key, value in getattr(published, attribute).items():
            _write(root / name / f"{key}.json", value)


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not readable JSON ({exc})") from None


def load(directory: str | Path) -> Published:
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"{root}: no such directory")
    out = Published()
    ocds = root / "ocds"
    for path in sorted(ocds.glob("*.json")) if ocds.is_dir() else []:
        out.ocds.append(_read(path))
    for path in sorted(ocds.glob("*.jsonl*")) if ocds.is_dir() else []:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            out.ocds.extend(json.loads(line) for line in lines if line.strip())
    for name, attribute in Published.KINDS.items():
        for path in sorted((root / name).glob("*.json")):
            if path.stem.isdigit():
                getattr(out, attribute)[int(path.stem)] = _read(path)
    for path in sorted((root / "tenders").glob("*/draw.json")):
        if path.parent.name.isdigit():
            out.draws[int(path.parent.name)] = _read(path)
    for path in sorted((root / "tenders").glob("*/evaluation.json")):
        if path.parent.name.isdigit():
            out.evaluation_inputs[int(path.parent.name)] = _read(path)
    return out
