"""Receiving an enquiry, suggestion, information request or report: who asks, the limits on
how often, the attachments, the routing to the handling unit and the answer's due date."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.calendar import add_working_days, start_of_day
from caidan.common.codes import Common
from caidan.common.errors import NotAuthenticated, PermissionDenied, TooManyRequests
from caidan.common.perms import Perm
from caidan.enquiries.codes import Code
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import due_day, notify

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import EnquiryInput
from ..models import (
    INFO_REQUEST_WORKING_DAYS,
    PUBLISHABLE_KINDS,
    Enquiry,
    EnquiryAttachment,
    EnquiryKind,
)
from ..subjects import resolve_subject, route
from ._shared import _url, answer_task, unit_handlers

PER_ASKER_PER_DAY = 10  # per person (one verified identity is one account)
PER_IP_PER_HOUR = 20  # per client address, anonymous reports included


def _key() -> bytes:
    return (getattr(settings, "IDENTITY_HASH_KEY", "") or settings.SECRET_KEY).encode()


def ip_hash(ip: str) -> str:
    """A keyed hash of the client address: enough to rate-limit, useless to identify."""
    if not ip:
        return ""
    return hmac.new(_key(), f"enquiry-ip:{ip}".encode(), hashlib.sha256).hexdigest()


def followup_hash(code: str) -> str:
    return hashlib.sha256(f"enquiry-followup:{code.strip()}".encode()).hexdigest()


def answer_working_days(kind: str) -> int:
    if kind == EnquiryKind.INFO_REQUEST:
        return INFO_REQUEST_WORKING_DAYS
    return int(setting_value("enquiry_answer_working_days"))


# --- submission --------------------------------------------------------------------------


def _asker(actor: Actor, kind: str, anonymous: bool) -> tuple[Any, Any, Any]:
    """(user, resident identity, organization) — all None for an anonymous report."""
    authenticated = getattr(actor, "is_authenticated", False)
    if kind == EnquiryKind.REPORT:
        if not authenticated or anonymous:
            return None, None, None
        require(actor, Perm.ENQUIRIES_REPORT)
    else:
        if not authenticated:
            raise NotAuthenticated(
                _("提出咨询、建议或信息公开申请需要先验证身份（居民请用手机号验证）。"),
                code=Common.NOT_AUTHENTICATED,
            )
        require(actor, Perm.ENQUIRIES_ASK)
    identity = None
    if actor.has_role(Role.RESIDENT):
        from caidan.needs.models import ResidentIdentity

        identity = ResidentIdentity.objects.filter(user=actor.user).first()
        if identity is None:
            raise PermissionDenied(
                _("您的账户尚未完成居民身份验证，请先用手机号验证身份。"),
                code=Common.IDENTITY_REQUIRED,
            )
    return actor.user, identity, actor.organization


def _rate_limit(*, user: Any, iph: str, now: dt.datetime) -> None:
    if user is not None:
        today = start_of_day(timezone.localdate(now))
        if (
            Enquiry.objects.filter(asker_user=user, received_at__gte=today).count()
            >= PER_ASKER_PER_DAY
        ):
            raise TooManyRequests(
                _("每人每天最多提交 %(PER_ASKER_PER_DAY)s 件咨询、建议、申请或举报，请明天再提交。")
                % {"PER_ASKER_PER_DAY": PER_ASKER_PER_DAY},
                code=Code.ENQUIRY_DAILY_LIMIT,
            )
    if iph and (
        Enquiry.objects.filter(ip_hash=iph, received_at__gte=now - dt.timedelta(hours=1)).count()
        >= PER_IP_PER_HOUR
    ):
        raise TooManyRequests(
            _("当前网络提交过于频繁，请一小时后再试。"), code=Code.ENQUIRY_IP_LIMIT
        )


def enquiry_submit(
    *,
    data: EnquiryInput,
    actor: Actor | None,
    ip: str = "",
    now: dt.datetime | None = None,
) -> tuple[Enquiry, str]:
    """Receive an item. Returns it and, for an anonymous report, the follow-up code (shown
    once; only its hash is kept)."""
    from caidan.documents.services import document_check_file

    kind, title = data.kind, data.title
    actor = actor or Actor.anonymous(ip=ip)
    ip = ip or getattr(actor, "ip", "")
    user, identity, organization = _asker(actor, kind, data.anonymous)
    checked = [(f, document_check_file(f)) for f in data.files]
    lookup_actor = actor if user is not None else Actor.anonymous(ip=ip)
    subject = resolve_subject(
        subject_type=data.subject_type,
        subject_id=data.subject_id,
        official=data.official,
        unit_id=data.unit_id,
        actor=lookup_actor,
    )
    unit, concerned = route(kind, subject)
    now = now or timezone.now()
    iph = ip_hash(ip)
    code = ""
    if user is None:
        code = secrets.token_urlsafe(12)
    stored: list[str] = []
    try:
        with transaction.atomic():
            _rate_limit(user=user, iph=iph, now=now)
            e = Enquiry.objects.create(
                kind=kind,
                subject_type=subject.type,
                subject_id=subject.id,
                subject_label=subject.label[:300],
                unit=unit,
                concerned_unit=concerned,
                asker_user=user,
                asker_identity=identity,
                asker_organization=organization,
                followup_code_hash=followup_hash(code) if code else "",
                ip_hash=iph,
                title=title,
                body=data.body,
                received_at=now,
                due_on=add_working_days(now, answer_working_days(kind)),
                publish_consent=data.publish_consent and kind in PUBLISHABLE_KINDS,
            )
            for upload, info in checked:
                a = EnquiryAttachment(
                    enquiry=e,
                    original_name=info.name,
                    content_type=info.kind.content_type,
                    size=info.size,
                    sha256=info.sha256,
                )
                a.file.save(f"upload.{info.extension}", upload, save=False)
                stored.append(a.file.name)
                a.save()
            # A report is recorded without who made it: the audit log is read by overseers.
            audit_record(
                kind=EventKind.ENQUIRY_SUBMITTED,
                actor=actor if kind != EnquiryKind.REPORT else Actor.anonymous(),
                target=e,
                new={
                    "kind": kind,
                    "subject_type": subject.type,
                    "subject_id": subject.id,
                    "unit": unit.pk,
                    "concerned_unit": concerned.pk if concerned else None,
                    "due_on": e.due_on.isoformat(),
                    "attachments": len(checked),
                },
                ip="" if kind == EnquiryKind.REPORT else ip,
            )
            notify(
                recipients=unit_handlers(unit),
                kind=f"enquiry.{kind}",
                title=f"请答复{e.get_kind_display()}，截止 {due_day(e.due_on)}：{title}",
                body=f"收到{e.get_kind_display()}“{title}”，请在 {e.due_on:%Y-%m-%d} 前答复。",
                url=_url(e),
                task=answer_task(e),
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return e, code
