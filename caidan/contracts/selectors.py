"""Reads for contracts: lists by role (keyset-paginated), a contract with its plan,
reports and history, what is late (for both parties' dashboards)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from caidan.accounts.models import Role
from caidan.accounts.permissions import can
from caidan.audit.models import AuditEvent
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import Page, keyset_paginate

from . import permissions  # noqa: F401 - registers the rules
from .models import PUBLIC_STATUSES, Contract, ContractStatus, Instalment, Report, ReportStatus


def _base() -> QuerySet[Contract]:
    return Contract.objects.select_related("unit", "organization", "tender")


def contract_list_for(
    *,
    actor,
    status: str = "",
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """A purchaser: its units' contracts; a provider: its own; admin / auditors: all;
    everyone else: the public (signed) ones."""
    if actor.has_role(Role.PURCHASER):
        qs = _base().filter(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        qs = _base().filter(Q(organization=actor.organization) | Q(status__in=PUBLIC_STATUSES))
    elif actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR):
        qs = _base()
    else:
        qs = _base().filter(status__in=PUBLIC_STATUSES)
    if status:
        if status not in ContractStatus.values:
            raise field_error("status", f"状态“{status}”无效。")
        qs = qs.filter(status=status)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(reference__iexact=search)
            | Q(organization__name__icontains=search)
        )
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def contract_get(*, pk: Any, actor) -> Contract:
    try:
        contract = _base().get(pk=int(pk))
    except (Contract.DoesNotExist, TypeError, ValueError):
        raise NotFound("合同不存在。") from None
    if not can(actor, "contracts.view", contract) and not contract.is_public:
        raise NotFound("合同不存在。")
    return contract


def contract_for_award(award) -> Contract | None:
    return Contract.objects.filter(award=award, year_index=1).exclude(status="cancelled").first()


def instalments_of(contract: Contract) -> list[Instalment]:
    return list(contract.instalments.select_related("payment").order_by("sequence"))


def reports_of(contract: Contract) -> list[Report]:
    return list(contract.reports.order_by("due_on", "id"))


def report_get(*, contract: Contract, pk: Any) -> Report:
    try:
        return contract.reports.get(pk=int(pk))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise NotFound("报告不存在。") from None


def contract_history(contract: Contract, *, actor) -> list[AuditEvent]:
    """Who did what: for the two parties, the platform admin and auditors."""
    from .permissions import party_to

    if not (party_to(actor, contract) or can(actor, "contracts.oversee")):
        return []
    return list(
        AuditEvent.objects.filter(
            target_type="contracts.contract", target_id=str(contract.pk)
        ).order_by("seq")[:500]
    )


def overdue_for(actor) -> dict[str, list]:
    """Late items for a party's dashboard: unsigned past 30 days, reports past due,
    instalments whose gate opened and that are unpaid."""
    today = timezone.localdate()
    if actor.has_role(Role.PURCHASER):
        scope = Q(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        scope = Q(organization=actor.organization)
    else:
        return {"unsigned": [], "reports": [], "instalments": []}
    contracts = Contract.objects.filter(scope)
    return {
        "unsigned": list(
            contracts.filter(status=ContractStatus.DRAFT, sign_due__lt=timezone.now())[:50]
        ),
        "reports": list(
            Report.objects.filter(
                contract__in=contracts.filter(status=ContractStatus.ACTIVE),
                status__in=[ReportStatus.DUE, ReportStatus.RETURNED],
                due_on__lt=today,
            ).select_related("contract")[:50]
        ),
        "instalments": list(
            Instalment.objects.filter(
                contract__in=contracts.filter(status=ContractStatus.ACTIVE),
                gate_opened_at__isnull=False,
                payment__isnull=True,
            ).select_related("contract")[:50]
        ),
    }
