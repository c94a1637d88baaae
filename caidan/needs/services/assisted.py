"""Assisted participation (issue 21): a community worker (社区工作者) registers a resident at
the counter after seeing the ID card, and orders from a menu or states a need on the
resident's behalf.

* The resident is stored as everyone is: keyed hashes of the ID number (and of the phone
  number, when the resident gives one and reads back the code sent to it), linked to one
  person (``identity_link``) — a resident who verified the phone online earlier is the same
  person, their orders count once.
* The worker then acts through a *counter reference*: a signed, four-hour token naming the
  resident and the worker, handed back by the registration (the page keeps it in the
  session; an API client sends it back). Nobody can act for a resident by guessing a number.
* Orders and needs placed this way carry ``assisted_by`` (the worker): the unit and the
  moderators see who helped; the public sees only the marker 代办.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import PermissionDenied, ValidationError, field_error
from caidan.common.perms import Perm
from caidan.needs.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import CounterRegistrationInput, IdentityInput, NeedInput
from ..models import IdentityKey, IdentityKind, MenuItem, MenuOrder, Need, ResidentIdentity
from .identity import (
    _consume_code,
    _resident_user,
    identity_find,
    identity_hash,
    identity_hint,
    identity_link,
    identity_verification_start,
)
from .menus import menu_order_create_for
from .needs import need_create_for

COUNTER_SALT = "caidan.needs.counter"
COUNTER_MAX_AGE = 4 * 60 * 60  # seconds: one counter session


@dataclass(frozen=True)
class CounterResident:
    """The resident a worker is helping: the identity, whether it was new, the masked
    numbers now linked, and the reference to act with."""

    identity: ResidentIdentity
    created: bool
    hints: dict[str, str]
    ref: str


def _worker(actor: Actor):
    require(actor, Perm.NEEDS_ASSIST)
    return actor.user


def counter_phone_code_send(*, phone: str, actor: Actor, ip: str = ""):
    """Send the resident's phone a code (the resident reads it out to the worker), so the
    phone number is verified as the resident's before it is linked to the ID number."""
    _worker(actor)
    try:
        data = IdentityInput.parse(kind=IdentityKind.PHONE, value=phone)
    except ValidationError as exc:
        raise field_error("phone", exc.message) from None
    return identity_verification_start(data=data, ip=ip)


def _ref(identity: ResidentIdentity, worker) -> str:
    return signing.dumps({"i": identity.pk, "w": worker.pk}, salt=COUNTER_SALT)


def resident_register_at_counter(
    *, data: CounterRegistrationInput, actor: Actor, phone_code: str = "", ip: str = "", now=None
) -> CounterResident:
    """Register (or find) the resident whose ID card the worker has seen. With a phone
    number, the code sent to it (``counter_phone_code_send``) must be given: the phone is
    then linked to the same person — merging an identity the phone verified online."""
    worker = _worker(actor)
    now = now or timezone.now()
    id_hash = identity_hash(IdentityKind.ID_NUMBER, data.id_number)
    id_hint = identity_hint(IdentityKind.ID_NUMBER, data.id_number)
    phone_hash = phone_hint = ""
    if data.phone:
        phone_hash = identity_hash(IdentityKind.PHONE, data.phone)
        phone_hint = identity_hint(IdentityKind.PHONE, data.phone)
        if not phone_code.strip():
            raise field_error(
                "phone_code",
                gettext_lazy("请先向居民手机发送验证码，并填写居民告知的 6 位验证码。"),
            )
    failure = None
    with transaction.atomic():
        if data.phone:
            failure = _consume_code(
                ihash=phone_hash, hint=phone_hint, code=phone_code.strip(), ip=ip, now=now
            )
        if failure is None:
            by_id = identity_find(id_hash)
            by_phone = identity_find(phone_hash) if data.phone else None
            created = False
            identity = by_phone or by_id
            if identity is None:
                identity = ResidentIdentity.objects.create(
                    kind=IdentityKind.ID_NUMBER,
                    identity_hash=id_hash,
                    hint=id_hint,
                    user=_resident_user(id_hint),
                    registered_by=worker,
                )
                IdentityKey.objects.create(
                    identity=identity,
                    kind=IdentityKind.ID_NUMBER,
                    key_hash=id_hash,
                    hint=id_hint,
                    verified_by=worker,
                )
                created = True
            else:
                if not identity.user.is_active:
                    raise PermissionDenied(
                        gettext_lazy("该居民账户已停用，请联系街道工作人员。"),
                        code=Code.ACCOUNT_INACTIVE,
                    )
                identity = identity_link(
                    identity=identity,
                    kind=IdentityKind.ID_NUMBER,
                    ihash=id_hash,
                    hint=id_hint,
                    actor=actor,
                    verified_by=worker,
                )
            if data.phone:
                identity = identity_link(
                    identity=identity,
                    kind=IdentityKind.PHONE,
                    ihash=phone_hash,
                    hint=phone_hint,
                    actor=actor,
                    verified_by=worker,
                )
            hints = dict(IdentityKey.objects.filter(identity=identity).values_list("kind", "hint"))
            audit_record(
                kind=EventKind.RESIDENT_COUNTER_REGISTERED,
                actor=actor,
                target=identity,
                new={
                    "created": created,
                    "kinds": sorted(hints),
                    "worker": worker.display_name or worker.username,
                },
            )
    if failure is not None:
        raise failure  # after the commit: the wrong attempt counts
    return CounterResident(
        identity=identity, created=created, hints=hints, ref=_ref(identity, worker)
    )


def counter_resident(*, ref: str, actor: Actor) -> CounterResident:
    """The resident a counter reference names — only for the worker who registered them,
    for four hours."""
    worker = _worker(actor)
    expired = PermissionDenied(
        gettext_lazy("窗口登记已失效（超过 4 小时或不是您登记的），请重新核验居民证件。"),
        code=Code.COUNTER_SESSION_EXPIRED,
        detail={"field": "resident"},
    )
    try:
        value = signing.loads(ref or "", salt=COUNTER_SALT, max_age=COUNTER_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if not isinstance(value, dict) or value.get("w") != worker.pk:
        raise expired
    identity = ResidentIdentity.objects.select_related("user").filter(pk=value.get("i")).first()
    if identity is None or not identity.user.is_active:
        raise expired
    hints = dict(IdentityKey.objects.filter(identity=identity).values_list("kind", "hint"))
    return CounterResident(identity=identity, created=False, hints=hints, ref=ref)


def menu_order_place_assisted(*, ref: str, menu_item: MenuItem, actor: Actor) -> MenuOrder:
    """The worker supports a menu item on the resident's behalf: one order per person per
    item, exactly as if the resident ordered online; menus of the worker's unit (and below)."""
    resident = counter_resident(ref=ref, actor=actor)
    with transaction.atomic():
        return menu_order_create_for(
            identity=resident.identity,
            menu_item=menu_item,
            actor=actor,
            assisted_by=actor.user,
            scope=lambda menu: require(actor, Perm.NEEDS_ASSIST, menu),
        )


def need_submit_assisted(*, ref: str, data: NeedInput, actor: Actor) -> Need:
    """The worker states a need on the resident's behalf, for a street of the worker's unit
    (and below); the resident's daily limit counts it."""
    resident = counter_resident(ref=ref, actor=actor)
    require(actor, Perm.NEEDS_ASSIST, data.unit)
    with transaction.atomic():
        return need_create_for(
            identity=resident.identity, data=data, actor=actor, assisted_by=actor.user
        )
