"""The offline verifier (``verifier/``, issue 21 part 4) over the mid-year demo's published
data: it agrees with everything Caidan published, and a single changed score, seed or grade
in the saved files makes it exit non-zero naming the record. It runs on the standard library
alone (no Caidan, no Django), installs with pip from its folder, and reads a site by URL.

The data: ``seed_demo --midyear`` (draws, lowest-price rankings and a comprehensive one,
mid-term and final evaluations that opened payment gates, a track record), then the next
tender of the street
— comprehensive scoring with a ``track_record`` factor, which reads the demo's final
evaluation — scored by its experts and awarded through the services. Everything is
downloaded anonymously through the public API by the verifier's own crawler."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "verifier"
if str(VERIFIER) not in sys.path:
    sys.path.insert(0, str(VERIFIER))

from caidan_verify import arithmetic, cli, sources  # noqa: E402

# The data is made once for the module (``published``); the mark makes pytest-django create
# the test database, and each test's own transaction rolls back as usual.
pytestmark = pytest.mark.django_db

FACTORS = [
    {"id": "plan", "name": "服务方案", "max": 45},
    {"id": "team", "name": "团队与资质", "max": 15},
    {"id": "record", "name": "履约记录", "max": 10, "auto": "track_record"},
]


class _Rollback(Exception):
    pass


def next_tender_using_the_track_record():
    """The street's next tender, comprehensive scoring with a ``track_record`` factor: the
    demo provider (whose final evaluation the demo published) and two other bidders; five
    drawn experts score them differently; the ranking is computed and the award confirmed
    (which publishes the seed, the sheets and the ranking)."""
    import conftest
    from caidan.procurement.inputs import SheetScoresInput
    from caidan.procurement.selectors_experts import panel_for
    from caidan.procurement.services import award_confirm, panel_declare, panel_draw
    from caidan.procurement.services.evaluation import scorable_bids, scores_save, scores_submit
    from tests.contracts.factories import demo_provider
    from tests.procurement.factories import (
        expert_actor,
        make_bidders,
        make_expert_pool,
        opened_tender,
    )

    world = conftest.World()
    bidders = [demo_provider(world), *make_bidders(world, 2)]
    tender = opened_tender(
        world,
        factors=FACTORS,
        bidders=bidders,
        prices=("860000.00", "800000.00", "930000.00"),
    )
    make_expert_pool(world, 9)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    bids = scorable_bids(tender)
    for n, member in enumerate(m for m in panel_for(tender) if m.status == "drawn"):
        actor = expert_actor(member.expert)
        panel_declare(member=member, no_conflict=True, actor=actor)
        scores = {
            str(bid.pk): {"plan": str(Decimal("36.5") + n - 2 * i), "team": str(12 - (n + i) % 3)}
            for i, bid in enumerate(bids)
        }
        scores_save(member=member, data=SheetScoresInput.parse(scores=scores), actor=actor)
        scores_submit(member=member, actor=actor)
    tender.refresh_from_db()
    assert tender.status == "evaluated", tender.failed_reason
    award_confirm(
        tender=tender,
        actor=world.actor("purchaser"),
        now=tender.opened_at + dt.timedelta(hours=1),
    )
    return tender


@pytest.fixture(scope="module")
def published(tmp_path_factory, django_db_setup, django_db_blocker):
    """``(directory, responses)``: the published data saved as the verifier's directory,
    and every public response the crawler read, by path (for the URL test)."""
    from django.db import transaction
    from django.test import Client

    directory = tmp_path_factory.mktemp("published")
    responses: dict[str, object] = {}
    fast = ["caidan.accounts.hashers.FastArgon2PasswordHasher"]
    bulk = tmp_path_factory.mktemp("ocds-bulk")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, OCDS_BULK_DIR=str(bulk)),
        contextlib.suppress(_Rollback),
        transaction.atomic(),
    ):
        out, err = io.StringIO(), io.StringIO()
        call_command("seed_demo", "--midyear", stdout=out, stderr=err)
        assert "Mid-year processes loaded" in out.getvalue(), out.getvalue() + err.getvalue()
        tender = next_tender_using_the_track_record()
        client = Client()

        def fetch(path: str):
            response = client.get(path)
            if response.status_code == 404:
                responses[path] = None
                return None
            assert response.status_code == 200, (path, response.status_code)
            responses[path] = response.json()
            return responses[path]

        sources.save(sources.crawl(fetch), directory)
        responses["tender"] = tender.pk
        from caidan.disclosure.bulk import build_ocds_bulk

        build_ocds_bulk(bulk)  # the /open/data/ files, as they stand now
        responses["bulk"] = str(bulk)
        raise _Rollback  # the module's data goes; the other tests start from the seed
    return directory, responses


def run(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = cli.main([str(a) for a in args])
    return code, buffer.getvalue()


def tampered(published, tmp_path) -> Path:
    return Path(shutil.copytree(published[0], tmp_path / "copy"))


def edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# --- the demo's published data passes -----------------------------------------------------------


def test_the_demo_published_data_passes_every_check(published):
    directory, responses = published
    code, out = run(directory)
    assert code == 0, out
    assert "OK: all" in out
    data = sources.load(directory)
    tid = responses["tender"]
    # every part had something to check, and printed its steps
    assert sum(1 for d in data.draws.values() if d.get("seed")) >= 2
    assert data.evaluation_inputs[tid]["method"] == "comprehensive"
    assert len(data.evaluation_inputs[tid]["scores"]) == 5
    # the demo publishes a comprehensive-scored award of its own (stage 6), experts' sheets
    # and all, so the verifier checks such a ranking on the plain mid-year demo too
    demo_scored = [
        inp
        for t, inp in data.evaluation_inputs.items()
        if str(t) != str(tid) and inp["method"] == "comprehensive"
    ]
    assert demo_scored and all(len(inp["scores"]) >= 3 for inp in demo_scored)
    assert {e["stage"] for e in data.evaluations.values() if e["status"] == "published"} >= {
        "mid",
        "final",
    }
    opened = [
        i
        for c in data.contracts.values()
        for i in c["instalments"]
        if i["gate"] in ("midterm", "final") and i["gate_open"]
    ]
    assert opened and all(i["gate_evaluation_id"] for i in opened)
    assert data.ocds and any(p.get("releases") for p in data.ocds)
    for needle in (
        "SHA-256(seed) equals the commitment",
        "draw 0 drawn: [",
        "price score: ",
        "award to the best-ranked bidder not passed over",
        "evaluator's score = sum of the leaf indicators",
        "grade: good",
        "OCDS metric grade",
        "(midterm) gate open: True",
        "(final) opened by evaluation",
        "every published final evaluation is on the record",
        "track-record points",
        "阳光家庭综合服务中心 record points",
    ):
        assert needle in out, needle
    assert "no published tender scored a track_record factor" not in out


def test_the_track_record_points_are_the_ones_the_demo_record_gives(published):
    """Hand check: the demo provider's one final evaluation gives max 10 × total ÷ 100; the
    new bidders have no record (0.00)."""
    directory, responses = published
    data = sources.load(directory)
    inp = data.evaluation_inputs[responses["tender"]]
    (record,) = [
        r
        for r in data.track_records.values()
        if r["organization"]["name"] == "阳光家庭综合服务中心"
    ]
    total = Decimal(record["items"][0]["total"])
    expected = (total * 10 / 100).quantize(Decimal("0.01"))
    for sheet in inp["scores"].values():
        assert sheet["阳光家庭综合服务中心"]["record"] == str(expected)
        assert sorted(v["record"] for k, v in sheet.items() if k != "阳光家庭综合服务中心") == [
            "0.00",
            "0.00",
        ]


def test_the_recomputed_ranking_is_caidans_own(published):
    """The standard-library rewrite gives exactly what caidan.procurement.scoring gives."""
    from caidan.procurement.scoring import evaluate, parse_input, result_to_json

    directory, responses = published
    data = sources.load(directory)
    assert data.evaluation_inputs
    for inp in data.evaluation_inputs.values():
        theirs = result_to_json(evaluate(parse_input(inp)))
        mine = arithmetic.rank(inp)
        assert mine["status"] == theirs["status"]
        assert [
            (
                r["bidder"],
                str(r["total"]),
                "" if r["price_score"] is None else str(r["price_score"]),
                r["rank"],
            )
            for r in mine["ranking"]
        ] == [(r["bidder"], r["total"], r["price_score"], r["rank"]) for r in theirs["ranking"]]


# --- one changed number fails, naming the record -----------------------------------------------


def test_one_changed_score_fails_naming_the_tender_and_bidder(published, tmp_path):
    directory = tampered(published, tmp_path)
    tid = published[1]["tender"]
    path = directory / "tenders" / str(tid) / "evaluation.json"
    bidder = {}

    def change(data):
        expert = next(iter(data["scores"]))
        bidder["name"] = name = next(iter(data["scores"][expert]))
        data["scores"][expert][name]["plan"] = str(
            Decimal(data["scores"][expert][name]["plan"]) - 5
        )

    edit(path, change)
    code, out = run(directory)
    assert code == 1, out
    failures = out.split("FAILED:", 1)[1]
    assert f"tender {tid} (" in failures and "ranking" in failures
    assert f"{bidder['name']} total: published" in failures


def test_one_changed_seed_fails_naming_the_tender(published, tmp_path):
    directory = tampered(published, tmp_path)
    tid = published[1]["tender"]

    def change(data):
        seed = data["seed"]
        data["seed"] = seed[:-1] + ("0" if seed[-1] != "0" else "1")

    edit(directory / "tenders" / str(tid) / "draw.json", change)
    code, out = run(directory)
    assert code == 1, out
    failures = out.split("FAILED:", 1)[1]
    assert f"tender {tid} (" in failures
    assert "SHA-256(seed) equals the commitment: published" in failures


def test_one_changed_drawn_expert_fails(published, tmp_path):
    directory = tampered(published, tmp_path)
    tid = published[1]["tender"]

    def change(data):
        drawn = data["draws"][0]["drawn"]
        drawn[0], drawn[1] = drawn[1], drawn[0]

    edit(directory / "tenders" / str(tid) / "draw.json", change)
    code, out = run(directory)
    assert code == 1 and f"tender {tid} (" in out.split("FAILED:", 1)[1], out
    assert "draw 0 drawn: published" in out


def test_one_changed_grade_fails_naming_the_evaluation(published, tmp_path):
    directory = tampered(published, tmp_path)
    data = sources.load(directory)
    eid = next(eid for eid, e in sorted(data.evaluations.items()) if e["status"] == "published")
    grade = data.evaluations[eid]["grade"]
    other = "excellent" if grade != "excellent" else "good"
    edit(directory / "evaluations" / f"{eid}.json", lambda e: e.update(grade=other))
    code, out = run(directory)
    assert code == 1, out
    failures = out.split("FAILED:", 1)[1]
    assert f"evaluation {eid} (" in failures
    assert f"grade: published {other}, recomputed {grade}" in failures


def test_one_changed_indicator_score_fails(published, tmp_path):
    """An indicator's points changed: its own check, its parent's sum and the evaluator's
    total all disagree."""
    directory = tampered(published, tmp_path)
    data = sources.load(directory)
    eid = next(eid for eid, e in sorted(data.evaluations.items()) if e["status"] == "published")

    def change(e):
        leaf = next(i for i in e["indicators"] if i["leaf"] and not i["formula"])
        leaf["evaluator_score"] = str(Decimal(leaf["evaluator_score"]) - Decimal("0.01"))

    edit(directory / "evaluations" / f"{eid}.json", change)
    code, out = run(directory)
    assert code == 1, out
    assert f"evaluation {eid} (" in out.split("FAILED:", 1)[1]


def test_a_gate_opened_without_a_passed_evaluation_fails(published, tmp_path):
    """The grade that opened a gate turned to 差 (total and grade both, so the evaluation
    itself agrees): the open gate no longer has a passed evaluation behind it."""
    directory = tampered(published, tmp_path)
    data = sources.load(directory)
    cid, eid = next(
        (cid, i["gate_evaluation_id"])
        for cid, c in sorted(data.contracts.items())
        for i in c["instalments"]
        if i["gate"] == "midterm" and i["gate_open"]
    )

    def poor(e):
        for s in e["subjects"]:
            if s["score"] is not None:
                s["score"] = "50.00"
        e.update(total="50.00", grade="poor", passed=False)

    edit(directory / "evaluations" / f"{eid}.json", poor)
    code, out = run(directory)
    assert code == 1, out
    assert f"contract {cid} (" in out.split("FAILED:", 1)[1]
    assert "(midterm) gate open: published True, recomputed False" in out


def test_a_changed_track_record_fails_naming_the_organization(published, tmp_path):
    directory = tampered(published, tmp_path)
    path = next(
        p
        for p in sorted((directory / "track-records").glob("*.json"))
        if json.loads(p.read_text())["items"]
    )

    def change(record):
        record["items"][0]["total"] = str(Decimal(record["items"][0]["total"]) + 1)

    edit(path, change)
    code, out = run(directory)
    assert code == 1, out
    assert f"track record of organization {path.stem} (" in out.split("FAILED:", 1)[1]


@pytest.mark.parametrize("bulk_file", ["records.jsonl.gz", "releases.json"])
def test_the_open_data_bulk_files_serve_as_the_ocds_part(published, tmp_path, bulk_file):
    """The OCDS part may come from /open/data/'s bulk files instead of the API's pages; a
    grade changed there (the evaluation's metric) fails naming the evaluation."""
    directory = tampered(published, tmp_path)
    for page in (directory / "ocds").glob("*.json"):
        page.unlink()
    shutil.copy(Path(published[1]["bulk"]) / bulk_file, directory / "ocds" / bulk_file)
    code, out = run(directory)
    assert code == 0, out
    assert "ok    OCDS metric grade: 良" in out
    assert "ok    OCDS award supplier" in out
    if bulk_file == "releases.json":
        path = directory / "ocds" / bulk_file
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"measure":"良"', '"measure":"优"', 1), encoding="utf-8")
        code, out = run(directory)
        assert code == 1, out
        assert "OCDS metric grade: published 优, 良, recomputed 良" in out


def test_a_value_that_is_not_a_number_fails_naming_where(published, tmp_path):
    """Garbage in a published file is a named failure, not a traceback; the other parts
    still run."""
    directory = tampered(published, tmp_path)
    data = sources.load(directory)
    eid = next(eid for eid, e in sorted(data.evaluations.items()) if e["status"] == "published")
    edit(directory / "evaluations" / f"{eid}.json", lambda e: e.update(total="八十"))
    code, out = run(directory)
    assert code == 1, out
    failures = out.split("FAILED:", 1)[1]
    assert f"evaluation {eid} (" in failures
    assert "the published data cannot be read: ValueError: not a number: '八十'" in failures
    assert "== 5. Track records" in out and "Traceback" not in out


def test_unreadable_or_empty_input_exits_2(tmp_path):
    assert run(tmp_path / "missing")[0] == 2
    (tmp_path / "tenders").mkdir()
    (tmp_path / "tenders" / "1.json").write_text("{not json", encoding="utf-8")
    code, out = run(tmp_path)
    assert code == 2 and "1.json" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out = run(empty)
    assert code == 2 and "nothing to check" in out


# --- the arithmetic at its boundaries -----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("90.00", "excellent"),
        ("89.99", "good"),
        ("80.00", "good"),
        ("79.99", "fair"),
        ("60.00", "fair"),
        ("59.99", "poor"),
    ],  # fmt: skip
)
def test_grades_at_their_boundaries(total, grade):
    from caidan.evaluations.formulas import grade_for

    assert arithmetic.grade_for(Decimal(total)) == grade == grade_for(Decimal(total))


