"""The tick job that tells a unit about its residents' needs left unmet for a year.

A visible need stated more than ``gaps.UNMET_AFTER`` ago and linked to no approved project
(``Proposal.needs``) is flagged once (``UnmetNeedFlag``, one row per need). Each run tells
each unit's purchasers, in one message, how many of its needs were newly flagged and links
to the unit's gap table. Idempotent and safe on several servers: the needs of a unit are
locked (``skip_locked``) and the flags inserted in the same transaction, so a need is never
flagged or counted twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caidan.common.tick import tick_job

from .gaps import UNMET_AFTER, _approved_link
from .models import UnmetNeedFlag

BATCH = 2000  # needs flagged per run at most; the rest wait for the next run
RUN_AT_HOUR = 2  # local time: the tick runs every minute, the scan once in this hour


def _due(now: dt.datetime):
    from caidan.needs.models import Need

    return (
        Need.objects.public()
        .filter(created_at__lte=now - UNMET_AFTER)
        .filter(~_approved_link("need"))
        .filter(~Exists(UnmetNeedFlag.objects.filter(need=OuterRef("pk"))))
    )


def unit_purchasers(unit_id: int):
    from caidan.accounts.models import Role, User

    return list(
        User.objects.filter(
            memberships__role=Role.PURCHASER,
            memberships__unit_id=unit_id,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def unmet_needs_flag(*, now: dt.datetime | None = None) -> int:
    """Flag the due needs, unit by unit; returns how many needs were flagged."""
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Unit
    from caidan.audit.kinds import EventKind
    from caidan.audit.services import audit_record
    from caidan.notifications.services import notify

    now = now or timezone.now()
    units = sorted(set(_due(now).values_list("unit", flat=True)[:BATCH]))
    flagged = 0
    for unit_id in units:
        with transaction.atomic():
            needs = list(
                _due(now)
                .filter(unit_id=unit_id)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", "created_at")[:BATCH]
            )
            if not needs:
                continue
            UnmetNeedFlag.objects.bulk_create(
                [UnmetNeedFlag(need_id=pk, unit_id=unit_id, flagged_at=now) for pk, _c in needs]
            )
            unit = Unit.objects.get(pk=unit_id)
            year = timezone.localtime(min(c for _pk, c in needs)).year
            audit_record(
                kind=EventKind.NEED_UNMET_FLAGGED,
                actor=Actor.system(),
                target=unit,
                new={"needs": [pk for pk, _c in needs]},
            )
            notify(
                recipients=unit_purchasers(unit_id),
                kind="need.unmet",
                title=_("%(n)d 条居民需求提出已满一年，仍未立项回应") % {"n": len(needs)},
                body=_(
                    "%(unit)s的居民需求中，有 %(n)d 条提出已满一年，尚无已审定的项目回应。"
                    "请在编制下一年度项目和预算时考虑，或在需求页面说明情况。"
                )
                % {"unit": unit.name, "n": len(needs)},
                url=f"{reverse('stats:gaps')}?unit={unit_id}&year={year}",
            )
            flagged += len(needs)
    return flagged


@tick_job("stats.unmet_needs")
def unmet_needs_tick(now: dt.datetime) -> int:
    """Daily: the scan reads every old visible need, so it runs in the night hour only (each
    minute of it; after the first run of the night the later ones find nothing new)."""
    if timezone.localtime(now).hour != RUN_AT_HOUR:
        return 0
    return unmet_needs_flag(now=now)
