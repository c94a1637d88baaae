"""Bulk expert draws (issue 19 §6: invite experts): the purchaser draws the evaluation
committees of several opened tenders at once. Each tender goes through ``panel_draw`` in
its own transaction (``caidan.common.bulk``): checked (scope, status, committee, seed) and
audited on its own; a refused tender is reported with its reason and stops nothing."""

from __future__ import annotations

from caidan.accounts.models import Role
from caidan.common.actor import Actor
from caidan.common.bulk import BulkOutcome, bulk_apply

from ..models import Tender
from .draw import panel_draw


def tender_label(t: Tender) -> str:
    return f"{t.reference} {t.title}"


def tenders_for_bulk(*, ids: list[int], actor: Actor) -> dict[int, Tender]:
    """The tenders of ``ids`` run by the actor's units (one query): another unit's tender
    is refused in the batch as not found."""
    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return {}
    qs = Tender.objects.select_related("unit").filter(
        pk__in=ids, unit__path__startswith=actor.unit.path
    )
    return {t.pk: t for t in qs}


def panels_draw_bulk(*, ids: list[int], actor: Actor) -> list[BulkOutcome]:
    """Draw each tender's committee and reserves (``panel_draw``), one by one."""
    return bulk_apply(
        ids,
        records=tenders_for_bulk(ids=ids, actor=actor),
        act=lambda t: panel_draw(tender=t, actor=actor),
        label=tender_label,
    )