def test_rounding_and_points_match_caidan():
    from caidan.evaluations import formulas
    from caidan.procurement.scoring import round_half_up

    for value in ("88.325", "88.324999", "-1.005", "0.005"):
        assert arithmetic.round_half_up(Decimal(value), 2) == round_half_up(Decimal(value), 2)
    for rate in ("1.2000", "1.0000", "0.9583", "0.0000", "-0.1000"):
        assert arithmetic.indicator_points(Decimal(rate), Decimal(15)) == formulas.indicator_score(
            Decimal(rate), Decimal(15)
        )
    scores = {"purchaser": Decimal("90.00"), "recipients": None, "evaluator": Decimal("86.10")}
    weights = {"purchaser": 30, "recipients": 30, "evaluator": 40}
    assert arithmetic.weighted_total(scores, weights) == formulas.weighted_total(scores, weights)
    assert arithmetic.weighted_total(scores, weights) == Decimal("87.77")  # (2700 + 3444) ÷ 70


def test_bidders_with_the_same_name_are_told_apart_by_price():
    """Caidan names clashing bidders 「名称（信用代码）」 in the evaluation input while the
    award notice shows the name: the verifier pairs them by price, and a shared first rank
    lets the award go to either."""
    from caidan_verify import checks

    data = {"bids": [{"bidder": "同名社（A1）", "price": "800000.00"},
                     {"bidder": "同名社（B2）", "price": "900000.00"},
                     {"bidder": "别家", "price": "950000.00"}]}  # fmt: skip
    rows = [
        {"organization_id": 7, "organization_name": "同名社", "price": "900000.00"},
        {"organization_id": 6, "organization_name": "同名社", "price": "800000.00"},
        {"organization_id": 8, "organization_name": "别家", "price": "950000.00"},
    ]
    paired = checks._bidder_rows(data, rows)
    assert {k: v["organization_id"] for k, v in paired.items()} == {
        "同名社（A1）": 6,
        "同名社（B2）": 7,
        "别家": 8,
    }
    ranking = [{"bidder": "同名社（B2）", "rank": 1}, {"bidder": "别家", "rank": 1},
               {"bidder": "同名社（A1）", "rank": 3}]  # fmt: skip
    for awarded, failures in (("别家", 0), ("同名社", 0), ("同名社（A1）", 1)):
        report = checks.Report(out=lambda text: None)
        notice = {"award": {"id": 1, "organization_name": awarded}, "ended_awards": []}
        checks._check_award(
            sources.Published(), report, 1, {"award_notice": notice},
            {"status": "ok", "ranking": ranking}, paired, "tender 1",
        )  # fmt: skip
        assert len(report.failures) == failures, (awarded, report.failures)


