"""Writes for enquiries: submit, assign, answer, transfer, close, extend, publish, hide.

Each service is ``enquiry_<action>(*, …, actor)``: one transaction, the row locked, the
lifecycle checked against ``TRANSITIONS``, one audit event inside the transaction,
notifications to the unit's officers and the asker.

Deadlines: an information request is answered within 20 working days, extendable once by
up to 20 working days with a recorded reason (《政府信息公开条例》§33); the other kinds
within ``enquiry_answer_working_days`` working days (a jurisdiction setting, default 10).
"""

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

from caidan.accounts.actor import Actor, user_of
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.calendar import add_working_days, local_date, start_of_day
from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    TooManyRequests,
    field_error,
)
from caidan.common.masking import scrub_text
from caidan.common.tick import flag_once, tick_job
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import notify

from . import permissions  # noqa: F401 - registers the rules
from .lifecycles import enquiry_lifecycle
from .models import (
    ANSWER_MAX,
    BODY_MAX,
    BODY_MIN,
    INFO_REQUEST_WORKING_DAYS,
    MAX_EXTENSION_WORKING_DAYS,
    OPEN_STATUSES,
    PUBLISHABLE_KINDS,
    TITLE_MAX,
    Enquiry,
    EnquiryAction,
    EnquiryAttachment,
    EnquiryKind,
)
from .permissions import HANDLER_ROLES, is_asker
from .subjects import related, resolve_subject, route

PER_ASKER_PER_DAY = 10  # per person (one verified identity is one account)
PER_IP_PER_HOUR = 20  # per client address, anonymous reports included
MAX_ATTACHMENTS = 5


# --- helpers -----------------------------------------------------------------------------


def _key() -> bytes:
    return (getattr(settings, "IDENTITY_HASH_KEY", "") or settings.SECRET_KEY).encode()


def ip_hash(ip: str) -> str:
    """A keyed hash of the client address: enough to rate-limit, useless to identify."""
    if not ip:
        return ""
    return hmac.new(_key(), f"enquiry-ip:{ip}".encode(), hashlib.sha256).hexdigest()


def followup_hash(code: str) -> str:
    return hashlib.sha256(f"enquiry-followup:{code.strip()}".encode()).hexdigest()


