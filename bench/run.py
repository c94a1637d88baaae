"""The benchmark, in one command (see bench/README.md and docs/performance.md):

    .venv/bin/python bench/run.py --scale 100k        # 10k: a quick smoke run; 1m: national

It creates a fresh PostgreSQL database (``--db``, dropped first), migrates, loads the demo
(``seed_demo --midyear``) and bulk-loads the scale (bench/seed.py); ``--reuse`` keeps a
database already loaded at that scale. Then it serves the app with gunicorn (DEBUG off,
``--workers`` 2), drives every public list, search, API list and the survey pages with a
loopback load tool (bench/load.py), exports OCDS under a memory probe, publishes an
evaluation over a 100 k-answer survey (rolled back) and fires 1,000 bids in a tender's last
minute. It prints p50/p95/p99, req/s, the ratio to a bare-Django floor view measured in the
same run, peak memory, each target and PASS/FAIL, and writes bench/results/<scale>-<time>.json.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import psycopg  # noqa: E402

from bench import load  # noqa: E402

PYTHON = sys.executable
SECONDS = {"10k": 2.0, "100k": 4.0, "1m": 6.0}
STATEMENT_TIMEOUT_MS = 30_000


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- the database -------------------------------------------------------------------------------


def admin_url(args) -> str:
    return f"postgresql://{args.pg_user}@{args.pg_host}:{args.pg_port}/postgres"


def db_url(args) -> str:
    return f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.db}"


def marker(args) -> dict | None:
    """The load recorded in the database (scale, counts), or None."""
    try:
        with psycopg.connect(db_url(args).replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute(
                "SELECT info FROM bench_marker ORDER BY loaded_at DESC LIMIT 1"
            ).fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def recreate(args) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db) or args.db in ("postgres", "template1"):
        raise SystemExit(f"refusing database name {args.db!r}")
    with psycopg.connect(admin_url(args), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')


def seed_database(args, scale) -> dict:
    from django.core.management import call_command, get_commands
    from django.db import connection

    from bench import seed

    t = time.monotonic()
    say("migrate")
    call_command("migrate", verbosity=0, interactive=False)
    say("seed_demo --midyear")
    call_command("seed_demo", midyear=True, verbosity=0)
    say(f"bulk load, scale {scale.name}")
    loaded = seed.load(scale)
    # The rebuilds read the loaded tables: without statistics the planner takes them for
    # empty (a 1M totals_rebuild ran nested loops for over 17 minutes)
    say("ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rebuilt = []
    for name in sorted(get_commands()):
        if name.endswith("_rebuild"):
            say(f"manage.py {name}")
            call_command(name)
            rebuilt.append(name)
    say("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    info = {
        "scale": scale.name,
        "counts": loaded.counts,
        **loaded.info,
        "rebuilt": rebuilt,
        "seconds": round(time.monotonic() - t),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_marker (loaded_at timestamptz DEFAULT now(), "
            "info jsonb)"
        )
        cursor.execute("INSERT INTO bench_marker (info) VALUES (%s)", [json.dumps(info)])
    say(f"loaded in {info['seconds']} s: {loaded.counts}")
    return info


def migrate_reused() -> None:
    """Apply migrations newer than a reused load (their new columns hold defaults, not what
    the load would give them: load afresh for exact numbers)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        say(f"warning: {len(pending)} migrations newer than the load; applying them")
        call_command("migrate", verbosity=0, interactive=False)


# --- what the load needs ------------------------------------------------------------------------


def cursor_for(value: int) -> str:
    """A keyset cursor after ``value`` (caidan.common.pagination's format)."""
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode().rstrip("=")


def deep_id(qs, offset: int) -> int | None:
    """The id at ``offset`` rows into ``qs`` (ordered as its list orders it)."""
    return qs.values_list("id", flat=True)[offset : offset + 1].first()


def actor(username: str):
    from caidan.accounts.models import Membership, User
    from caidan.common.actor import Actor

    user = User.objects.get(username=username)
    membership = (
        Membership.objects.select_related("unit", "organization")
        .filter(user=user, is_active=True)
        .order_by("id")
        .first()
    )
    return Actor(user=user, membership=membership)


