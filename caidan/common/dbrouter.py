"""Read replicas: anonymous reads of public pages go to a replica, everything else to the primary.

``DATABASE_REPLICA_URLS`` (comma-separated) becomes the aliases ``replica_1``, ``replica_2``, …
(``caidan/settings.py``), which installs ``ReplicaRouter`` and ``ReplicaMiddleware`` only when
at least one is set: without replicas nothing changes.

A read goes to a replica only inside a *replica context*, and only when nothing in that context
needs the primary. A context is opened

* by ``ReplicaMiddleware`` for an anonymous ``GET``/``HEAD`` (no session cookie, no
  ``Authorization`` header, no sticky cookie) to a public read-only path
  (``PUBLIC_READ_PATHS``: the portal, public lists and search, statistics, OCDS, downloads);
* by code that opts in with ``with use_replica():`` (or ``@use_replica()``), e.g. an export.

Inside one, a read still goes to the primary when

* it runs inside ``transaction.atomic`` on the primary (every service: what a write reads,
  it reads from the primary);
* anything in the context has written (sticky primary: a read after a write sees it);
* its model is one whose staleness would matter (``PRIMARY_ONLY_APPS`` and
  ``PRIMARY_ONLY_MODELS``: sessions, users, memberships, API tokens, throttle counts and
  login failures).

Writes always go to the primary, also for an object that was read from a replica. A request
that wrote answers with a short-lived cookie (``REPLICA_STICKY_SECONDS``) that keeps that
visitor's next requests on the primary, so the page a form redirects to shows what was just
submitted although the replicas may lag behind. Signed-in people and API clients with a token
always read from the primary: what they see reflects their own changes and their current
permissions. Migrations run on the primary only; replicas get the schema by replication.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import FileResponse

REPLICA_PREFIX = "replica_"
STICKY_COOKIE = "caidan_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Models read from the primary even in a replica context: what they hold decides who someone
# is and what they may do (a session, a revoked token or a changed role must count at once),
# or counts attempts (a lagging count would let more through). Units are public: replicas.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "admin"})
PRIMARY_ONLY_MODELS = frozenset(
    {
        "accounts.user",
        "accounts.membership",
        "accounts.apitoken",
        "accounts.loginfailure",
        "accounts.throttlehit",
    }
)

# The public read-only pages and API lists an anonymous visitor may be served from a replica.
# Management pages under the same prefixes are left out (they need a login anyway).
PUBLIC_READ_PATHS = re.compile(
    r"^/(?:"
    r"open/(?:$|search/|notices/(?:$|\d+/$)|data/|audit-anchors/)"
    r"|orgs/(?:$|directory/|\d+/$)"
    r"|catalog/(?!manage/)"
    r"|needs/(?:$|menus/$)"
    r"|projects/(?:$|proposals/(?:$|\d+/$))"
    r"|procurement/(?:$|tenders/\d+/(?:$|notice/$))"
    r"|contracts/$"
    r"|evaluations/(?:$|\d+/$|s/[\w-]+/results/$|track-record/\d+/$)"
    r"|enquiries/(?:public/|statistics/$)"
    r"|complaints/public/$"
    r"|stats/(?:$|export\.xlsx$)"
    r"|api/v1/(?:"
    r"orgs(?:/directory|/\d+)?$|catalog/|needs/menus$|projects/(?:plan|plan/totals|proposals)$"
    r"|procurement/tenders(?:/\d+)?$|contracts$|evaluations$|evaluations/surveys/[\w-]+/results$"
    r"|ocds/|notices(?:/\d+)?$|enquiries/(?:public|statistics)$|complaints/public$"
    r"|audit/anchors$)"
    r")"
)


@dataclass
class _Context:
    replica: str | None  # the replica this context reads from; None: the primary
    wrote: bool = False  # something in this context wrote: read from the primary from now on


_context: ContextVar[_Context | None] = ContextVar("caidan_replica_context", default=None)


def replica_aliases() -> tuple[str, ...]:
    """The configured replicas' aliases (``replica_1``, …), in order."""
    return tuple(alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX))


def _in_primary_transaction() -> bool:
    """Inside ``transaction.atomic`` on the primary. The atomic blocks a test case wraps each
    test in are not the application's (Django marks them ``_from_testcase``)."""
    conn = connections[DEFAULT_DB_ALIAS]
    return conn.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks
    )


@contextmanager
def use_replica() -> Iterator[str | None]:
    """Reads in this block may come from a replica (the rules above still apply); yields the
    alias chosen, or None when there is no replica or the enclosing context has written."""
    outer = _context.get()
    replicas = replica_aliases()
    if outer is not None and outer.wrote:
        ctx = _Context(replica=None, wrote=True)
    elif outer is not None and outer.replica:
        ctx = _Context(replica=outer.replica)
    else:
        ctx = _Context(replica=random.choice(replicas) if replicas else None)  # noqa: S311
    token = _context.set(ctx)
    try:
        yield ctx.replica
    finally:
        _context.reset(token)
        if ctx.wrote and outer is not None:
            outer.wrote = True


@contextmanager
def use_primary() -> Iterator[None]:
    """Every read in this block comes from the primary, whatever the enclosing context."""
    outer = _context.get()
    ctx = _Context(replica=None)
    token = _context.set(ctx)
    try:
        yield
    finally:
        _context.reset(token)
        if ctx.wrote and outer is not None:
            outer.wrote = True


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: see the module's docstring for the rules."""

    def db_for_read(self, model, **hints):
        if not replica_aliases():
            return None
        ctx = _context.get()
        if (
            ctx is None
            or ctx.replica is None
            or ctx.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or model._meta.label_lower in PRIMARY_ONLY_MODELS
            or _in_primary_transaction()
        ):
            # Explicitly the primary: left to Django, a related object of an instance read
            # from a replica would be read from that instance's database.
            return DEFAULT_DB_ALIAS
        return ctx.replica

    def db_for_write(self, model, **hints):
        ctx = _context.get()
        if ctx is not None:
            ctx.wrote = True
        # Explicitly the primary: left to Django, saving an instance read from a replica
        # would write to the replica.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        pool = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db.startswith(REPLICA_PREFIX):
            return False
        return None


def replica_eligible(request) -> bool:
    """An anonymous, safe request to a public read-only path, not pinned to the primary."""
    return (
        request.method in SAFE_METHODS
        and PUBLIC_READ_PATHS.match(request.path_info) is not None
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and STICKY_COOKIE not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _within(ctx: _Context, chunks) -> Iterator:
    iterator = iter(chunks)
    while True:
        token = _context.set(ctx)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _context.reset(token)
        yield chunk


class ReplicaMiddleware:
    """Opens a replica context for eligible requests and a primary one for the others; a
    response to a request that wrote sets the sticky cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        block = use_replica() if replica_eligible(request) else use_primary()
        ctx = None
        with block:
            ctx = _context.get()
            response = self.get_response(request)
        if (
            ctx is not None
            and response.streaming
            and not isinstance(response, FileResponse)
            and not getattr(response, "is_async", False)
        ):
            # A streamed body (a CSV download) is read after this returns: in the same context.
            response.streaming_content = _within(ctx, response.streaming_content)
        if ctx is not None and ctx.wrote:
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
