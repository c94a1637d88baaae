"""Indicator frameworks: a project's copy (adjustable until the first evaluation freezes it)
and the platform admin's templates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, page_response

from .. import selectors, services
from ..inputs import FrameworkInput, TemplateInput
from .access import body_id, contract_for, path_id, require_insider, require_roles
from .routing import router
from .schemas import FrameworkOut, TemplateOut


@router.get(
    "/contracts/{contract_id}/framework",
    response={200: FrameworkOut, **ERRORS},
    summary="项目的绩效指标体系（购买方、受托评估机构、承接主体、平台管理员、审计）",
    description="项目尚未建立指标体系时返回通用模板（id 为 null）。首次安排评价后冻结。",
)
def get_framework(request, contract_id: int):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    require_insider(actor, contract)
    return selectors.framework_or_template(contract)


class FrameworkIn(Schema):
    indicators: list[dict[str, Any]] | None = None
    template_id: int | None = None  # copy this template's indicators instead


@router.put(
    "/contracts/{contract_id}/framework",
    response={200: FrameworkOut, **ERRORS},
    summary="调整项目的绩效指标体系（首次评价前）",
    description=(
        "indicators：完整的指标树（一级指标决策、过程、产出、效益权重之和 100，产出与效益"
        "合计不低于 60；下级指标权重之和等于上级权重）；或 template_id：改用某一模板。"
        "首次安排评价后冻结（409 frozen）。"
    ),
)
def update_framework(request, contract_id: int, payload: FrameworkIn):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    template = None
    if payload.template_id is not None:
        template = selectors.template_find(
            template_id=body_id(payload.template_id, "template_id", "指标模板不存在。")
        )
        if template is None:
            raise field_error("template_id", _("指标模板不存在。"))
    rows = payload.indicators if payload.indicators is not None else None
    if rows is None:
        if template is None:
            raise field_error("indicators", _("请填写指标，或选择指标模板。"))
        rows = template.indicators
    data = FrameworkInput.parse(indicators=rows)
    with transaction.atomic():  # a framework made here is undone if the update is refused
        framework = services.framework_for_contract(
            contract=contract, actor=actor, template=template
        )
        return services.framework_update(framework=framework, data=data, actor=actor)


# --- admin: indicator templates ------------------------------------------------------------------


@router.get(
    "/templates",
    response={200: PageOut[TemplateOut], **ERRORS},
    summary="绩效指标模板（平台管理员维护；购买方选用）",
)
def list_templates(request, cursor: str | None = None, limit: int = 20):
    require_roles(request.auth, Role.PLATFORM_ADMIN, Role.PURCHASER)
    return page_response(selectors.templates_page(cursor=cursor, limit=limit))


class TemplateIn(Schema):
    name: str
    indicators: list[dict[str, Any]]


@router.post(
    "/templates",
    response={201: TemplateOut, **ERRORS},
    summary="新建绩效指标模板",
)
def create_template(request, payload: TemplateIn):
    template = services.template_save(data=TemplateInput.parse(payload.dict()), actor=request.auth)
    return Status(201, template)


@router.put(
    "/templates/{template_id}",
    response={200: TemplateOut, **ERRORS},
    summary="修改绩效指标模板（已复制到项目的指标体系不受影响）",
)
def update_template(request, template_id: int, payload: TemplateIn):
    actor = request.auth
    require(actor, Perm.EVALUATIONS_MANAGE_TEMPLATES)
    return services.template_save(
        data=TemplateInput.parse(payload.dict()),
        template=selectors.template_get(pk=path_id(template_id)),
        actor=actor,
    )