def session_for(username: str) -> str:
    """A signed-in session for a demo user (the cookie the browser would hold)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from caidan.accounts.middleware import SESSION_KEY

    a = actor(username)
    store = SessionStore()
    store[USER_KEY] = str(a.user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = a.user.get_session_auth_hash()
    store[SESSION_KEY] = a.membership.pk if a.membership else None
    store.create()
    return store.session_key


def api_token(username: str) -> str:
    from caidan.accounts.services import api_token_create

    _, raw = api_token_create(actor=actor(username), name=f"bench {time.time():.0f}")
    return raw


def prepare_publish(info: dict) -> dict:
    """Score the demo's open mid-term evaluation (its contract holds the first 100 k-answer
    survey) so that publishing it can be timed."""
    from decimal import Decimal

    from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput
    from caidan.evaluations.models import Evaluation
    from caidan.evaluations.services import evaluation_purchaser_score, evaluation_score
    from caidan.evaluations.services.frameworks import leaves

    e = (
        Evaluation.objects.filter(contract_id=info.get("demo_contract"), status="open")
        .order_by("id")
        .first()
    )
    if e is None:
        return {"error": "no open evaluation on the demo contract"}
    leaves_ = leaves(e.contract.framework.indicators)
    if not all(i["code"] in e.scores for i in leaves_):
        scores = {
            i["code"]: {
                "score": str((Decimal(i["weight"]) * Decimal("0.9")).quantize(Decimal("0.01"))),
                "evidence": "查阅台账、走访服务对象",
            }
            for i in leaves_
        }
        evaluation_score(
            evaluation=e,
            actor=actor("evaluator"),
            data=ScoresInput.parse(scores=scores, summary="服务按合同开展。"),
        )
        evaluation_purchaser_score(
            evaluation=e, actor=actor("purchaser"), data=PurchaserScoreInput.parse(score="90")
        )
    return {"evaluation_id": e.pk}


class Rollback(Exception):
    pass


def time_publish(evaluation_id: int, reps: int) -> load.Result:
    """``evaluation_publish`` in process, each time rolled back (the evaluation stays open)."""
    from django.db import transaction

    from caidan.evaluations.models import Evaluation
    from caidan.evaluations.services import evaluation_publish

    result = load.Result("evaluation publish, 100 k answers (in process, rolled back)")
    who = actor("evaluator")
    t0 = time.monotonic()
    for n in range(reps + 1):  # the first, warming the caches, is not counted
        e = Evaluation.objects.get(pk=evaluation_id)
        try:
            with transaction.atomic():
                t = time.perf_counter()
                evaluation_publish(evaluation=e, actor=who)
                if n:
                    result.latencies.append(time.perf_counter() - t)
                raise Rollback
        except Rollback:
            pass
        except Exception as exc:  # noqa: BLE001 - reported in the table
            result.errors[f"{type(exc).__name__}: {exc}"[:120]] = 1
            break
    result.elapsed = time.monotonic() - t0
    return result


# --- the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self, port: int, workers: int):
        self.port = port
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
            "PYTHONPATH": str(ROOT),
        }
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.proc = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [
                gunicorn,
                "caidan.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--backlog",
                "2048",
                "--chdir",
                str(ROOT),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(ROOT / "bench" / "results" / "gunicorn.log", "w"),  # noqa: SIM115
        )
        self.peak_worker = 0
        self._stop = threading.Event()
        for _ in range(100):
            try:
                import http.client

                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/bench/floor/orgs", headers={"Host": "127.0.0.1"})
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit("gunicorn did not start: see bench/results/gunicorn.log")
        threading.Thread(target=self._watch, daemon=True).start()
        # Each worker imports the app and opens its connection on its first requests.
        for path in ("/bench/floor/orgs", "/api/v1/orgs?limit=50", "/orgs/", "/open/"):
            load.drive("warm-up", port, [path], clients=workers * 2, seconds=1.0)

    def _watch(self) -> None:
        parent = psutil.Process(self.proc.pid)
        while not self._stop.is_set():
            try:
                for child in parent.children():
                    self.peak_worker = max(self.peak_worker, child.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.5)

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- OCDS ---------------------------------------------------------------------------------------


def ocds_export() -> dict:
    """``manage.py ocds_export --releases`` under a memory probe (the process and children)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env.pop("BENCH_STATEMENT_TIMEOUT_MS", None)
    with tempfile.TemporaryDirectory(prefix="caidan-bench-ocds-") as tmp:
        path = Path(tmp) / "releases.json"
        t = time.monotonic()
        proc = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [PYTHON, str(ROOT / "manage.py"), "ocds_export", "--releases", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak = 0
        p = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)
        out, err = proc.communicate()
        seconds = time.monotonic() - t
        size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    m = re.search(r"(\d+)\s+releases", out)
    releases = int(m.group(1)) if m else None
    own = re.search(r"(\d+)\s+releases/s", out)  # the command's own rate, when it prints one
    return {
        "exit": proc.returncode,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak / 2**20),
        "releases": releases,
        "releases_per_s": int(own.group(1))
        if own
        else (round(releases / seconds) if releases else None),
        "releases_per_s_wall": round(releases / seconds) if releases else None,
        "bytes": size,
        "output": (out + err).strip()[-300:],
    }


