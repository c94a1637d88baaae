"""Financial audit: the auditor's yearly plans per unit and their findings; the provider
reports the rectification, the auditor closes the finding."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, page_response, renamed_fields
from caidan.contracts import selectors as contract_selectors

from .. import selectors_audit, services
from ..inputs import AuditPlanInput, FindingCloseInput, FindingInput, FindingResponseInput
from .access import body_id, path_id, require_roles
from .routing import router
from .schemas import AuditPlanOut, FindingOut, audit_plan_seen


class AuditPlanIn(Schema):
    year: int
    unit_id: int
    contracts: list[int]  # contract ids
    note: str = ""


@router.post(
    "/audit/plans",
    response={201: AuditPlanOut, **ERRORS},
    summary="制定（或替换）某单位某年度的审计计划（审计）",
    description="同一单位同一年度只有一份计划，再次提交即替换其项目清单；已有审计发现的项目不能移出。",
)
def set_audit_plan(request, payload: AuditPlanIn):
    actor = request.auth
    require(actor, Perm.EVALUATIONS_AUDIT)
    unit = selectors_audit.unit_find(unit_id=body_id(payload.unit_id, "unit_id", "找不到该单位。"))
    if unit is None:
        raise field_error("unit_id", _("找不到该单位。"))
    plan = services.audit_plan_set(
        unit=unit,
        actor=actor,
        data=AuditPlanInput.parse(
            year=payload.year, contracts=payload.contracts, note=payload.note
        ),
    )
    return Status(201, audit_plan_seen(selectors_audit.audit_plan_get(pk=plan.pk)))


class FindingIn(Schema):
    contract_id: int
    description: str
    rectify_by: dt.date


@router.post(
    "/audit/plans/{plan_id}/findings",
    response={201: FindingOut, **ERRORS},
    summary="记录审计发现（审计；项目须在审计计划中，整改期限晚于今天）",
)
def record_finding(request, plan_id: int, payload: FindingIn):
    actor = request.auth
    require(actor, Perm.EVALUATIONS_AUDIT)
    plan = selectors_audit.audit_plan_get(pk=path_id(plan_id))
    contract = contract_selectors.contract_find(
        contract_id=body_id(payload.contract_id, "contract_id", "找不到该合同。")
    )
    if contract is None:
        raise field_error("contract_id", _("找不到该合同。"))
    with renamed_fields(contract="contract_id"):
        finding = services.audit_finding_record(
            plan=plan,
            contract=contract,
            actor=actor,
            data=FindingInput.parse(description=payload.description, rectify_by=payload.rectify_by),
        )
    return Status(201, selectors_audit.finding_get_for(pk=finding.pk, actor=actor))


@router.get(
    "/audit/findings",
    response={200: PageOut[FindingOut], **ERRORS},
    summary="审计发现（审计、平台管理员：全部；购买方：本单位及下级的项目；承接主体：本组织的）",
    description="按整改期限排序；status=open / responded / closed 筛选。",
)
def list_findings(
    request,
    status: str = "",
    contract_id: int | None = None,
    cursor: str | None = None,
    limit: int = 20,
):
    actor = request.auth
    require_roles(actor, Role.AUDITOR, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.PROVIDER, Role.HUB)
    if contract_id is not None:
        body_id(contract_id, "contract_id", "合同编号无效。")
    page = selectors_audit.findings_page_for(
        actor=actor, status=status, contract_id=contract_id, cursor=cursor, limit=limit
    )
    return page_response(page)


class RespondIn(Schema):
    response: str


@router.post(
    "/audit/findings/{finding_id}/respond",
    response={200: FindingOut, **ERRORS},
    summary="报送整改情况（承接主体；销号前可再次报送）",
)
def respond_to_finding(request, finding_id: int, payload: RespondIn):
    actor = request.auth
    finding = selectors_audit.finding_get_for(pk=path_id(finding_id), actor=actor)
    services.audit_finding_respond(
        finding=finding, actor=actor, data=FindingResponseInput.parse(payload.dict())
    )
    return selectors_audit.finding_get_for(pk=finding.pk, actor=actor)


class CloseIn(Schema):
    note: str


@router.post(
    "/audit/findings/{finding_id}/close",
    response={200: FindingOut, **ERRORS},
    summary="整改销号（审计；承接主体报送整改情况后）",
)
def close_finding(request, finding_id: int, payload: CloseIn):
    actor = request.auth
    finding = selectors_audit.finding_get_for(pk=path_id(finding_id), actor=actor)
    services.audit_finding_close(
        finding=finding, actor=actor, data=FindingCloseInput.parse(payload.dict())
    )
    return selectors_audit.finding_get_for(pk=finding.pk, actor=actor)
