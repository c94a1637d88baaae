"""Read replicas (caidan/common/dbrouter.py): anonymous public reads go to a replica; writes,
reads inside a write, reads after a write, signed-in people and API tokens stay on the primary.

The tests run with two aliases: ``default`` and ``replica_1``, which settings point at the same
test database (``TEST: {"MIRROR": "default"}``), so what the primary holds the replica serves;
which connection ran each query is captured per alias. The router and the middleware are
switched on per test, as ``DATABASE_REPLICA_URLS`` switches them on in production. The tests
that go through the middleware are transactional: the replica is another connection and sees
only committed rows.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from caidan.accounts.models import Membership, ThrottleHit, Unit, User
from caidan.common.dbrouter import (
    STICKY_COOKIE,
    ReplicaRouter,
    replica_eligible,
    use_primary,
    use_replica,
)
from caidan.common.search import PROBE_PLANNER_SQL
from caidan.disclosure.models import Notice
from tests.disclosure.helpers import make_notice
from tests.settings_env import production_env, settings_value

ROUTER = "caidan.common.dbrouter.ReplicaRouter"
MIDDLEWARE = "caidan.common.dbrouter.ReplicaMiddleware"
BOTH = ["default", "replica_1"]


@pytest.fixture
def replicas(settings):
    """The router and the middleware on, where settings.py puts them with replicas set."""
    settings.DATABASE_ROUTERS = [ROUTER]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, MIDDLEWARE
    )
    settings.MIDDLEWARE = middleware


@contextmanager
def captured():
    """(primary, replica): the queries each connection ran in the block."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica_1"]) as replica,
    ):
        yield primary, replica