# --- the bid burst ------------------------------------------------------------------------------


def burst_setup(info: dict, bidders: int) -> tuple[int, list[str], str]:
    """A published tender of 江苏路街道 and ``bidders`` provider accounts with API tokens,
    each for an organization any tender accepts."""
    import secrets
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from bench import seed
    from caidan.accounts.models import ApiToken, Membership, Unit, User
    from caidan.accounts.services import TOKEN_PREFIX, _hash_key
    from caidan.catalog.models import CatalogItem
    from caidan.common.calendar import WorkingCalendar
    from caidan.procurement.inputs import TenderInput
    from caidan.procurement.models import Tender
    from caidan.procurement.services import tender_create, tender_publish, tender_update
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import (
        agenda_item_decide,
        budget_ceiling_set,
        proposal_create,
        proposal_submit,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
        vote_cast,
    )

    purchaser, admin, committee = actor("purchaser"), actor("admin"), actor("committee")
    unit = Unit.objects.get(code="310105-001")
    year = timezone.localdate().year + 1
    budget = Decimal("1000000.00")
    ceiling = BudgetCeiling.objects.filter(unit=unit, year=year).first()
    budget_ceiling_set(
        unit=unit,
        year=year,
        amount=str((ceiling.amount if ceiling else 0) + budget),
        actor=admin,
    )
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    proposal = proposal_create(
        actor=purchaser,
        unit=unit,
        data=ProposalInput.parse(
            title=f"最后一分钟投标压测项目 {time.strftime('%H%M%S')}",
            catalog_item=item,
            budget=str(budget),
            funding=[{"source": "fiscal", "amount": str(budget)}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "1200", "unit": "人次"}],
        ),
    )
    proposal_submit(proposal=proposal, actor=purchaser)
    session = review_session_create(
        title=f"压测审定会议 {time.time():.0f}",
        unit=Unit.objects.get(code="310105"),
        meeting_at=timezone.now(),
        members=[committee.user],
        actor=admin,
    )
    agenda = review_session_add_proposal(session=session, proposal=proposal, actor=admin)
    review_session_open(session=session, actor=admin)
    vote_cast(item=agenda, choice="yes", actor=committee)
    agenda_item_decide(item=agenda, actor=admin)
    tender = tender_create(
        actor=purchaser,
        data=TenderInput.parse(
            proposal=proposal,
            price_points=30,
            factors=[
                {"id": "plan", "name": "服务方案", "max": 40},
                {"id": "team", "name": "团队与资质", "max": 20},
                {"id": "experience", "name": "同类项目经验", "max": 10},
            ],
            bid_security="0",
        ),
    )
    # Provider accounts, in bulk: no password (they only use their API token).
    base, n = info["org_base"], info["counts"]["organizations"]
    orgs = [base + i for i in range(n) if seed.clean_org(i)][-bidders:]
    stamp = f"{time.time():.0f}"
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-{stamp}-{k}",
                password=make_password(None),
                display_name=f"压测投标人{k}",
            )
            for k in range(len(orgs))
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, role="provider", organization_id=org)
            for u, org in zip(users, orgs, strict=True)
        ]
    )
    raws, rows = [], []
    for u in users:
        prefix = secrets.token_hex(6)
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        raws.append(raw)
        rows.append(ApiToken(user=u, name="bench", prefix=prefix, key_hash=_hash_key(raw)))
    ApiToken.objects.bulk_create(rows)
    # Published as the factories publish (the legal period already run), for a deadline on
    # the next working day; then the deadline is moved to 80 s from now directly, since the
    # rules refuse a deadline on a rest day and the bench may run on one.
    day = timezone.localdate() + dt.timedelta(days=1)
    while not WorkingCalendar().is_working_day(day):
        day += dt.timedelta(days=1)
    legal = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    tender_update(tender=tender, changes={"deadline": legal}, actor=purchaser)
    tender_publish(tender=tender, actor=purchaser, now=legal - dt.timedelta(days=30))
    deadline = timezone.now() + dt.timedelta(seconds=80)
    Tender.objects.filter(pk=tender.pk).update(deadline=deadline)
    return tender.pk, raws, deadline.timestamp()


