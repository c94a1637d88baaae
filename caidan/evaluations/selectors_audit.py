"""Reads for financial audit and standardisation assessments: the auditor's plans and the
findings on their contracts (with who may see each), the assessments by role."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.common.errors import NotAuthenticated, NotFound
from caidan.common.pagination import Page, keyset_paginate

from . import permissions as evaluation_permissions
from .models import AssessmentStatus, AuditFinding, AuditPlan, OrgAssessment
from .selectors import _find, _int, _valid

# --- audit ------------------------------------------------------------------------------------------


def audit_plans(limit: int = 200) -> list[AuditPlan]:
    return list(
        AuditPlan.objects.select_related("unit")
        .annotate(
            n_contracts=Count("contracts", distinct=True),
            n_findings=Count("findings", distinct=True),
        )
        .order_by("-year", "-id")[:limit]
    )


def audit_plan_get(*, pk: Any) -> AuditPlan:
    plan = AuditPlan.objects.select_related("unit").filter(pk=_int(pk)).first()
    if plan is None:
        raise NotFound(_("审计计划不存在。"))
    return plan


def audit_plan_for(unit, year: int) -> AuditPlan | None:
    return AuditPlan.objects.filter(unit=unit, year=year).first()


def _findings() -> QuerySet:
    return AuditFinding.objects.select_related(
        "contract", "contract__unit", "contract__organization", "plan"
    )


def findings_open(limit: int = 200) -> list[AuditFinding]:
    return list(_findings().exclude(status="closed").order_by("rectify_by", "id")[:limit])


def findings_of_plan(plan) -> list[AuditFinding]:
    return list(_findings().filter(plan=plan).order_by("rectify_by", "id"))


def findings_of_contract(contract) -> list[AuditFinding]:
    return list(_findings().filter(contract=contract).order_by("rectify_by", "id"))


def finding_get_for(*, pk: Any, actor) -> AuditFinding:
    """Auditors and the platform admin; the contract's purchaser and provider."""
    finding = _findings().filter(pk=_int(pk)).first()
    if finding is None:
        raise NotFound(_("审计发现不存在。"))
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    c = finding.contract
    if not (
        actor.has_role(Role.AUDITOR, Role.PLATFORM_ADMIN)
        or evaluation_permissions.purchaser_of(actor, c)
        or evaluation_permissions.provider_of(actor, c)
    ):
        raise NotFound(_("审计发现不存在。"))
    return finding


# assessments ------------------------------------------------------------------------------------


def _assessments() -> QuerySet:
    return OrgAssessment.objects.select_related("organization", "evaluator", "decided_by")


def assessments_for(actor, limit: int = 200) -> list[OrgAssessment]:
    """The registration authority and the admin: all, pending first; an evaluator: its
    organization's; a provider: those of its organization."""
    qs = _assessments()
    if actor.has_role(Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN):
        pass
    elif actor.has_role(Role.EVALUATOR) and actor.organization is not None:
        qs = qs.filter(evaluator=actor.organization)
    elif actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        qs = qs.filter(organization=actor.organization)
    else:
        return []
    rows = list(qs.order_by("-id")[:limit])
    return sorted(rows, key=lambda a: (a.status != AssessmentStatus.SUBMITTED, -a.pk))


def assessment_get_for(*, pk: Any, actor) -> OrgAssessment:
    a = _assessments().filter(pk=_int(pk)).first()
    if a is None:
        raise NotFound(_("评估记录不存在。"))
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    mine = actor.organization is not None and actor.organization.pk in (
        a.organization_id,
        a.evaluator_id,
    )
    if not (actor.has_role(Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN) or mine):
        raise NotFound(_("评估记录不存在。"))
    return a


def assessable_organizations(*, exclude=None) -> QuerySet:
    """Active organizations, by name; ``exclude``: one not to offer (the assessor itself)."""
    from caidan.orgs.models import Organization

    qs = Organization.objects.filter(status=Organization.Status.ACTIVE).order_by("name")
    return qs if exclude is None else qs.exclude(pk=exclude.pk)


def findings_page_for(
    *,
    actor,
    status: str = "",
    contract_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Auditors and the platform admin: every finding; a purchaser: those on its units'
    projects; a provider: those on its own. Earliest deadline first, one keyset page.
    (The caller checks the role.)"""
    qs = _findings()
    if actor.has_role(Role.PURCHASER):
        qs = qs.filter(contract__unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        qs = qs.filter(contract__organization=actor.organization)
    elif not actor.has_role(Role.AUDITOR, Role.PLATFORM_ADMIN):
        qs = qs.none()
    if status := _valid(status, AuditFinding.Status.values, "status", "状态"):
        qs = qs.filter(status=status)
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    return keyset_paginate(qs, ordering=("rectify_by", "id"), cursor=cursor, limit=limit)


# --- for the audit pages and API -----------------------------------------------------------


def unit_find(*, unit_id: Any):
    from caidan.accounts.models import Unit

    return _find(Unit.objects.all(), unit_id)


def units_for_audit() -> QuerySet:
    """Every unit, in tree order (an audit plan is for one unit and its subtree)."""
    from caidan.accounts.models import Unit

    return Unit.objects.order_by("path")


def audit_plan_contracts(plan, *, ordering: str = "reference") -> list:
    """The contracts an audit plan covers, with their unit and provider."""
    return list(plan.contracts.select_related("unit", "organization").order_by(ordering))


def audit_plan_contract_ids(plan) -> list[int]:
    return list(plan.contracts.values_list("pk", flat=True))


def unit_year_contract_list(unit, year: int, *, limit: int = 500) -> list:
    """The signed contracts an audit plan of ``unit`` for ``year`` may cover, by reference."""
    from .services.audit import unit_year_contracts

    return list(
        unit_year_contracts(unit, year).select_related("organization").order_by("reference")[:limit]
    )
