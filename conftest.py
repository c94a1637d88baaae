"""Fixtures shared by every test: one demo jurisdiction, one user per role.

Data is set up through the real services (``caidan.demo.data.seed``), as users would.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import pytest

os.environ.setdefault("CAIDAN_TESTING", "1")
# The tick builds the OCDS bulk files: from test data, never into the developer's var/ocds.
TEST_OCDS_BULK_DIR = tempfile.mkdtemp(prefix="caidan-test-ocds-")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Same algorithm as production (Argon2), minimal cost so the suite stays fast; the OCDS
    bulk files in a temporary directory."""
    settings.PASSWORD_HASHERS = ["caidan.accounts.hashers.FastArgon2PasswordHasher"]
    settings.OCDS_BULK_DIR = TEST_OCDS_BULK_DIR
    from caidan.common.search import forget_estimates

    forget_estimates()  # the planner's estimates kept by searched() belong to one test's data


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Chinese): a request in English activates
    English for the thread (LocaleMiddleware) and it would stay active for the next test's
    service calls, whose messages are translatable."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@dataclass
class World:
    def user(self, username: str):
        from caidan.accounts.models import User

        return User.objects.get(username=username)

    def membership(self, username: str, role: str | None = None):
        from caidan.accounts.models import Membership

        qs = Membership.objects.select_related("unit", "organization").filter(
            user__username=username, is_active=True
        )
        if role:
            qs = qs.filter(role=role)
        return qs.order_by("id").first()

    def actor(self, username: str, role: str | None = None):
        from caidan.accounts.actor import Actor

        return Actor(user=self.user(username), membership=self.membership(username, role))

    def unit(self, code: str):
        from caidan.accounts.models import Unit

        return Unit.objects.get(code=code)

    @property
    def system(self):
        from caidan.accounts.actor import Actor

        return Actor.system()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo jurisdiction once per test database; each test's transaction rolls
    back its own changes. (A transactional test flushes the tables; ``world`` then seeds
    again, since ``seed`` is idempotent.)"""
    from django.conf import settings

    from caidan.demo.data import seed

    hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["caidan.accounts.hashers.FastArgon2PasswordHasher"]
    try:
        with django_db_blocker.unblock():
            seed()
    finally:
        settings.PASSWORD_HASHERS = hashers


@pytest.fixture
def world(db) -> World:
    """The demo jurisdiction. A test starts either from the seeded database (its
    transaction rolls back to it) or from an empty one (a transactional test flushed the
    tables): one query tells which, instead of the ~150 that ``seed`` spends finding that
    everything is already there (``seed`` is atomic and records ``demo.seeded`` last)."""
    from caidan.audit.kinds import EventKind
    from caidan.audit.models import AuditEvent
    from caidan.demo.data import seed

    if not AuditEvent.objects.filter(kind=EventKind.DEMO_SEEDED).exists():
        seed()
    return World()


@pytest.fixture
def login(client, world):
    """``login("purchaser")`` logs the test client in as that demo user (optionally in a
    given role) and returns the client."""
    from caidan.accounts.middleware import SESSION_KEY

    def _login(username: str, role: str | None = None):
        client.force_login(world.user(username))
        membership = world.membership(username, role)
        session = client.session
        session[SESSION_KEY] = membership.pk if membership else None
        session.save()
        return client

    return _login


@pytest.fixture
def token_for(world):
    """``token_for("admin")`` returns ``{"HTTP_AUTHORIZATION": "Bearer …"}`` for that user."""
    from caidan.accounts.services import api_token_create

    def _token(username: str, role: str | None = None) -> dict[str, str]:
        _, raw = api_token_create(actor=world.actor(username), name="test")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if role:
            headers["HTTP_X_CAIDAN_ROLE"] = str(world.membership(username, role).pk)
        return headers

    return _token