# --- the plan of requests -----------------------------------------------------------------------


def q(term: str) -> str:
    return quote(term)


def plan(info: dict, *, token: str, session: str) -> list[dict]:
    """(group, name, paths, target, headers) for every measured endpoint."""
    from caidan.orgs.models import Organization
    from caidan.procurement.models import Tender
    from caidan.projects.models import Proposal

    n = info["counts"]["organizations"]
    deep_rows = min(10_000 * 50, int(n * 0.9))  # page 10,000 of 50, or 90 % in
    org_deep = deep_id(Organization.objects.order_by("id"), deep_rows)
    tender_deep = deep_id(
        Tender.objects.public().order_by("-id"), int(info["counts"]["tenders"] * 0.8)
    )
    plan_deep = deep_id(
        Proposal.objects.public().order_by("-id"), int(info["counts"]["approved_proposals"] * 0.8)
    )
    bearer = {"Authorization": f"Bearer {token}"}
    cookie = {"Cookie": f"sessionid={session}"}
    common, rare, org_term = "养老", "助浴", "调解"
    p95 = lambda ms: ("p95_ms", "<=", ms)  # noqa: E731
    rows = [
        # The floor: bare Django, the same fields as the API lists.
        ("floor", "floor: 50 orgs .values()", ["/bench/floor/orgs"], None, None),
        ("floor", "floor: 50 tenders .values()", ["/bench/floor/tenders"], None, None),
        # API lists.
        ("api", "/api/v1/orgs?limit=50", ["/api/v1/orgs?limit=50"], ("ratio", ">=", 0.6), None),
        (
            "api",
            "/api/v1/procurement/tenders?limit=50",
            ["/api/v1/procurement/tenders?limit=50"],
            ("ratio", ">=", 0.6),
            None,
        ),
        ("api", "/api/v1/projects/plan?limit=50", ["/api/v1/projects/plan?limit=50"], None, None),
        ("api", "/api/v1/contracts?limit=50", ["/api/v1/contracts?limit=50"], None, None),
        ("api", "/api/v1/evaluations?limit=50", ["/api/v1/evaluations?limit=50"], None, None),
        (
            "api",
            "/api/v1/orgs/directory?field=elderly",
            ["/api/v1/orgs/directory?field=elderly"],
            None,
            None,
        ),
        ("api", "/api/v1/ocds/releases?limit=20", ["/api/v1/ocds/releases?limit=20"], None, None),
        ("api", "/api/v1/needs/menus", ["/api/v1/needs/menus"], None, None),
        ("api", "/api/v1/projects/plan/totals", ["/api/v1/projects/plan/totals"], p95(20), None),
        (
            "api",
            "/api/v1/orgs?min_grade=4&field=elderly",
            ["/api/v1/orgs?limit=50&min_grade=4&field=elderly"],
            None,
            None,
        ),
        # Deep keyset pages (compared with page 1 of the same list).
        (
            "deep",
            "/api/v1/orgs deep page",
            [f"/api/v1/orgs?limit=50&cursor={cursor_for(org_deep)}"],
            ("deep", "/api/v1/orgs?limit=50"),
            None,
        ),
        (
            "deep",
            "/api/v1/procurement/tenders deep page",
            [f"/api/v1/procurement/tenders?limit=50&cursor={cursor_for(tender_deep)}"],
            ("deep", "/api/v1/procurement/tenders?limit=50"),
            None,
        ),
        (
            "deep",
            "/api/v1/projects/plan deep page",
            [f"/api/v1/projects/plan?limit=50&cursor={cursor_for(plan_deep)}"],
            ("deep", "/api/v1/projects/plan?limit=50"),
            None,
        ),
        # Searches, a common and a rare term.
        (
            "search",
            f"/api/v1/procurement/tenders?search={common}",
            [f"/api/v1/procurement/tenders?search={q(common)}"],
            p95(50),
            None,
        ),
        (
            "search",
            f"/api/v1/procurement/tenders?search={rare}",
            [f"/api/v1/procurement/tenders?search={q(rare)}"],
            p95(50),
            None,
        ),
        (
            "search",
            f"/api/v1/projects/plan?q={common}",
            [f"/api/v1/projects/plan?q={q(common)}"],
            p95(50),
            None,
        ),
        (
            "search",
            f"/api/v1/projects/plan?q={rare}",
            [f"/api/v1/projects/plan?q={q(rare)}"],
            p95(50),
            None,
        ),
        (
            "search",
            f"/api/v1/projects/proposals?q={common} (admin)",
            [f"/api/v1/projects/proposals?q={q(common)}"],
            p95(50),
            bearer,
        ),
        ("search", f"/api/v1/orgs?q={org_term}", [f"/api/v1/orgs?q={q(org_term)}"], p95(20), None),
        ("search", f"/api/v1/orgs?q={common}", [f"/api/v1/orgs?q={q(common)}"], p95(20), None),
        ("search", f"/api/v1/orgs?q={rare}", [f"/api/v1/orgs?q={q(rare)}"], p95(20), None),
        (
            "search",
            f"/api/v1/contracts?search={common}",
            [f"/api/v1/contracts?search={q(common)}"],
            p95(50),
            None,
        ),
        ("search", f"/open/search/?q={common}", [f"/open/search/?q={q(common)}"], p95(100), None),
        (
            "search",
            f"/open/search/?q={org_term}",
            [f"/open/search/?q={q(org_term)}"],
            p95(100),
            None,
        ),
        ("search", f"/open/search/?q={rare}", [f"/open/search/?q={q(rare)}"], p95(100), None),
        ("search", f"/orgs/?q={org_term}", [f"/orgs/?q={q(org_term)}"], p95(100), None),
        ("search", f"/procurement/?q={common}", [f"/procurement/?q={q(common)}"], p95(100), None),
        ("search", f"/projects/?q={common}", [f"/projects/?q={q(common)}"], p95(100), None),
        ("search", f"/contracts/?q={common}", [f"/contracts/?q={q(common)}"], p95(100), None),
        ("search", f"/evaluations/?q={common}", [f"/evaluations/?q={q(common)}"], p95(100), None),
        ("search", f"/open/notices/?q={common}", [f"/open/notices/?q={q(common)}"], p95(100), None),
        ("search", f"/catalog/?q={common}", [f"/catalog/?q={q(common)}"], p95(100), None),
    ]
    # Plain public list pages.
    for path in (
        "/orgs/",
        "/orgs/directory/elderly/",
        "/projects/",
        "/procurement/",
        "/procurement/?status=published",
        "/contracts/",
        "/evaluations/",
        "/open/",
        "/open/notices/",
        "/catalog/",
        "/needs/",
        "/needs/menus/",
        "/enquiries/public/",
        "/complaints/public/",
    ):
        rows.append(("page", path, [path], p95(40), None))
    # Surveys: a contract's surveys (insiders) and a survey's public results.
    small, bigs = info["small_survey"], info["big_surveys"]
    for s in [small, *sorted(bigs, key=lambda s: s["answers"])[:2]]:
        size = f"{s['answers'] // 1000} k" if s["answers"] >= 1000 else str(s["answers"])
        cid = s["contract_id"]
        rows.append(
            (
                "survey",
                f"contract surveys page ({size} answers)",
                [f"/evaluations/contracts/{cid}/"],
                p95(50),
                cookie,
            )
        )
        rows.append(
            (
                "survey",
                f"/api/v1/evaluations/contracts/{{id}}/surveys ({size})",
                [f"/api/v1/evaluations/contracts/{cid}/surveys"],
                p95(50),
                bearer,
            )
        )
        rows.append(
            (
                "survey",
                f"survey results page ({size} answers)",
                [f"/evaluations/s/{s['slug']}/results/"],
                p95(100),
                None,
            )
        )
        rows.append(
            (
                "survey",
                f"/api/v1/evaluations/surveys/{{slug}}/results ({size})",
                [f"/api/v1/evaluations/surveys/{s['slug']}/results"],
                p95(100),
                None,
            )
        )
    return [
        {"group": g, "name": name, "paths": paths, "target": target, "headers": headers}
        for g, name, paths, target, headers in rows
    ]


