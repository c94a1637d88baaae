import pytest

from caidan.accounts.actor import Actor
from caidan.accounts.models import ApiToken, LoginFailure, Membership, Role
from caidan.accounts.services import (
    active_membership_switch,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    membership_grant,
    membership_revoke,
    unit_create,
    user_authenticate,
    user_change_password,
    user_create,
)
from caidan.audit.models import AuditEvent
from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationError,
)
from caidan.demo.data import DEMO_PASSWORD


def test_passwords_are_argon2(world):
    assert world.user("admin").password.startswith("argon2")


def test_production_hasher_is_argon2():
    from django.conf import settings as django_settings  # not the pytest override

    # The module-level setting (what deployments get) lists Argon2 first.
    import caidan.settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert django_settings.AUTH_USER_MODEL == "accounts.User"


def test_user_create_validates_and_audits(world):
    with pytest.raises(ValidationError) as exc:
        user_create(username="weak", password="12345678", actor=world.system)
    assert exc.value.field == "password"
    with pytest.raises(ValidationError) as exc:
        user_create(username="admin", password="a-much-better-passphrase", actor=world.system)
    assert exc.value.field == "username" and exc.value.code == "duplicate"
    user = user_create(username="newbie", password="a-much-better-passphrase", actor=world.system)
    assert AuditEvent.objects.filter(kind="user.created", target_id=str(user.pk)).exists()


def test_unit_tree_paths_and_scope(world):
    district = world.unit("310105")
    street = world.unit("310105-001")
    assert street.path.startswith(district.path)
    sub = unit_create(
        name="某居委会", kind="other", code="310105-001-01", parent=street, actor=world.system
    )
    assert sub.path == f"{street.path}{sub.pk}/"
    officer = world.actor("purchaser")  # 江苏路街道
    assert officer.covers_unit(street) and officer.covers_unit(sub)
    assert not officer.covers_unit(world.unit("310105-002"))
    assert not officer.covers_unit(district)


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.PURCHASER, None, "unit"),
        (Role.PURCHASER, "org", "unit"),
        (Role.PROVIDER, None, "organization"),
        (Role.PROVIDER, "unit", "organization"),
        (Role.EXPERT, "unit", "role"),
        ("emperor", None, "role"),
    ],
)
def test_membership_scope_must_match_role(world, role, scope, field):
    from caidan.orgs.models import Organization

    user = world.user("resident")
    kwargs = {}
    if scope == "unit":
        kwargs["unit"] = world.unit("310105-001")
    if scope == "org":
        kwargs["organization"] = Organization.objects.first()
    with pytest.raises(ValidationError) as exc:
        membership_grant(user=user, role=role, actor=world.system, **kwargs)
    assert exc.value.field == field


def test_membership_scope_enforced_by_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.user("resident"), role=Role.PURCHASER)


def test_membership_grant_twice_conflicts_and_revoke(world):
    unit = world.unit("310105-002")
    m = membership_grant(
        user=world.user("resident"), role=Role.PURCHASER, unit=unit, actor=world.system
    )
    with pytest.raises(Conflict):
        membership_grant(
            user=world.user("resident"), role=Role.PURCHASER, unit=unit, actor=world.system
        )
    with pytest.raises(PermissionDenied):
        membership_revoke(membership=m, actor=world.actor("purchaser"))
    membership_revoke(membership=m, actor=world.actor("admin"))
    m.refresh_from_db()
    assert not m.is_active
    again = membership_grant(
        user=world.user("resident"), role=Role.PURCHASER, unit=unit, actor=world.system
    )
    assert again.pk == m.pk and again.is_active


def test_login_success_and_failure_are_audited(world):
    user = user_authenticate(username="admin", password=DEMO_PASSWORD, ip="10.0.0.1")
    assert user.username == "admin"
    with pytest.raises(NotAuthenticated) as exc:
        user_authenticate(username="admin", password="wrong", ip="10.0.0.1")
    assert exc.value.code == "bad_credentials"
    kinds = list(AuditEvent.objects.order_by("-seq").values_list("kind", flat=True)[:2])
    assert kinds == ["user.login_failed", "user.logged_in"]


def test_failed_login_throttling_locks_even_the_right_password(world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            user_authenticate(username="provider", password="nope", ip="10.0.0.2")
    with pytest.raises(TooManyRequests) as exc:
        user_authenticate(username="provider", password=DEMO_PASSWORD, ip="10.0.0.2")
    assert "锁定" in exc.value.message
    # Another account is not locked by these failures.
    assert user_authenticate(username="expert", password=DEMO_PASSWORD, ip="10.0.0.3")


def test_lock_expires_after_window(world, settings):
    import datetime as dt

    from django.utils import timezone

    settings.LOGIN_MAX_FAILURES = 2
    old = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="provider", ip="x", at=old) for _ in range(5)]
    )
    assert user_authenticate(username="provider", password=DEMO_PASSWORD, ip="x")


def test_change_password(world):
    user = world.user("expert")
    actor = world.actor("expert")
    with pytest.raises(ValidationError) as exc:
        user_change_password(user=user, old_password="bad", new_password="x", actor=actor)
    assert exc.value.field == "old_password"
    with pytest.raises(ValidationError) as exc:
        user_change_password(user=user, old_password=DEMO_PASSWORD, new_password="123", actor=actor)
    assert exc.value.field == "new_password"
    user_change_password(
        user=user, old_password=DEMO_PASSWORD, new_password="another-long-passphrase", actor=actor
    )
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_switch_active_membership(world):
    actor = world.actor("purchaser")
    committee = world.membership("purchaser", Role.COMMITTEE_MEMBER)
    chosen = active_membership_switch(actor=actor, membership_id=committee.pk)
    assert chosen.role == Role.COMMITTEE_MEMBER
    someone_else = world.membership("admin")
    with pytest.raises(NotFound):
        active_membership_switch(actor=actor, membership_id=someone_else.pk)
    with pytest.raises(NotAuthenticated):
        active_membership_switch(actor=Actor.anonymous(), membership_id=committee.pk)


def test_api_tokens_hashed_authenticate_and_revoke(world):
    token, raw = api_token_create(actor=world.actor("provider"), name="脚本")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert api_token_authenticate(raw) == world.user("provider")
    assert api_token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert api_token_authenticate("garbage") is None
    with pytest.raises(NotFound):
        api_token_revoke(actor=world.actor("admin"), token_id=token.pk)  # not theirs
    api_token_revoke(actor=world.actor("provider"), token_id=token.pk)
    assert api_token_authenticate(raw) is None
    with pytest.raises(Conflict):
        api_token_revoke(actor=world.actor("provider"), token_id=token.pk)


def test_token_of_deactivated_user_is_refused(world):
    _, raw = api_token_create(actor=world.actor("expert"), name="x")
    user = world.user("expert")
    user.is_active = False
    user.save()
    assert api_token_authenticate(raw) is None


def test_token_name_required(world):
    with pytest.raises(ValidationError) as exc:
        api_token_create(actor=world.actor("provider"), name="  ")
    assert exc.value.field == "name"