def test_the_draw_order_is_caidans_own():
    from caidan.procurement.draw_check import derived_seed, draw_order

    for algorithm in ("sm3-rank-v1", "sha256-rank-v1"):
        for n in range(3):
            seed = derived_seed("ab" * 32, n)
            assert arithmetic.derived_seed("ab" * 32, n) == seed
            candidates = list(range(1, 40, 3))
            assert arithmetic.draw_order(seed, candidates, algorithm) == draw_order(
                seed, candidates, algorithm=algorithm
            )


# --- standard library only, installable, and by URL --------------------------------------------


def test_it_runs_on_the_standard_library_alone(published):
    """``python -I -S``: no site-packages (so no Django, no Caidan), no PYTHONPATH, no user
    directory; only the verifier's folder on the path. Every module it loaded is the
    standard library's or its own."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from caidan_verify import cli; code = cli.main([sys.argv[2], '--quiet']);"
        "foreign = sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names)"
        " - {'caidan_verify', '__main__'});"
        "print('FOREIGN', foreign); sys.exit(code)"
    )
    env = {"PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(VERIFIER), str(published[0])],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FOREIGN []" in done.stdout
    assert "OK: all" in done.stdout


def test_pip_installs_it_from_its_folder_with_a_console_script(tmp_path, published):
    """``pip install ./verifier`` as a reader would run it (pip builds it in isolation, with
    the setuptools its pyproject.toml asks for), into a folder of its own; the installed
    ``caidan-verify`` script checks the data."""
    target = tmp_path / "site"
    build = tmp_path / "src"
    shutil.copytree(VERIFIER, build)  # the build writes into its source tree
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(build),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    script = target / "bin" / "caidan-verify"
    assert script.is_file()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(target)}
    ran = subprocess.run(
        [sys.executable, str(script), str(published[0]), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "OK: all" in ran.stdout


def test_it_downloads_a_site_by_url_and_saves_what_it_checked(published, tmp_path):
    """A local HTTP server answers every public path the crawler read (404 for the rest):
    the verifier fetches them with urllib, passes, and saves a directory that passes too."""
    responses = published[1]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = responses.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # the OCDS "next" links name the test server's host; the crawler keeps only the path
        code, out = run(
            f"http://127.0.0.1:{server.server_address[1]}", "--save", tmp_path / "saved"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, out
    assert "OK: all" in out
    assert run(tmp_path / "saved")[0] == 0
    assert sorted(p.name for p in (tmp_path / "saved" / "evaluations").iterdir()) == sorted(
        p.name for p in (published[0] / "evaluations").iterdir()
    )