# --- the report ---------------------------------------------------------------------------------


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def judge(row: dict, by_name: dict) -> None:
    target = row.get("target")
    s = row["summary"]
    row["verdict"] = ""
    if row["summary"]["errors"] and not s["requests"]:
        row["verdict"] = "FAIL" if target else "ERROR"
        row["target_text"] = _target_text(target)
        return
    if not target:
        row["target_text"] = ""
        return
    kind = target[0]
    if kind == "ratio":
        floor = by_name[
            "floor: 50 orgs .values()" if "orgs" in row["name"] else "floor: 50 tenders .values()"
        ]
        ratio = s["rps"] / floor["summary"]["rps"] if floor["summary"]["rps"] else 0
        row["ratio"] = round(ratio, 2)
        ok = ratio >= target[2]
    elif kind == "deep":
        if target[1] not in by_name:  # page 1 was left out (--only)
            row["target_text"] = ""
            return
        first = by_name[target[1]]["summary"]["p50_ms"]
        ratio = s["p50_ms"] / first if first else None
        row["ratio"] = round(ratio, 2) if ratio else None
        # "≈ page 1": within half again, or 5 ms (noise at a few milliseconds)
        ok = ratio is not None and (ratio <= 1.5 or s["p50_ms"] - first <= 5)
    else:
        value = s[target[0]]
        ok = value is not None and value <= target[2]
    row["target_text"] = _target_text(target)
    row["verdict"] = "PASS" if ok and not s["errors"] else "FAIL"


