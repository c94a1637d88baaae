"""Residents' verified identity: keyed hashes only, one identity one account, one-time codes
with expiry, attempt limits and rate limits (DOMAIN.md §3.2, §5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from caidan.accounts.models import Membership, Role, User
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, TooManyRequests, ValidationError
from caidan.needs import services
from caidan.needs.inputs import (
    IdentityCodeInput,
    IdentityInput,
    id_number_check_char,
    normalise_id_number,
)
from caidan.needs.models import IdentityKind, ResidentIdentity, VerificationCode

ID_NUMBER = "310105199003071236"  # a valid GB 11643 check digit


def _all_rows_text() -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def _at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_the_raw_phone_and_id_number_are_stored_nowhere(world, verify, new_phone):
    phone = new_phone()
    user = verify(phone)
    id_user = verify(ID_NUMBER, kind=IdentityKind.ID_NUMBER)
    identity = ResidentIdentity.objects.get(user=user)
    assert identity.hint == f"{phone[:3]}****{phone[-4:]}"
    assert ResidentIdentity.objects.get(user=id_user).hint == "3101**********1236"
    text = _all_rows_text()
    assert phone not in text
    assert ID_NUMBER not in text
    assert phone[3:] not in text  # not even without the prefix
    assert not user.phone and not user.has_usable_password()
    assert phone not in user.username and phone not in user.display_name


def test_identity_hash_is_hmac_sha256_under_the_identity_key(world, settings):
    settings.IDENTITY_HASH_KEY = "a-deployment-key"
    expected = hmac.new(b"a-deployment-key", b"phone:13912345678", hashlib.sha256).hexdigest()
    assert services.identity_hash("phone", "13912345678") == expected
    # the same person however they type the number
    for typed in ("13912345678", "+86 139 1234 5678", "0086-139-1234-5678", "8613912345678"):
        assert IdentityInput.parse(kind="phone", value=typed).value == "13912345678"
    settings.IDENTITY_HASH_KEY = ""
    fallback = hmac.new(
        settings.SECRET_KEY.encode(), b"phone:13912345678", hashlib.sha256
    ).hexdigest()
    assert services.identity_hash("phone", "13912345678") == fallback


@pytest.mark.parametrize(
    "value", ["1391234567", "23912345678", "139123456789", "1391234567a", "", "12012345678"]
)
def test_bad_phone_numbers_are_refused(world, value):
    with pytest.raises(ValidationError) as exc:
        services.identity_verification_start(data=IdentityInput.parse(kind="phone", value=value))
    assert exc.value.field == "value" and "手机号" in exc.value.message


def test_id_number_check_digit():
    assert id_number_check_char("11010519491231002") == "X"
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError, match="校验码"):
        normalise_id_number("110105194912310021")
    with pytest.raises(ValidationError, match="出生日期"):
        normalise_id_number("110105194913310024")
    with pytest.raises(ValidationError, match="18 位"):
        normalise_id_number("1101051949123100")


def test_id_number_codes_only_where_deliverable(world, settings):
    settings.TESTING = False
    settings.DEBUG = False
    with pytest.raises(ValidationError) as exc:
        services.identity_verification_start(
            data=IdentityInput.parse(kind="id_number", value=ID_NUMBER)
        )
    assert exc.value.code == "kind_unavailable" and "手机号" in exc.value.message
    settings.NEEDS_ID_NUMBER_CODES = True
    challenge = services.identity_verification_start(
        data=IdentityInput.parse(kind="id_number", value=ID_NUMBER)
    )
    assert challenge.hint == "3101**********1236"


def test_one_identity_one_account(world, verify, new_phone):
    phone = new_phone()
    first = verify(phone)
    with _at(timezone.now() + dt.timedelta(minutes=2)):
        again = verify("+86 " + phone, ip="10.0.0.2")
    assert first.pk == again.pk
    assert ResidentIdentity.objects.filter(user=first).count() == 1
    memberships = Membership.objects.filter(user=first, is_active=True)
    assert [m.role for m in memberships] == [Role.RESIDENT]
    other = verify(new_phone())
    assert other.pk != first.pk
    identity = ResidentIdentity.objects.get(user=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentIdentity.objects.create(
            kind="phone", identity_hash=identity.identity_hash, hint="x", user=other
        )


def test_binding_an_existing_account(world, new_phone):
    user = world.user("expert")
    identity = services.resident_identity_create(
        user=user, actor=world.system, data=IdentityInput.parse(kind="phone", value=new_phone())
    )
    assert identity.user == user
    assert Membership.objects.filter(user=user, role=Role.RESIDENT, is_active=True).exists()
    with pytest.raises(Conflict):
        services.resident_identity_create(
            user=user, actor=world.system, data=IdentityInput.parse(kind="phone", value=new_phone())
        )
    with pytest.raises(Exception, match="无权"):
        services.resident_identity_create(
            actor=world.actor("purchaser"),
            data=IdentityInput.parse(kind="phone", value=new_phone()),
        )


def test_wrong_code_counts_attempts_then_locks(world, send_code, new_phone):
    phone = new_phone()
    code = send_code(phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as exc:
            services.identity_verification_confirm(
                data=IdentityCodeInput.parse(kind="phone", value=phone, code=wrong)
            )
        assert exc.value.code == "code_wrong" and f"还可尝试 {left} 次" in exc.value.message
    with pytest.raises(TooManyRequests) as exc:
        services.identity_verification_confirm(
            data=IdentityCodeInput.parse(kind="phone", value=phone, code=wrong)
        )
    assert exc.value.status_code == 429
    assert VerificationCode.objects.get().attempts == 5  # counted despite the failures
    with pytest.raises(TooManyRequests, match="错误次数过多"):  # even the right one now
        services.identity_verification_confirm(
            data=IdentityCodeInput.parse(kind="phone", value=phone, code=code)
        )
    assert not ResidentIdentity.objects.filter(
        identity_hash=services.identity_hash("phone", phone)
    ).exists()
    assert AuditEvent.objects.filter(kind="resident.verify_failed").count() >= 5


def test_malformed_code(world, send_code, new_phone):
    phone = new_phone()
    send_code(phone)
    with pytest.raises(ValidationError, match="6 位数字"):
        services.identity_verification_confirm(
            data=IdentityCodeInput.parse(kind="phone", value=phone, code="12ab")
        )


def test_expired_code_and_used_code(world, send_code, new_phone):
    phone = new_phone()
    code = send_code(phone)
    with _at(timezone.now() + dt.timedelta(minutes=11)), pytest.raises(ValidationError) as exc:
        services.identity_verification_confirm(
            data=IdentityCodeInput.parse(kind="phone", value=phone, code=code)
        )
    assert exc.value.code == "code_expired"
    with _at(timezone.now() + dt.timedelta(minutes=2)):
        code = send_code(phone)
        services.identity_verification_confirm(
            data=IdentityCodeInput.parse(kind="phone", value=phone, code=code)
        )
        with pytest.raises(ValidationError, match="过期或不存在"):  # one time only
            services.identity_verification_confirm(
                data=IdentityCodeInput.parse(kind="phone", value=phone, code=code)
            )


def test_code_for_another_number_does_not_work(world, send_code, new_phone):
    phone, other = new_phone(), new_phone()
    code = send_code(phone)
    send_code(other)
    with pytest.raises(ValidationError):
        services.identity_verification_confirm(
            data=IdentityCodeInput.parse(
                kind="phone", value=other, code=f"{(int(code) + 7) % 1_000_000:06d}"
            )
        )


def test_the_message_goes_to_the_number_after_commit(world, locmem_sms, new_phone):
    phone = new_phone()
    services.identity_verification_start(data=IdentityInput.parse(kind="phone", value=phone))
    assert locmem_sms == []  # not yet: the transaction has not committed
    assert VerificationCode.objects.count() == 1


def test_rate_limit_per_identity(world, send_code, new_phone, locmem_sms):
    phone = new_phone()
    start = timezone.now().replace(hour=9)
    with _at(start):
        send_code(phone)
        with pytest.raises(TooManyRequests) as exc:
            services.identity_verification_start(
                data=IdentityInput.parse(kind="phone", value=phone)
            )
    assert exc.value.code == "code_too_soon" and "秒后再试" in exc.value.message
    assert exc.value.detail["retry_after"] == 60
    for n in range(1, 10):
        with _at(start + dt.timedelta(seconds=61 * n)):
            send_code(phone, ip=f"10.1.0.{n}")
    with _at(start + dt.timedelta(seconds=61 * 10)), pytest.raises(TooManyRequests) as exc:
        services.identity_verification_start(
            ip="10.2.0.1", data=IdentityInput.parse(kind="phone", value=phone)
        )
    assert exc.value.code == "code_daily_limit" and "10 次上限" in exc.value.message
    with _at(start + dt.timedelta(days=1)):
        send_code(phone)  # a new day
    assert len(locmem_sms) == 11


def test_rate_limit_per_address(world, send_code, new_phone):
    for _ in range(30):
        send_code(new_phone(), ip="10.9.9.9")
    with pytest.raises(TooManyRequests) as exc:
        services.identity_verification_start(
            ip="10.9.9.9", data=IdentityInput.parse(kind="phone", value=new_phone())
        )
    assert exc.value.code == "code_ip_limit"


def test_verification_is_audited_without_the_number(world, verify, new_phone):
    phone = new_phone()
    user = verify(phone)
    kinds = list(
        AuditEvent.objects.filter(kind__startswith="resident.").values_list("kind", flat=True)
    )
    assert {"resident.code_sent", "resident.verified", "resident.identity_created"} <= set(kinds)
    assert User.objects.get(pk=user.pk).display_name == f"居民（{phone[:3]}****{phone[-4:]}）"


def test_deactivated_resident_cannot_verify(world, verify, send_code, new_phone):
    from caidan.accounts.services import user_set_active

    phone = new_phone()
    user = verify(phone)
    user_set_active(user=user, is_active=False, actor=world.actor("admin"))
    with _at(timezone.now() + dt.timedelta(minutes=2)):
        code = send_code(phone)
        with pytest.raises(Exception, match="停用"):
            services.identity_verification_confirm(
                data=IdentityCodeInput.parse(kind="phone", value=phone, code=code)
            )


def test_old_codes_are_purged_by_the_tick(world, send_code, new_phone):
    from caidan.common.tick import run_tick

    send_code(new_phone())
    now = timezone.now()
    [result] = run_tick(now=now + dt.timedelta(days=1), only=["needs.purge_verification_codes"])
    assert result.changed == 0 and VerificationCode.objects.count() == 1
    [result] = run_tick(now=now + dt.timedelta(days=3), only=["needs.purge_verification_codes"])
    assert result.changed == 1 and VerificationCode.objects.count() == 0
