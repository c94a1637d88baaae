"""Locking a tender and failing it; its status moves only by ``tender_lifecycle.apply``."""

from __future__ import annotations

from caidan.common.actor import Actor

from ..lifecycles import tender_lifecycle
from ..models import Tender, TenderAction


def lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().select_related("unit", "proposal").get(pk=tender.pk)


def fail(tender: Tender, *, reason: str, actor: Actor) -> Tender:
    """废标 (call inside a transaction, on a locked tender): record the reason, tell the
    purchaser and the bidders."""
    tender_lifecycle.apply(
        tender, TenderAction.FAIL, actor=actor, note=reason, failed_reason=reason
    )
    from caidan.accounts.selectors import organization_users, unit_officers
    from caidan.notifications.services import notifications_resolve, notify

    from ..tasks import award_task, draw_task

    notifications_resolve(task=[award_task(tender), draw_task(tender)])

    officers = unit_officers(tender.unit)
    bidders = organization_users(set(tender.bids.values_list("organization", flat=True)))
    notify(
        recipients=list(officers) + [u for u in bidders if u not in officers],
        kind="tender.failed",
        title=f"废标：{tender.title}",
        body=f"{tender.reference}“{tender.title}”废标。理由：{reason}",
        url=f"/procurement/tenders/{tender.pk}/",
    )
    return tender
