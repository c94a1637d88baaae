"""Residents' verified identity: one-time codes, keyed hashes, one identity one account.

The phone number (or ID number) is normalised, hashed with HMAC-SHA256 under
``settings.IDENTITY_HASH_KEY`` (default: ``SECRET_KEY``) and forgotten: only the hash and
a masked hint (138****5678) are stored (DOMAIN.md §5). The code itself is stored only as
a keyed hash too, expires after 10 minutes, and allows 5 wrong attempts.

In this deployment an ID number is verified the same way as a phone number — the code
goes through the SMS backend — and only where that makes sense: with DEBUG, under tests,
or where ``settings.NEEDS_ID_NUMBER_CODES`` is set (a gateway that delivers to the phone
registered for the ID number). Elsewhere an ID number is refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.models import Membership, Role, User
from caidan.accounts.permissions import require
from caidan.accounts.services import membership_grant, user_create
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.calendar import start_of_day
from caidan.common.codes import Common
from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    TooManyRequests,
    ValidationError,
    field_error,
)
from caidan.common.masking import mask_id_number, mask_phone
from caidan.common.perms import Perm
from caidan.common.tick import tick_job
from caidan.needs.codes import Code

from ..inputs import CODE_DIGITS, IdentityCodeInput, IdentityInput
from ..models import (
    MAX_CODE_ATTEMPTS,
    IdentityKey,
    IdentityKind,
    MenuOrder,
    Need,
    ResidentIdentity,
    VerificationCode,
)
from ..sms import send_sms, sms_shows_code_on_page

CODE_TTL = dt.timedelta(minutes=10)
RESEND_INTERVAL = dt.timedelta(seconds=60)
CODES_PER_DAY = 10  # per identity, per calendar day (Asia/Shanghai)
CODES_PER_IP_HOUR = 30  # per client address, per rolling hour
CODE_RETENTION = dt.timedelta(days=2)  # long enough for the daily limit to count them


# --- hashing (``IdentityInput`` normalised the number) -----------------------------------


def _key() -> bytes:
    return (getattr(settings, "IDENTITY_HASH_KEY", "") or settings.SECRET_KEY).encode()


def identity_hash(kind: str, normalised: str) -> str:
    """HMAC-SHA256 of ``kind:value`` under the identity key: equal for the same person,
    useless to anyone who reads the database without the key."""
    return hmac.new(_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def identity_hint(kind: str, normalised: str) -> str:
    return mask_phone(normalised) if kind == IdentityKind.PHONE else mask_id_number(normalised)


def _code_hash(ihash: str, code: str) -> str:
    return hmac.new(_key(), f"code:{ihash}:{code}".encode(), hashlib.sha256).hexdigest()


def id_number_codes_allowed() -> bool:
    return bool(
        settings.DEBUG
        or getattr(settings, "TESTING", False)
        or getattr(settings, "NEEDS_ID_NUMBER_CODES", False)
    )


def _verifiable(data: IdentityInput) -> tuple[str, str]:
    """(hash, hint) of an identity a code may be sent to — or a refusal naming the kind."""
    if data.kind == IdentityKind.ID_NUMBER and not id_number_codes_allowed():
        raise field_error(
            "kind",
            gettext_lazy("本平台暂不支持以身份证号接收验证码，请使用手机号验证。"),
            code=Code.KIND_UNAVAILABLE,
        )
    return identity_hash(data.kind, data.value), identity_hint(data.kind, data.value)


def _anonymous_target(hint: str) -> tuple[str, str, str]:
    return ("needs.residentidentity", "", f"居民（{hint}）")


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    """What the person is told after a code was sent."""

    kind: str
    hint: str
    expires_at: dt.datetime
    resend_after_seconds: int
    # the code itself, only when the SMS backend sends nothing (development and the demo:
    # ``sms_shows_code_on_page``); empty with a real gateway
    demo_code: str = ""


def identity_verification_start(*, data: IdentityInput, ip: str = "") -> Challenge:
    """Send a one-time code to the phone (or ID number). Rate-limited per identity (one a
    minute, ten a day) and per client address."""
    ihash, hint = _verifiable(data)
    kind, normalised = data.kind, data.value
    now = timezone.now()
    with transaction.atomic():
        today = start_of_day(timezone.localdate(now))
        mine = VerificationCode.objects.filter(identity_hash=ihash)
        last = mine.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and now - last < RESEND_INTERVAL:
            wait = math.ceil((RESEND_INTERVAL - (now - last)).total_seconds())
            raise TooManyRequests(
                gettext_lazy("验证码发送过于频繁，请 %(wait)s 秒后再试。") % {"wait": wait},
                code=Code.CODE_TOO_SOON,
                detail={"retry_after": wait},
            )
        if mine.filter(created_at__gte=today).count() >= CODES_PER_DAY:
            raise TooManyRequests(
                gettext_lazy("该号码今天获取验证码已达 %(CODES_PER_DAY)s 次上限，请明天再试。")
                % {"CODES_PER_DAY": CODES_PER_DAY},
                code=Code.CODE_DAILY_LIMIT,
            )
        if (
            ip
            and VerificationCode.objects.filter(
                ip=ip, created_at__gte=now - dt.timedelta(hours=1)
            ).count()
            >= CODES_PER_IP_HOUR
        ):
            raise TooManyRequests(
                gettext_lazy("当前网络获取验证码过于频繁，请一小时后再试。"),
                code=Code.CODE_IP_LIMIT,
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        # a new code replaces any earlier one still running
        mine.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        VerificationCode.objects.create(
            kind=kind,
            identity_hash=ihash,
            code_hash=_code_hash(ihash, code),
            ip=ip[:64],
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        audit_record(
            kind=EventKind.RESIDENT_CODE_SENT,
            actor=Actor.anonymous(ip=ip),
            target=_anonymous_target(hint),
            new={"kind": kind},
            ip=ip,
        )
        minutes = int(CODE_TTL.total_seconds() // 60)
        body = (
            f"【菜单】您的验证码是 {code}，{minutes} 分钟内有效。"
            "工作人员不会向您索取验证码，请勿告诉他人。"
        )
        transaction.on_commit(lambda: send_sms(to=normalised, body=body))
    return Challenge(
        kind=kind,
        hint=hint,
        expires_at=now + CODE_TTL,
        resend_after_seconds=int(RESEND_INTERVAL.total_seconds()),
        demo_code=code if sms_shows_code_on_page() else "",
    )


def _consume_code(*, ihash: str, hint: str, code: str, ip: str, now) -> Exception | None:
    """Check ``code`` against the identity's running code, inside the caller's transaction.
    Success marks the code used and returns None; a wrong code counts one attempt (saved)
    and returns the error, which the caller raises *after* committing so the attempt counts.
    An expired or exhausted code raises at once."""
    challenge = (
        VerificationCode.objects.select_for_update()
        .filter(identity_hash=ihash, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if challenge is None or challenge.expires_at <= now:
        raise field_error(
            "code", gettext_lazy("验证码已过期或不存在，请重新获取。"), code=Code.CODE_EXPIRED
        )
    if challenge.attempts >= MAX_CODE_ATTEMPTS:
        raise TooManyRequests(
            gettext_lazy("验证码错误次数过多，已失效，请重新获取。"),
            code=Code.CODE_ATTEMPTS_EXCEEDED,
        )
    if hmac.compare_digest(challenge.code_hash, _code_hash(ihash, code)):
        challenge.used_at = now
        challenge.save(update_fields=["used_at"])
        return None
    challenge.attempts += 1
    challenge.save(update_fields=["attempts"])
    audit_record(
        kind=EventKind.RESIDENT_VERIFY_FAILED,
        actor=Actor.anonymous(ip=ip),
        target=_anonymous_target(hint),
        new={"attempts": challenge.attempts},
        ip=ip,
    )
    left = MAX_CODE_ATTEMPTS - challenge.attempts
    if left > 0:
        return ValidationError(
            gettext_lazy("验证码不正确，还可尝试 %(left)s 次。") % {"left": left},
            code=Code.CODE_WRONG,
            detail={"field": "code", "attempts_left": left},
        )
    return TooManyRequests(
        gettext_lazy("验证码错误次数过多，已失效，请重新获取。"),
        code=Code.CODE_ATTEMPTS_EXCEEDED,
    )


def identity_verification_confirm(*, data: IdentityCodeInput, ip: str = "") -> User:
    """Check the code; on success return the resident's account (created on the first
    success: one identity, one account). A wrong code counts against the code's five
    attempts even though the call fails. A number linked to a person (a phone and an ID
    number, ``identity_link``) logs in to that one person's account."""
    ihash, hint = _verifiable(data)
    kind, code = data.kind, data.code
    now = timezone.now()
    with transaction.atomic():
        failure = _consume_code(ihash=ihash, hint=hint, code=code, ip=ip, now=now)
        if failure is None:
            identity = _identity_for(kind=kind, ihash=ihash, hint=hint)
            identity.last_verified_at = now
            identity.save(update_fields=["last_verified_at"])
            audit_record(
                kind=EventKind.RESIDENT_VERIFIED,
                actor=Actor(user=identity.user, ip=ip),
                target=identity,
                ip=ip,
            )
    if failure is not None:
        raise failure  # after the commit, so the wrong attempt is counted
    return identity.user


