"""Handling an enquiry: assigning a handler, answering, transferring to the responsible unit,
closing without an answer, and extending an information request's deadline (《政府信息公开
条例》§33)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Membership, User
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.calendar import add_working_days
from caidan.common.errors import Conflict, PermissionDenied, field_error
from caidan.enquiries.codes import Code
from caidan.notifications.services import due_day, notifications_resolve, notify

from ..inputs import (
    EnquiryAnswerInput,
    EnquiryCloseInput,
    EnquiryExtendInput,
    EnquiryTransferInput,
)
from ..lifecycles import enquiry_lifecycle
from ..models import Enquiry, EnquiryAction, EnquiryKind
from ..permissions import HANDLER_ROLES
from ..subjects import related
from ._shared import _check, _handle, _lock, _notify_asker, _url, answer_task, unit_handlers


def enquiry_assign(*, enquiry: Enquiry, handler: User | None, actor: Actor) -> Enquiry:
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
            raise field_error(
                "handler",
                _("承办人必须是办理单位“%(name)s”的在职工作人员。") % {"name": e.unit.name},
            )
        if e.is_report:
            units = Membership.objects.filter(
                user=handler, is_active=True, unit__isnull=False
            ).select_related("unit")
            if any(related(m.unit, e.concerned_unit) for m in units):
                raise field_error("handler", _("承办人不能是被举报单位的工作人员。"))
        enquiry_lifecycle.apply(e, EnquiryAction.ASSIGN, actor=actor, handler=handler)
        if handler.pk != getattr(user_of(actor), "pk", None):
            notify(
                recipients=[handler],
                kind="enquiry.assigned",
                title=f"请您办理并答复，截止 {due_day(e.effective_due_on)}：{e.title}",
                body=f"答复期限 {e.effective_due_on:%Y-%m-%d}。",
                url=_url(e),
                task=answer_task(e),
            )
    return e


def enquiry_answer(*, enquiry: Enquiry, data: EnquiryAnswerInput, actor: Actor) -> Enquiry:
    """The handler answers; the asker is told."""
    _handle(actor, enquiry)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        _check(e, EnquiryAction.ANSWER)
        user = user_of(actor)
        if actor.via != "system" and (user is None or e.handler_id != user.pk):
            raise PermissionDenied(_("只有该事项的承办人可以答复。"), code=Code.NOT_HANDLER)
        enquiry_lifecycle.apply(
            e,
            EnquiryAction.ANSWER,
            actor=actor,
            answer=data.answer,
            answered_at=timezone.now(),
            answered_by=user,
        )
        notifications_resolve(task=answer_task(e))
        _notify_asker(e, f"您的{e.get_kind_display()}已答复：{e.title}")
    return e


def enquiry_transfer(*, enquiry: Enquiry, data: EnquiryTransferInput, actor: Actor) -> Enquiry:
    """Send the item to the unit responsible for it. A report never goes to the unit it
    concerns."""
    _handle(actor, enquiry)
    to_unit, reason = data.to_unit, data.reason
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        _check(e, EnquiryAction.TRANSFER)
        if to_unit.pk == e.unit_id:
            raise field_error("unit_id", _("转办单位与当前办理单位相同。"))
        if e.is_report and related(to_unit, e.concerned_unit):
            raise field_error("unit_id", _("举报不能转给被举报的单位（或其上下级单位）办理。"))
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
        notifications_resolve(task=answer_task(e))  # the old unit's part is done
        notify(
            recipients=unit_handlers(to_unit),
            kind=f"enquiry.{e.kind}",
            title=f"请答复转来的{e.get_kind_display()}，截止 {due_day(e.effective_due_on)}："
            f"{e.title}",
            body=f"由{old_unit.name}转办，理由：{reason}",
            url=_url(e),
            task=answer_task(e),
        )
        _notify_asker(e, f"您的{e.get_kind_display()}已转{to_unit.name}办理：{e.title}", reason)
    return e


def enquiry_close(*, enquiry: Enquiry, data: EnquiryCloseInput, actor: Actor) -> Enquiry:
    """Close without an answer (a duplicate, withdrawn, not a question), saying why."""
    _handle(actor, enquiry)
    reason = data.reason
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
        notifications_resolve(task=answer_task(e))
        _notify_asker(e, f"您的{e.get_kind_display()}已办结：{e.title}", reason)
    return e


def enquiry_extend(
    *,
    enquiry: Enquiry,
    data: EnquiryExtendInput,
    actor: Actor,
    today: dt.date | None = None,
) -> Enquiry:
    """Extend an information request's deadline once, by at most 20 working days, with a
    recorded reason (《政府信息公开条例》§33), before the deadline passes."""
    _handle(actor, enquiry)
    days, reason = data.days, data.reason
    today = today or timezone.localdate()
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if e.kind != EnquiryKind.INFO_REQUEST:
            raise Conflict(_("只有政府信息公开申请可以延长答复期限。"), code=Code.NOT_EXTENDABLE)
        _check(e, EnquiryAction.EXTEND)
        if e.extended_due_on is not None:
            raise Conflict(_("答复期限只能延长一次，已经延长过。"), code=Code.ALREADY_EXTENDED)
        if today > e.due_on:
            raise Conflict(_("答复期限已过，不能再延长。"), code=Code.PAST_DUE)
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
