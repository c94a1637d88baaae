"""The one idempotent ``tick``: applies due transitions (bid opening, overdue flags,
challenge windows, grade expiry …) when their time has come.

Apps register jobs with ``@tick_job("name")``; ``manage.py tick`` (run by cron or a
systemd timer every minute) calls each with the current time. A job must be idempotent
and safe on several servers at once: select due rows with
``select_for_update(skip_locked=True)`` and change each in its own transaction, so a
restart or two servers ticking together never apply a transition twice or skip one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)

TickFn = Callable[[dt.datetime], int]
JOBS: dict[str, TickFn] = {}


def tick_job(name: str) -> Callable[[TickFn], TickFn]:
    def decorator(fn: TickFn) -> TickFn:
        JOBS[name] = fn
        return fn

    return decorator


@dataclass
class TickResult:
    name: str
    changed: int
    error: str = ""


def run_tick(*, now: dt.datetime | None = None, only: list[str] | None = None) -> list[TickResult]:
    """Run every registered job (or ``only`` these). One failing job does not stop the others."""
    now = now or timezone.now()
    results = []
    for name, fn in sorted(JOBS.items()):
        if only and name not in only:
            continue
        try:
            results.append(TickResult(name, int(fn(now) or 0)))
        except Exception as exc:  # noqa: BLE001 - reported, and the other jobs still run
            log.exception("tick job %s failed", name)
            results.append(TickResult(name, 0, f"{type(exc).__name__}: {exc}"))
    return results


def flag_once(
    due: QuerySet,
    *,
    flag: str,
    now: dt.datetime,
    apply: Callable[[Any], None],
    select_related: tuple[str, ...] = (),
    batch: int = 2000,
) -> int:
    """The overdue-flag pattern of the tick jobs: each row of ``due`` (rows whose time has
    come, with ``flag`` — a nullable timestamp — still empty) is flagged once, in its own
    transaction: locked (rows another server holds are skipped, it is doing them), checked
    again against ``due`` and the flag, stamped with ``now``, then ``apply(row)`` records the
    audit event and sends the notices inside that transaction. At most ``batch`` rows per
    tick; the rest wait for the next minute. Returns how many rows were flagged."""
    unflagged = due.filter(**{f"{flag}__isnull": True})
    changed = 0
    for pk in unflagged.order_by("pk").values_list("pk", flat=True)[:batch]:
        with transaction.atomic():
            row = (
                unflagged.select_for_update(skip_locked=True, of=("self",))
                .select_related(*select_related)
                .filter(pk=pk)
                .first()
            )
            if row is None:
                continue
            setattr(row, flag, now)
            row.save(update_fields=[flag])
            apply(row)
            changed += 1
    return changed