def _target_text(target) -> str:
    if not target:
        return ""
    if target[0] == "ratio":
        return f"≥ {target[2]}× floor"
    if target[0] == "deep":
        return "p50 ≤ 1.5× page 1 (or +5 ms)"
    return f"p95 ≤ {target[2]} ms"


def print_table(rows: list[dict], extra: list[tuple]) -> None:
    head = ("endpoint", "p50 ms", "p95 ms", "p99 ms", "req/s", "ratio", "target", "")
    lines = [head]
    for r in rows:
        s = r["summary"]
        name = r["name"]
        if s["errors"]:
            name += f"  [errors: {', '.join(f'{k}×{v}' for k, v in s['errors'].items() if k != 'first')}]"
        lines.append(
            (
                name,
                fmt(s["p50_ms"]),
                fmt(s["p95_ms"]),
                fmt(s["p99_ms"]),
                fmt(s["rps"]),
                fmt(r.get("ratio"), 2),
                r.get("target_text", ""),
                r.get("verdict", ""),
            )
        )
    for e in extra:
        lines.append(tuple(str(x) for x in e))
    widths = [max(_w(line[i]) for line in lines) for i in range(len(head))]
    for k, line in enumerate(lines):
        print(
            "  ".join(
                (cell + " " * (widths[i] - _w(cell)))
                if i == 0
                else (" " * (widths[i] - _w(cell)) + cell)
                for i, cell in enumerate(line)
            ).rstrip()
        )
        if k == 0:
            print("-" * (sum(widths) + 2 * len(widths)))