def _text(field: str, label: str, value: Any, *, minimum: int, maximum: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise field_error(field, f"“{label}”不能为空。")
    if len(text) < minimum:
        raise field_error(field, f"“{label}”至少 {minimum} 个字（当前 {len(text)} 个）。")
    if len(text) > maximum:
        raise field_error(field, f"“{label}”不能超过 {maximum} 个字（当前 {len(text)} 个）。")
    return text


def _line(field: str, label: str, value: Any, *, maximum: int) -> str:
    return _text(field, label, " ".join(str(value or "").split()), minimum=1, maximum=maximum)


def answer_working_days(kind: str) -> int:
    if kind == EnquiryKind.INFO_REQUEST:
        return INFO_REQUEST_WORKING_DAYS
    return int(setting_value("enquiry_answer_working_days"))


def unit_handlers(unit: Unit) -> list[User]:
    """Active officers of exactly ``unit`` who may handle its enquiries."""
    return list(
        User.objects.filter(
            memberships__role__in=HANDLER_ROLES,
            memberships__unit=unit,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def _url(e: Enquiry) -> str:
    return f"/enquiries/{e.pk}/"


def _notify_asker(e: Enquiry, title: str, body: str = "") -> None:
    if e.asker_user_id:
        notify(
            recipients=[e.asker_user], kind=f"enquiry.{e.kind}", title=title, body=body, url=_url(e)
        )


def _lock(enquiry: Enquiry) -> Enquiry:
    return (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("unit", "concerned_unit", "asker_user", "handler")
        .get(pk=enquiry.pk)
    )


def _check(e: Enquiry, action: str) -> None:
    enquiry_lifecycle.check(e.status, action)


def _handle(actor: Any, e: Enquiry) -> None:
    """Officers outside the item's scope get "not found", never a hint that it exists."""
    from caidan.accounts.permissions import can

    if not getattr(actor, "is_authenticated", False) and actor.via != "system":
        raise NotAuthenticated("请先登录。")
    if not can(actor, "enquiries.handle", e):
        from .permissions import can_view

        if can_view(actor, e):
            require(actor, "enquiries.handle", e)  # a readable "no permission"
        from caidan.common.errors import NotFound

        raise NotFound("找不到该事项。")


# --- submission --------------------------------------------------------------------------


def _asker(actor: Any, kind: str, anonymous: bool) -> tuple[Any, Any, Any]:
    """(user, resident identity, organization) — all None for an anonymous report."""
    authenticated = getattr(actor, "is_authenticated", False)
    if kind == EnquiryKind.REPORT:
        if not authenticated or anonymous:
            return None, None, None
        require(actor, "enquiries.report")
    else:
        if not authenticated:
            raise NotAuthenticated(
                "提出咨询、建议或信息公开申请需要先验证身份（居民请用手机号验证）。",
                code="not_authenticated",
            )
        require(actor, "enquiries.ask")
    identity = None
    if actor.has_role(Role.RESIDENT):
        from caidan.needs.models import ResidentIdentity

        identity = ResidentIdentity.objects.filter(user=actor.user).first()
        if identity is None:
            raise PermissionDenied(
                "您的账户尚未完成居民身份验证，请先用手机号验证身份。", code="identity_required"
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
                f"每人每天最多提交 {PER_ASKER_PER_DAY} 件咨询、建议、申请或举报，请明天再提交。",
                code="enquiry_daily_limit",
            )
    if iph and (
        Enquiry.objects.filter(ip_hash=iph, received_at__gte=now - dt.timedelta(hours=1)).count()
        >= PER_IP_PER_HOUR
    ):
        raise TooManyRequests("当前网络提交过于频繁，请一小时后再试。", code="enquiry_ip_limit")


def enquiry_submit(
    *,
    actor: Any,
    kind: str,
    subject_type: str,
    title: str,
    body: str,
    subject_id: Any = None,
    official: str = "",
    unit_id: Any = None,
    publish_consent: bool = False,
    anonymous: bool = False,
    files: list | tuple = (),
    ip: str = "",
    now: dt.datetime | None = None,
) -> tuple[Enquiry, str]:
    """Receive an item. Returns it and, for an anonymous report, the follow-up code (shown
    once; only its hash is kept)."""
    from caidan.documents.services import document_check_file

    kind = str(kind or "")
    if kind not in EnquiryKind.values:
        raise field_error("kind", "请选择类型：咨询、建议、信息公开申请或举报。")
    actor = actor or Actor.anonymous(ip=ip)
    ip = ip or getattr(actor, "ip", "")
    user, identity, organization = _asker(actor, kind, bool(anonymous))
    title = _line("title", "标题", title, maximum=TITLE_MAX)
    body = _text("body", "内容", body, minimum=BODY_MIN, maximum=BODY_MAX)
    files = [f for f in (files or []) if f]
    if len(files) > MAX_ATTACHMENTS:
        raise field_error("files", f"附件最多 {MAX_ATTACHMENTS} 个。")
    checked = [(f, document_check_file(f)) for f in files]
    lookup_actor = actor if user is not None else Actor.anonymous(ip=ip)
    subject = resolve_subject(
        subject_type=subject_type,
        subject_id=subject_id,
        official=official,
        unit_id=unit_id,
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
                body=body,
                received_at=now,
                due_on=add_working_days(now, answer_working_days(kind)),
                publish_consent=bool(publish_consent) and kind in PUBLISHABLE_KINDS,
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
                title=f"收到{e.get_kind_display()}：{title}",
                body=f"请在 {e.due_on:%Y-%m-%d} 前答复。",
                url=_url(e),
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return e, code


# --- handling ----------------------------------------------------------------------------


def enquiry_assign(*, enquiry: Enquiry, handler: User, actor: Any) -> Enquiry:
    """Give the item a handler: an officer of the handling unit (reassigning is allowed)."""
    _handle(actor, enquiry)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        _check(e, EnquiryAction.ASSIGN)
        ok = (
            handler is not None
            and handler.is_active
            and Membership.objects.filter(
                user=handler, role__in=HANDLER_ROLES, unit=e.unit, is_active=True
            ).exists()
        )
        if not ok:
            raise field_error("handler", f"承办人必须是办理单位“{e.unit.name}”的在职工作人员。")
        if e.is_report:
            units = Membership.objects.filter(
                user=handler, is_active=True, unit__isnull=False
            ).select_related("unit")
            if any(related(m.unit, e.concerned_unit) for m in units):
                raise field_error("handler", "承办人不能是被举报单位的工作人员。")
        enquiry_lifecycle.apply(e, EnquiryAction.ASSIGN, actor=actor, handler=handler)
        if handler.pk != getattr(user_of(actor), "pk", None):
            notify(
                recipients=[handler],
                kind="enquiry.assigned",
                title=f"请您办理：{e.title}",
                body=f"答复期限 {e.effective_due_on:%Y-%m-%d}。",
                url=_url(e),
            )
    return e


def enquiry_answer(*, enquiry: Enquiry, answer: str, actor: Any) -> Enquiry:
    """The handler answers; the asker is told."""
    _handle(actor, enquiry)
    answer = _text("answer", "答复", answer, minimum=1, maximum=ANSWER_MAX)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        _check(e, EnquiryAction.ANSWER)
        user = user_of(actor)
        if actor.via != "system" and (user is None or e.handler_id != user.pk):
            raise PermissionDenied("只有该事项的承办人可以答复。", code="not_handler")
        enquiry_lifecycle.apply(
            e,
            EnquiryAction.ANSWER,
            actor=actor,
            answer=answer,
            answered_at=timezone.now(),
            answered_by=user,
        )
        _notify_asker(e, f"您的{e.get_kind_display()}已答复：{e.title}")
    return e


def enquiry_transfer(*, enquiry: Enquiry, to_unit: Unit, reason: str, actor: Any) -> Enquiry:
    """Send the item to the unit responsible for it. A report never goes to the unit it
    concerns."""
    _handle(actor, enquiry)
    reason = _line("reason", "转办理由", reason, maximum=500)
    if not isinstance(to_unit, Unit):
        raise field_error("unit_id", "请选择转办的单位。")
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        _check(e, EnquiryAction.TRANSFER)
        if to_unit.pk == e.unit_id:
            raise field_error("unit_id", "转办单位与当前办理单位相同。")
        if e.is_report and related(to_unit, e.concerned_unit):
            raise field_error("unit_id", "举报不能转给被举报的单位（或其上下级单位）办理。")
        old_unit = e.unit
        enquiry_lifecycle.apply(
            e,
            EnquiryAction.TRANSFER,
            actor=actor,
            note=reason,
            transferred_from=old_unit,
            unit=to_unit,
            handler=None,
            transfer_reason=reason,
        )
        notify(
            recipients=unit_handlers(to_unit),
            kind=f"enquiry.{e.kind}",
            title=f"转来的{e.get_kind_display()}：{e.title}",
            body=f"由{old_unit.name}转办，理由：{reason}",
            url=_url(e),
        )
        _notify_asker(e, f"您的{e.get_kind_display()}已转{to_unit.name}办理：{e.title}", reason)
    return e


def enquiry_close(*, enquiry: Enquiry, reason: str, actor: Any) -> Enquiry:
    """Close without an answer (a duplicate, withdrawn, not a question), saying why."""
    _handle(actor, enquiry)
    reason = _line("reason", "办结理由", reason, maximum=500)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        enquiry_lifecycle.apply(
            e,
            EnquiryAction.CLOSE,
            actor=actor,
            note=reason,
            close_reason=reason,
            closed_at=timezone.now(),
        )
        _notify_asker(e, f"您的{e.get_kind_display()}已办结：{e.title}", reason)
    return e


def enquiry_extend(
    *, enquiry: Enquiry, days: Any, reason: str, actor: Any, today: dt.date | None = None
) -> Enquiry:
    """Extend an information request's deadline once, by at most 20 working days, with a
    recorded reason (《政府信息公开条例》§33), before the deadline passes."""
    _handle(actor, enquiry)
    reason = str(reason or "").strip()
    if not reason:
        raise field_error("reason", "延长答复期限须填写理由。")
    if len(reason) > 500:
        raise field_error("reason", "“延期理由”不能超过 500 个字。")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise field_error("days", "延长的工作日数须为整数。") from None
    if not 1 <= days <= MAX_EXTENSION_WORKING_DAYS:
        raise field_error(
            "days", f"延长的期限为 1 至 {MAX_EXTENSION_WORKING_DAYS} 个工作日（条例第三十三条）。"
        )
    today = today or timezone.localdate()
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if e.kind != EnquiryKind.INFO_REQUEST:
            raise Conflict("只有政府信息公开申请可以延长答复期限。", code="not_extendable")
        _check(e, EnquiryAction.EXTEND)
        if e.extended_due_on is not None:
            raise Conflict("答复期限只能延长一次，已经延长过。", code="already_extended")
        if today > e.due_on:
            raise Conflict("答复期限已过，不能再延长。", code="past_due")
        new_due = add_working_days(e.due_on, days)
        e.extended_due_on = new_due
        e.extension_reason = reason
        e.extended_at = timezone.now()
        e.save(update_fields=["extended_due_on", "extension_reason", "extended_at"])
        audit_record(
            kind=EventKind.ENQUIRY_EXTENDED,
            actor=actor,
            target=e,
            old={"due_on": e.due_on.isoformat()},
            new={"extended_due_on": new_due.isoformat(), "days": days},
            note=reason,
        )
        _notify_asker(
            e,
            f"答复期限已延长至 {new_due:%Y-%m-%d}：{e.title}",
            f"延期理由：{reason}",
        )
    return e


def enquiry_publish(*, enquiry: Enquiry, actor: Any) -> Enquiry:
    """Publish an answered enquiry or suggestion whose asker agreed, with phone and ID
    numbers in the text masked. Who asked is never published."""
    _handle(actor, enquiry)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if e.kind not in PUBLISHABLE_KINDS:
            raise Conflict("只有咨询和建议的答复可以公开。", code="not_publishable")
        _check(e, EnquiryAction.PUBLISH)
        if not e.publish_consent:
            raise Conflict("提出人未同意公开，不能公开。", code="no_consent")
        if e.hidden:
            raise Conflict("该事项已被屏蔽，不能公开。", code="hidden")
        if e.published:
            raise Conflict("该答复已经公开。", code="already_published")
        e.published = True
        e.published_at = timezone.now()
        e.published_title = scrub_text(e.title)[:TITLE_MAX]
        e.published_body = scrub_text(e.body)
        e.published_answer = scrub_text(e.answer)
        e.save(
            update_fields=[
                "published",
                "published_at",
                "published_title",
                "published_body",
                "published_answer",
            ]
        )
        audit_record(
            kind=EventKind.ENQUIRY_PUBLISHED, actor=actor, target=e, new={"published": True}
        )
    return e


def _unpublish(e: Enquiry) -> list[str]:
    if not e.published:
        return []
    e.published = False
    return ["published"]


def enquiry_set_consent(*, enquiry: Enquiry, consent: bool, actor: Any) -> Enquiry:
    """The asker agrees to publication, or withdraws agreement (which unpublishes)."""
    if not is_asker(actor, enquiry):
        from caidan.common.errors import NotFound

        raise NotFound("找不到该事项。")
    with transaction.atomic():
        e = _lock(enquiry)
        if e.kind not in PUBLISHABLE_KINDS:
            raise Conflict("只有咨询和建议的答复可以公开。", code="not_publishable")
        old = e.publish_consent
        e.publish_consent = bool(consent)
        fields = ["publish_consent", *([] if consent else _unpublish(e))]
        e.save(update_fields=fields)
        audit_record(
            kind=EventKind.ENQUIRY_CONSENT_CHANGED,
            actor=actor,
            target=e,
            old={"publish_consent": old},
            new={"publish_consent": e.publish_consent, "published": e.published},
        )
    return e


def enquiry_hide(*, enquiry: Enquiry, reason: str, actor: Any) -> Enquiry:
    """Moderation: hide an abusive item (it is unpublished, and stays on the record)."""
    _handle(actor, enquiry)
    reason = _line("reason", "屏蔽理由", reason, maximum=300)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if e.hidden:
            raise Conflict("该事项已被屏蔽。", code="already_hidden")
        e.hidden = True
        e.hidden_reason = reason
        e.save(update_fields=["hidden", "hidden_reason", *_unpublish(e)])
        audit_record(
            kind=EventKind.ENQUIRY_HIDDEN, actor=actor, target=e, new={"hidden": True}, note=reason
        )
    return e


def enquiry_restore(*, enquiry: Enquiry, reason: str, actor: Any) -> Enquiry:
    _handle(actor, enquiry)
    reason = _line("reason", "恢复理由", reason, maximum=300)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if not e.hidden:
            raise Conflict("该事项未被屏蔽。", code="not_hidden")
        e.hidden = False
        e.hidden_reason = ""
        e.save(update_fields=["hidden", "hidden_reason"])
        audit_record(
            kind=EventKind.ENQUIRY_RESTORED,
            actor=actor,
            target=e,
            new={"hidden": False},
            note=reason,
        )
    return e


# --- overdue -----------------------------------------------------------------------------


@tick_job("enquiries.overdue")
def flag_overdue(now: dt.datetime) -> int:
    """Flag, once, each open item past its (extended) due date; tell the unit."""
    from django.db.models import Q

    today = local_date(now)
    due = Q(extended_due_on__isnull=True, due_on__lt=today) | Q(extended_due_on__lt=today)
    system = Actor.system()

    def apply(e: Enquiry) -> None:
        audit_record(
            kind=EventKind.ENQUIRY_OVERDUE,
            actor=system,
            target=e,
            new={"due_on": e.effective_due_on.isoformat()},
        )
        recipients = {u.pk: u for u in unit_handlers(e.unit)}
        if e.handler_id:
            recipients[e.handler_id] = e.handler
        notify(
            recipients=list(recipients.values()),
            kind="enquiry.overdue",
            title=f"逾期未答复：{e.title}",
            body=f"{e.get_kind_display()}的答复期限 {e.effective_due_on:%Y-%m-%d} 已过。",
            url=_url(e),
        )

    return flag_once(
        Enquiry.objects.filter(due, status__in=OPEN_STATUSES),
        flag="overdue_flagged_at",
        now=now,
        apply=apply,
        select_related=("unit", "handler"),
    )


__all__ = [
    "enquiry_answer",
    "enquiry_assign",
    "enquiry_close",
    "enquiry_extend",
    "enquiry_hide",
    "enquiry_publish",
    "enquiry_restore",
    "enquiry_set_consent",
    "enquiry_submit",
    "enquiry_transfer",
    "flag_overdue",
    "followup_hash",
]