def identity_link_confirm(
    *, data: IdentityCodeInput, actor: Actor, ip: str = ""
) -> ResidentIdentity:
    """A verified resident adds their other number (the ID number, whose code the gateway
    delivers to the phone registered for it; or a phone number) with the code sent to it
    (``identity_verification_start``). Both numbers then are one person: orders and needs
    of an identity the number already had are merged, an item supported twice counts once."""
    identity = identity_of(actor, Perm.NEEDS_SUBMIT)
    ihash, hint = _verifiable(data)
    now = timezone.now()
    with transaction.atomic():
        failure = _consume_code(ihash=ihash, hint=hint, code=data.code, ip=ip, now=now)
        if failure is None:
            identity = identity_link(
                identity=identity, kind=data.kind, ihash=ihash, hint=hint, actor=actor
            )
    if failure is not None:
        raise failure
    return identity


def _resident_user(hint: str) -> User:
    """A new account holding only the resident role. No password: residents log in with
    their code; the username is random, so it says nothing about the person."""
    system = Actor.system()
    user = user_create(
        username=f"resident-{secrets.token_hex(6)}",
        password=secrets.token_urlsafe(24),
        display_name=f"居民（{hint}）",
        actor=system,
        validate_password=False,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    membership_grant(user=user, role=Role.RESIDENT, actor=system)
    return user


def identity_find(ihash: str) -> ResidentIdentity | None:
    """The person a number's hash belongs to: through its key (a linked phone or ID
    number), or an identity's own hash."""
    key = IdentityKey.objects.select_related("identity__user").filter(key_hash=ihash).first()
    if key is not None:
        return key.identity
    return ResidentIdentity.objects.select_related("user").filter(identity_hash=ihash).first()


def _identity_for(*, kind: str, ihash: str, hint: str) -> ResidentIdentity:
    identity = identity_find(ihash)
    if identity is not None:
        if not identity.user.is_active:
            raise PermissionDenied(
                gettext_lazy("该居民账户已停用，请联系街道工作人员。"), code=Code.ACCOUNT_INACTIVE
            )
        return identity
    user = _resident_user(hint)
    try:
        with transaction.atomic():
            identity = ResidentIdentity.objects.create(
                kind=kind, identity_hash=ihash, hint=hint, user=user
            )
            IdentityKey.objects.create(identity=identity, kind=kind, key_hash=ihash, hint=hint)
    except IntegrityError:
        raise Conflict(
            gettext_lazy("该身份正在另一处完成验证，请稍后重试。"), code=Code.IDENTITY_RACE
        ) from None
    audit_record(
        kind=EventKind.RESIDENT_IDENTITY_CREATED,
        actor=Actor.system(),
        target=identity,
        new={"kind": kind, "user": user.username},
    )
    return identity


def resident_identity_create(
    *, data: IdentityInput, actor: Actor, user: User | None = None
) -> ResidentIdentity:
    """Register an identity without a code (demo data, or an officer at the service
    counter who has seen the person's papers). With ``user``, the identity is bound to
    that existing account, which is given the resident role if it lacks it."""
    require(actor, Perm.ACCOUNTS_MANAGE)
    kind = data.kind
    ihash, hint = identity_hash(kind, data.value), identity_hint(kind, data.value)
    with transaction.atomic():
        if identity_find(ihash) is not None:
            raise Conflict(
                gettext_lazy("身份 %(hint)s 已绑定居民账户（一个身份只能对应一个账户）。")
                % {"hint": hint},
                code=Common.DUPLICATE,
            )
        if user is None:
            user = _resident_user(hint)
        else:
            if ResidentIdentity.objects.filter(user=user).exists():
                raise Conflict(gettext_lazy("该账户已绑定居民身份。"), code=Common.DUPLICATE)
            if not Membership.objects.filter(
                user=user, role=Role.RESIDENT, is_active=True
            ).exists():
                membership_grant(user=user, role=Role.RESIDENT, actor=actor)
        identity = ResidentIdentity.objects.create(
            kind=kind, identity_hash=ihash, hint=hint, user=user
        )
        IdentityKey.objects.create(identity=identity, kind=kind, key_hash=ihash, hint=hint)
        audit_record(
            kind=EventKind.RESIDENT_IDENTITY_CREATED,
            actor=actor,
            target=identity,
            new={"kind": kind, "user": user.username},
        )
    return identity


def identity_of(actor: Actor, permission: str = Perm.NEEDS_SUBMIT) -> ResidentIdentity:
    """The verified identity a resident acts with; refuses other roles and unverified
    accounts with a message saying what to do."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(
            gettext_lazy("请先用手机号验证身份。"), code=Common.NOT_AUTHENTICATED
        )
    require(actor, permission)
    identity = ResidentIdentity.objects.filter(user=actor.user).first()
    if identity is None:
        raise PermissionDenied(
            gettext_lazy("您的账户尚未完成居民身份验证，请先用手机号验证身份。"),
            code=Common.IDENTITY_REQUIRED,
        )
    return identity


# --- one person, one identity --------------------------------------------------------------


def identity_link(
    *,
    identity: ResidentIdentity,
    kind: str,
    ihash: str,
    hint: str,
    actor: Actor,
    verified_by: User | None = None,
) -> ResidentIdentity:
    """Make the verified number ``ihash`` a key of ``identity`` (the caller verified it: a
    code, or a community worker who saw the ID card). Inside the caller's transaction.

    A number that already is another person's key merges that identity into this one:
    its keys, needs and orders move here, an item both supported keeps one order (the
    earlier), and the other account is switched off — so the person never counts twice.
    A person holds one number of each kind: a second, different phone (or ID) number is
    refused rather than guessed at."""
    identity = ResidentIdentity.objects.select_for_update().get(pk=identity.pk)
    other = identity_find(ihash)
    if other is not None and other.pk == identity.pk:
        return identity
    mine = dict(IdentityKey.objects.filter(identity=identity).values_list("kind", "hint"))
    theirs = (
        dict(IdentityKey.objects.filter(identity=other).values_list("kind", "hint"))
        if other is not None
        else {kind: hint}
    )
    if other is not None and not IdentityKey.objects.filter(identity=other).exists():
        theirs = {other.kind: other.hint}  # an identity from before keys existed
    clash = sorted(set(mine) & set(theirs))
    if clash:
        label = IdentityKind(clash[0]).label
        raise Conflict(
            gettext_lazy(
                "该居民已登记%(label)s %(mine)s，不能再关联另一个%(label)s %(theirs)s。"
                "如号码有变更，请到社区窗口办理。"
            )
            % {"label": label, "mine": mine[clash[0]], "theirs": theirs[clash[0]]},
            code=Code.IDENTITY_KIND_TAKEN,
            detail={"field": "phone" if clash[0] == IdentityKind.PHONE else "id_number"},
        )
    merged: dict[str, int] = {}
    if other is None:
        IdentityKey.objects.create(
            identity=identity, kind=kind, key_hash=ihash, hint=hint, verified_by=verified_by
        )
    else:
        merged = _merge(keep=identity, gone=other, verified_by=verified_by)
    audit_record(
        kind=EventKind.RESIDENT_IDENTITIES_LINKED,
        actor=actor,
        target=identity,
        new={"kind": kind, "hint": hint, **merged},
    )
    return identity


def _merge(*, keep: ResidentIdentity, gone: ResidentIdentity, verified_by) -> dict[str, int]:
    gone = ResidentIdentity.objects.select_for_update().select_related("user").get(pk=gone.pk)
    if not IdentityKey.objects.filter(identity=gone).exists():
        IdentityKey.objects.create(
            identity=gone, kind=gone.kind, key_hash=gone.identity_hash, hint=gone.hint
        )
    IdentityKey.objects.filter(identity=gone).update(identity=keep, verified_by=verified_by)
    both = MenuOrder.objects.filter(identity=keep).values("menu_item_id")
    duplicates, _ = MenuOrder.objects.filter(identity=gone, menu_item_id__in=both).delete()
    orders = MenuOrder.objects.filter(identity=gone).update(identity=keep)
    needs = Need.objects.filter(identity=gone).update(identity=keep)
    user, gone_pk = gone.user, gone.pk
    gone.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    return {
        "merged_identity": gone_pk,
        "orders_moved": orders,
        "duplicate_orders_dropped": duplicates,
        "needs_moved": needs,
    }


@tick_job("needs.purge_verification_codes")
def purge_verification_codes(now: dt.datetime) -> int:
    """Forget codes old enough that no limit counts them any more (only hashes anyway)."""
    deleted, _ = VerificationCode.objects.filter(created_at__lt=now - CODE_RETENTION).delete()
    return deleted