def _w(text: str) -> int:
    """Display width (CJK characters take two columns)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    from bench.seed import SCALES

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--db", default="caidan_bench")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded at this scale"
    )
    parser.add_argument("--pg-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", default=os.environ.get("PGPORT", "5432"))
    parser.add_argument("--pg-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, help="per endpoint (default by scale)")
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--only", default="", help="measure only endpoints whose name has this")
    parser.add_argument("--skip", default="", help="comma list of: ocds,burst,publish,load")
    args = parser.parse_args()
    scale = SCALES[args.scale]
    skip = set(filter(None, args.skip.split(",")))
    seconds = args.seconds or SECONDS[scale.name]
    (ROOT / "bench" / "results").mkdir(exist_ok=True)

    os.environ.update(
        DATABASE_URL=db_url(args),
        DJANGO_SETTINGS_MODULE="bench.settings",
        CAIDAN_ALLOW_DEV_SECRET="1",  # noqa: S106 - the development keys, on purpose
        DEBUG="0",
    )
    for name in ("CAIDAN_TESTING", "BENCH_STATEMENT_TIMEOUT_MS"):
        os.environ.pop(name, None)
    started = time.monotonic()
    info = marker(args) if args.reuse else None
    if info and info.get("scale") != scale.name:
        say(f"database {args.db} holds scale {info.get('scale')}: loading {scale.name} afresh")
        info = None
    if info is None:
        say(f"creating database {args.db}")
        recreate(args)
    import django

    django.setup()
    if info is None:
        info = seed_database(args, scale)
    else:
        say(f"reusing {args.db} (scale {scale.name}, {info['counts']})")
        migrate_reused()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    token, session = api_token("admin"), session_for("admin")
    publish_prep = prepare_publish(info)
    requests = plan(info, token=token, session=session)
    if args.only:
        requests = [r for r in requests if args.only in r["name"] or r["group"] == "floor"]
    connection.close()

    rows: list[dict] = []
    extra: list[tuple] = []
    report: dict = {"scale": scale.name, "info": info, "postgres": pg_version}
    say(f"gunicorn, {args.workers} workers, on 127.0.0.1:{args.port}")
    server = Server(args.port, args.workers)
    try:
        if "load" not in skip:
            for r in requests:
                res = load.drive(
                    r["name"],
                    args.port,
                    r["paths"],
                    clients=args.clients,
                    seconds=seconds,
                    headers=r["headers"],
                )
                r["summary"] = res.summary()
                rows.append(r)
                s = r["summary"]
                say(
                    f"{r['name']}: p50 {fmt(s['p50_ms'])} p95 {fmt(s['p95_ms'])} ms, "
                    f"{fmt(s['rps'])}/s{'  errors ' + str(s['errors']) if s['errors'] else ''}"
                )
        if "burst" not in skip:
            say(f"bid burst: {args.bids} bidders, tender closing in 80 s")
            tender_id, tokens, deadline = burst_setup(info, args.bids)
            # 1,000 new memberships of organizations above the statistics' highest id: as
            # autovacuum would within its minute, before the bidders log in (stale, the
            # planner merge-joins a bidder's membership with all 1M organizations: 300 ms)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE accounts_membership, accounts_user, accounts_apitoken")
            connection.close()
            start = time.time() + 10
            res, late = load.burst(
                args.port,
                tender_id,
                tokens,
                start=start,
                end=deadline - 5,
                deadline=deadline,
                price="900000.00",
            )
            from caidan.procurement.models import Bid

            stored = Bid.objects.filter(tender_id=tender_id, status="submitted").count()
            s = res.summary()
            burst = {
                "summary": s,
                "stored": stored,
                "sent_after_deadline": late,
                "sent": len(tokens),
                "window_s": round(deadline - 5 - start),
            }
            report["bid_burst"] = burst
            ok = stored == len(tokens) and not s["errors"]
            extra.append(
                (
                    f"{len(tokens)} bids in the last minute ({stored} stored"
                    + (f", {late} sent late" if late else "")
                    + ")",
                    fmt(s["p50_ms"]),
                    fmt(s["p95_ms"]),
                    fmt(s["p99_ms"]),
                    fmt(s["rps"]),
                    "",
                    f"all {len(tokens)} stored",
                    "PASS" if ok else "FAIL",
                )
            )
            say(
                f"bid burst: {stored}/{len(tokens)} stored, p99 {fmt(s['p99_ms'])} ms {s['errors'] or ''}"
            )
    finally:
        server.stop()
    report["worker_peak_mb"] = round(server.peak_worker / 2**20)
    extra.append(
        (f"gunicorn worker peak RSS: {report['worker_peak_mb']} MB", "", "", "", "", "", "", "")
    )

    if "publish" not in skip and "evaluation_id" in publish_prep:
        res = time_publish(publish_prep["evaluation_id"], reps=10)
        s = res.summary()
        report["publish"] = s
        ok = s["p95_ms"] is not None and s["p95_ms"] <= 50 and not s["errors"]
        extra.append(
            (
                res.name + (f" [{list(s['errors'])[0]}]" if s["errors"] else ""),
                fmt(s["p50_ms"]),
                fmt(s["p95_ms"]),
                fmt(s["p99_ms"]),
                "",
                "",
                "p95 ≤ 50 ms",
                "PASS" if ok else "FAIL",
            )
        )
        say(f"evaluation publish: p50 {fmt(s['p50_ms'])} ms {s['errors'] or ''}")
    elif "publish" not in skip:
        report["publish"] = publish_prep
    connection.close()

    if "ocds" not in skip:
        say("ocds_export --releases")
        o = ocds_export()
        report["ocds"] = o
        ok = o["exit"] == 0 and o["peak_mb"] <= 500 and (o["releases_per_s"] or 0) >= 5000
        extra.append(
            (
                f"ocds_export --releases: {fmt(o['releases'])} releases in {o['seconds']} s, peak {o['peak_mb']} MB",
                "",
                "",
                "",
                f"{fmt(o['releases_per_s'])} rel/s",
                "",
                "≤ 500 MB, ≥ 5,000/s",
                "PASS" if ok else "FAIL",
            )
        )
        say(f"ocds: {o}")

    for r in rows:
        judge(r, {x["name"]: x for x in rows})
    print()
    print(
        f"Caidan bench — scale {scale.name}, PostgreSQL {pg_version}, {args.workers} gunicorn "
        f"workers, {args.clients} clients × {seconds:g} s per endpoint"
    )
    print(f"data: {info['counts']}")
    print()
    print_table(rows, extra)
    report["rows"] = [
        {k: r.get(k) for k in ("group", "name", "summary", "ratio", "target_text", "verdict")}
        for r in rows
    ]
    report["extra"] = extra
    report["seconds"] = round(time.monotonic() - started)
    report["git"] = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout.strip()
    out = ROOT / "bench" / "results" / f"{scale.name}-{dt.datetime.now():%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n")
    fails = sum(1 for r in rows if r.get("verdict") == "FAIL") + sum(
        1 for e in extra if e[-1] == "FAIL"
    )
    print(f"\n{fails} targets not met; results in {out.relative_to(ROOT)} ({report['seconds']} s)")


if __name__ == "__main__":
    main()
