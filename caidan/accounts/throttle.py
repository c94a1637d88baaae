"""Rate limits shared by every worker and server: counted attempts live in the database.

A limit kept in one process's memory multiplies by the number of workers (the survey limit
of 20 wrong tokens per address was 72 with 4 gunicorn workers). ``throttle_exceeded`` and
``throttle_hit`` count rows of ``ThrottleHit``, so all processes see the same count; the
tick forgets hits older than a day. Login failures (``LoginFailure``) and enquiries (counted
from ``Enquiry.ip_hash``) are already database rows and are counted directly.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from caidan.common.tick import tick_job

from .models import ThrottleHit

KEEP_HITS = dt.timedelta(days=1)


def throttle_count(*, scope: str, key: str, window: dt.timedelta, now=None) -> int:
    now = now or timezone.now()
    return ThrottleHit.objects.filter(scope=scope, key=key[:200], at__gte=now - window).count()


def throttle_exceeded(*, scope: str, key: str, limit: int, window: dt.timedelta, now=None) -> bool:
    """``limit`` or more hits for (scope, key) within ``window`` before ``now``."""
    return throttle_count(scope=scope, key=key, window=window, now=now) >= limit


def throttle_hit(*, scope: str, key: str, now=None) -> None:
    """Count one attempt. Its own row, so it survives the caller's rolled-back transaction
    only if called outside it: callers record the hit before raising."""
    ThrottleHit.objects.create(scope=scope, key=key[:200], at=now or timezone.now())


@tick_job("accounts.purge_throttle_hits")
def purge_throttle_hits(now: dt.datetime) -> int:
    deleted, _ = ThrottleHit.objects.filter(at__lt=now - KEEP_HITS).delete()
    return deleted
