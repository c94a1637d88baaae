"""The tick job that flags overdue enquiries once and tells the handling unit."""

from __future__ import annotations

import datetime as dt

from caidan.accounts.actor import Actor
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.calendar import local_date
from caidan.common.tick import flag_once, tick_job
from caidan.notifications.services import notify

from ..models import OPEN_STATUSES, Enquiry
from ._shared import _url, answer_task, unit_handlers


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
            title=f"已逾期，请尽快答复：{e.title}",
            body=f"{e.get_kind_display()}的答复期限 {e.effective_due_on:%Y-%m-%d} 已过。",
            url=_url(e),
            task=answer_task(e),
        )

    return flag_once(
        Enquiry.objects.filter(due, status__in=OPEN_STATUSES),
        flag="overdue_flagged_at",
        now=now,
        apply=apply,
        select_related=("unit", "handler"),
    )
