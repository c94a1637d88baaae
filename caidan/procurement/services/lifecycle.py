"""The one place a tender changes status: ``transition`` checks ``TRANSITIONS`` and audits."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import Conflict

from ..models import TRANSITIONS, Tender, TenderAction


def transition(tender: Tender, action: str, *, actor: Any, note: str = "", **fields: Any) -> Tender:
    """Apply one lifecycle step to a locked tender (call inside a transaction)."""
    sources, target = TRANSITIONS[action]
    if tender.status not in sources:
        raise Conflict(
            f"采购项目处于“{tender.get_status_display()}”状态，不能{TenderAction(action).label}。",
            code="bad_transition",
            detail={"status": tender.status, "action": str(action)},
        )
    old = tender.status
    tender.status = target
    for key, value in fields.items():
        setattr(tender, key, value)
    tender.save()
    audit_record(
        kind=EventKind.TENDER_TRANSITION,
        actor=actor,
        target=tender,
        old={"status": old},
        new={
            "status": target,
            "action": str(action),
            **{k: str(v) for k, v in fields.items() if k != "result"},
        },
        note=note,
    )
    return tender


def lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().select_related("unit", "proposal").get(pk=tender.pk)


def fail(tender: Tender, *, reason: str, actor: Any) -> Tender:
    """废标 (call inside a transaction, on a locked tender): record the reason, tell the
    purchaser and the bidders."""
    transition(tender, TenderAction.FAIL, actor=actor, note=reason, failed_reason=reason)
    from caidan.accounts.selectors import organization_users, unit_officers
    from caidan.notifications.services import notify

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


def now():
    return timezone.now()