def selects(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")]


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# --- through the middleware: committed data, the replica's own connection ----------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_anonymous_public_reads_come_from_the_replica(world, client, replicas):
    make_notice(world, "published", title="由只读副本提供的公告")
    for path in ("/open/notices/", "/api/v1/notices", "/open/data/catalog.csv"):
        with captured() as (primary, replica):
            response = client.get(path)
            body = b"".join(response) if response.streaming else response.content
        assert response.status_code == 200, path
        assert selects(replica), f"{path}: nothing read from the replica"
        assert primary.captured_queries == [], f"{path}: {primary.captured_queries}"
        assert STICKY_COOKIE not in response.cookies
        if path.startswith("/api/"):
            assert "由只读副本提供的公告" in [n["title"] for n in response.json()["items"]]
        elif "notices" in path:
            assert "由只读副本提供的公告" in body.decode()
        else:  # streamed after the view returned: still from the replica
            assert len(body.decode().splitlines()) > 1


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_portal_search_asks_the_replica_for_its_estimates_and_probes(world, client, replicas):
    """The search's planner estimate (EXPLAIN) and its probe of a rare word's keys (in a
    transaction that tells the planner not to scan tables) run where the list is read: on
    the replica, not on the primary."""
    make_notice(world, "published", title="只读副本上的稀见公告")
    with captured() as (primary, replica):
        response = client.get("/open/search/", {"q": "稀见"})
    assert response.status_code == 200
    assert "只读副本上的稀见公告" in response.content.decode()
    assert primary.captured_queries == [], primary.captured_queries
    if connections["replica_1"].vendor == "postgresql":
        replica_sql = [q["sql"] for q in replica.captured_queries]
        assert any(sql.startswith("EXPLAIN") for sql in replica_sql)
        assert replica_sql.count(PROBE_PLANNER_SQL) == 1


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_writes_signed_in_people_and_tokens_stay_on_the_primary(
    world, client, login, token_for, replicas
):
    make_notice(world, "published", title="主库公告")
    # An anonymous request that writes (a failed login is recorded) runs on the primary only,
    # and pins that visitor to the primary for the next requests.
    with captured() as (primary, replica):
        response = client.post("/login/", {"username": "admin", "password": "not-the-password"})
    assert response.status_code == 401
    assert writes(primary) and replica.captured_queries == []
    cookie = response.cookies[STICKY_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    with captured() as (primary, replica):
        assert "主库公告" in client.get("/open/notices/").content.decode()
    assert selects(primary) and replica.captured_queries == []
    client.cookies.pop(STICKY_COOKIE)
    with captured() as (primary, replica):
        client.get("/open/notices/")
    assert selects(replica) and primary.captured_queries == []  # the pin has been lifted

    # A token or a session: the primary, even for a public list.
    headers = token_for("purchaser")
    with captured() as (primary, replica):
        assert client.get("/api/v1/notices", **headers).status_code == 200
    assert selects(primary) and replica.captured_queries == []
    login("admin")
    with captured() as (primary, replica):
        assert "主库公告" in client.get("/open/notices/").content.decode()
    assert selects(primary) and replica.captured_queries == []


# --- the router's rules, in a replica context ---------------------------------------------------


@pytest.mark.django_db(databases=BOTH)
def test_reads_inside_or_after_a_write_come_from_the_primary(world, replicas):
    with use_replica() as alias:
        assert alias == "replica_1"
        with captured() as (primary, replica):
            Unit.objects.count()
        assert selects(replica) and primary.captured_queries == []

        with captured() as (primary, replica), transaction.atomic():
            Unit.objects.count()
        assert selects(primary) and replica.captured_queries == []

        # A service: its reads and writes on the primary, and so is every read after it.
        with captured() as (primary, replica):
            notice = make_notice(world, "draft", title="写入后读取")
        assert writes(primary) and replica.captured_queries == []
        with captured() as (primary, replica):
            assert Notice.objects.filter(pk=notice.pk).exists()
            Unit.objects.count()
        assert len(selects(primary)) == 2 and replica.captured_queries == []


@pytest.mark.django_db(databases=BOTH)
def test_an_object_read_from_the_replica_is_written_to_the_primary(world, replicas):
    unit = Unit.objects.first()
    with use_replica():
        from_replica = Unit.objects.get(pk=unit.pk)
        assert from_replica._state.db == "replica_1"
        with captured() as (primary, replica):
            from_replica.save(update_fields=["name"])
        assert writes(primary) and replica.captured_queries == []
        assert from_replica._state.db == "default"


@pytest.mark.django_db(databases=BOTH)
def test_sessions_people_tokens_and_throttles_are_read_from_the_primary(world, replicas):
    with use_replica(), captured() as (primary, replica):
        User.objects.count()
        Session.objects.count()
        ThrottleHit.objects.count()
        Membership.objects.count()
        Unit.objects.count()
    assert len(selects(primary)) == 4
    assert len(selects(replica)) == 1 and "accounts_unit" in selects(replica)[0]


@pytest.mark.django_db(databases=BOTH)
def test_outside_a_replica_context_and_under_use_primary_reads_use_the_primary(world, replicas):
    with captured() as (primary, replica):
        Unit.objects.count()
        with use_replica(), use_primary():
            Unit.objects.count()
    assert len(selects(primary)) == 2 and replica.captured_queries == []


def test_migrations_run_on_the_primary_and_relations_span_the_pool(settings):
    settings.DATABASE_ROUTERS = [ROUTER]
    router = ReplicaRouter()
    assert router.allow_migrate("replica_1", "orgs") is False
    assert router.allow_migrate("default", "orgs") is None  # Django's default: migrate
    a, b = Unit(), Unit()
    a._state.db, b._state.db = "default", "replica_1"
    assert router.allow_relation(a, b) is True
    assert router.db_for_write(Unit) == "default"


# --- which requests may use a replica -----------------------------------------------------------

PUBLIC = [
    "/open/",
    "/open/search/",
    "/open/notices/",
    "/open/notices/7/",
    "/open/data/organizations.csv",
    "/open/data/ocds/releases.json",
    "/orgs/directory/",
    "/procurement/",
    "/procurement/tenders/3/",
    "/stats/",
    "/evaluations/s/abc-123/results/",
    "/api/v1/orgs",
    "/api/v1/orgs/directory",
    "/api/v1/procurement/tenders",
    "/api/v1/projects/plan/totals",
    "/api/v1/ocds/releases",
    "/api/v1/notices/7",
]
NOT_PUBLIC = [
    "/login/",
    "/dashboard/",
    "/open/notices/manage/",
    "/open/notices/7/edit/",
    "/orgs/mine/",
    "/orgs/7/manage/",
    "/catalog/manage/",
    "/procurement/bids/",
    "/procurement/tenders/3/bid/",
    "/evaluations/s/abc-123/",  # the survey form: a token is used there
    "/needs/mine/",
    "/api/v1/orgs/mine",
    "/api/v1/me",
    "/api/v1/procurement/my/bids",
    "/api/v1/enquiries",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_anonymous_safe_requests_to_public_paths_may_use_a_replica(path, settings):
    rf = RequestFactory()
    assert replica_eligible(rf.get(path))
    assert replica_eligible(rf.head(path))
    assert not replica_eligible(rf.post(path))
    with_session = rf.get(path)
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    assert not replica_eligible(with_session)
    pinned = rf.get(path)
    pinned.COOKIES[STICKY_COOKIE] = "1"
    assert not replica_eligible(pinned)
    assert not replica_eligible(rf.get(path, HTTP_AUTHORIZATION="Bearer cd_x"))


@pytest.mark.parametrize("path", NOT_PUBLIC)
def test_other_paths_never_use_a_replica(path):
    assert not replica_eligible(RequestFactory().get(path))


# --- settings ------------------------------------------------------------------------------------


def test_replicas_come_from_the_environment_and_keep_the_production_checks():
    expr = f"list(s.DATABASES), s.DATABASE_ROUTERS, s.MIDDLEWARE.count({MIDDLEWARE!r})"
    pg = "postgres://caidan@db-primary:5432/caidan"
    without = settings_value(
        f"({expr})", production_env(DATABASE_URL=pg, DATABASE_REPLICA_URLS=None)
    )
    assert without.returncode == 0, without.stderr
    assert without.stdout.strip() == "(['default'], [], 0)"

    urls = "postgres://caidan@db-replica-1:5432/caidan, postgres://caidan@db-replica-2:5432/caidan"
    env = production_env(DATABASE_URL=pg, DATABASE_REPLICA_URLS=urls)
    result = settings_value(f"({expr}, s.DATABASES['replica_2']['HOST'])", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"(['default', 'replica_1', 'replica_2'], ['{ROUTER}'], 1, 'db-replica-2')"
    )

    weak = settings_value(f"({expr})", {**env, "SECRET_KEY": "short"})
    assert weak.returncode != 0 and "SECRET_KEY" in weak.stderr

    sqlite = settings_value(
        f"({expr})", production_env(DATABASE_REPLICA_URLS="sqlite:///replica.db")
    )
    assert sqlite.returncode != 0 and "DATABASE_REPLICA_URLS" in sqlite.stderr
