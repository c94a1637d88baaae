"""Notifications: an in-app inbox per person, plus email through Django's email backend
(console in development). Email is sent after the surrounding transaction commits, so a
rolled-back decision never mails anyone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import NotFound

from .models import Notification


def due_day(value: dt.date | dt.datetime) -> str:
    """A due date as a reminder says it: "12月8日" (local time for a moment)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.month}月{value.day}日"


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    task: str = "",
) -> list[Notification]:
    """Put a message in each recipient's inbox (one bulk insert) and, after commit, email
    those who have an address. Call it inside the service that made the decision.

    ``task``: the step the message asks for (``"<step>:<object>:<id>"``); the service that
    completes that step calls ``notifications_resolve(task=…)`` and the message shows as done.
    A person is told once per message, however many roles they hold."""
    people = list({r.pk: r for r in recipients if r is not None}.values())
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=p, kind=kind, title=title[:200], body=body, url=url, task=task[:120]
            )
            for p in people
        ]
    )
    if email:
        addresses = sorted({p.email for p in people if p.email})
        if addresses:

            def _send() -> None:
                text = body + (f"\n\n{url}" if url else "")
                send_mail(
                    subject=f"[菜单 Caidan] {title}",
                    message=text,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=addresses,
                    fail_silently=True,
                )

            transaction.on_commit(_send)
    return rows


def notifications_resolve(
    *, task: str | Iterable[str], recipients: Iterable | None = None, now=None
) -> int:
    """Mark the open messages of ``task`` (or of several tasks) done (one UPDATE), because
    the step they ask for has been done — by anyone, or can no longer be done. ``recipients``: only theirs (one member has voted; the
    others' reminders stay open). Call it inside the service that completes the step, so a
    rolled-back step leaves the reminders open. Returns how many were marked."""
    tasks = [task] if isinstance(task, str) else [t for t in task if t]
    if not tasks or not tasks[0]:
        return 0
    rows = Notification.objects.filter(task__in=tasks, done_at__isnull=True)
    if recipients is not None:
        rows = rows.filter(recipient__in=[getattr(r, "pk", r) for r in recipients])
    return rows.update(done_at=now or timezone.now())


def notification_mark_read(*, user, notification_id: int) -> Notification:
    row = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if row is None:
        raise NotFound(_("找不到该通知。"))
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


def notification_mark_group_read(*, user, notification_id: int) -> Notification:
    """Open a record from the grouped inbox: every unread message of mine that links to
    the same record is read (one UPDATE after the lookup)."""
    row = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if row is None:
        raise NotFound(_("找不到该通知。"))
    same = Notification.objects.filter(recipient=user, read_at__isnull=True)
    same = same.filter(url=row.url) if row.url else same.filter(pk=row.pk)
    same.update(read_at=timezone.now())
    return row


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
