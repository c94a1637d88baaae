"""Historical approvals: bring a jurisdiction's past project library (from spreadsheets and
meeting minutes) onto the platform, so statistics cover the years before it existed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import field_error
from caidan.common.money import to_money
from caidan.common.perms import Perm

from ..models import Proposal, ProposalFunding, ProposalStatus
from ..totals import plan_totals_of, plan_totals_shift
from .review import _reserve_within_ceiling


def proposals_import_historical(
    *, unit, year: int, rows: list[dict[str, Any]], reference: str, actor: Actor
) -> list[Proposal]:
    """Record already-approved projects of a past year, each within the year's ceiling.

    ``rows``: ``{"title", "budget", "catalog_item", "purchase_mode"?, "procurement_method"?}``.
    ``reference`` cites the decision (e.g. "2012 年区审定委员会会议纪要").
    """
    require(actor, Perm.PROJECTS_SET_CEILING)
    if year >= timezone.localdate().year:
        raise field_error("year", _("只能导入以往年度已立项的项目。"))
    if not (reference or "").strip():
        raise field_error("reference", _("请注明审定依据（会议纪要等）。"))
    created = []
    with transaction.atomic():
        for i, row in enumerate(rows):
            budget = to_money(row["budget"], field=f"rows.{i}.budget")
            proposal = Proposal(
                title=row["title"],
                year=year,
                unit=unit,
                catalog_item=row["catalog_item"],
                budget=budget,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                purchase_mode=row.get("purchase_mode", "outsourcing"),
                procurement_method=row.get("procurement_method", "open_tender"),
                status=ProposalStatus.APPROVED,  # created as approved: no transition
                decision_reference=reference,
                created_by=user_of(actor),
            )
            _reserve_within_ceiling(proposal)
            proposal.decided_at = timezone.make_aware(dt.datetime(year, 3, 31, 12))
            proposal.save()
            ProposalFunding.objects.create(proposal=proposal, source="fiscal", amount=budget)
            created.append(proposal)
        # created approved: they enter the plan's totals (ceilings were checked row by row)
        plan_totals_shift({}, plan_totals_of(p.pk for p in created))
        audit_record(
            kind=EventKind.PROPOSALS_IMPORTED,
            actor=actor,
            target=unit,
            new={
                "year": year,
                "count": len(created),
                "reference": reference,
                "ids": [p.pk for p in created],
            },
        )
    return created
