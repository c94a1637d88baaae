"""Notifications: an in-app inbox per person, plus email through Django's email backend
(console in development). Email is sent after the surrounding transaction commits, so a
rolled-back decision never mails anyone."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from caidan.common.errors import NotFound

from .models import Notification


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Put a message in each recipient's inbox (one bulk insert) and, after commit, email
    those who have an address. Call it inside the service that made the decision."""
    people = [r for r in recipients if r is not None]
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=p, kind=kind, title=title[:200], body=body, url=url)
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


def notification_mark_read(*, user, notification_id: int) -> Notification:
    row = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if row is None:
        raise NotFound("找不到该通知。")
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
