"""Standardisation assessments: an evaluator organization assesses another organization; the
registration authority confirms (and registers the grade) or rejects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS

from .. import selectors, selectors_audit, services
from ..inputs import AssessmentInput
from .access import body_id, path_id, require_roles
from .routing import router
from .schemas import AssessmentOut


@router.get(
    "/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    summary="规范化评估（登记管理机关、平台管理员：全部，待确认的在前；评估机构：本机构做出的；"
    "社会组织：对本组织的）",
)
def list_assessments(request):
    actor = request.auth
    require_roles(
        actor,
        Role.REGISTRATION_AUTHORITY,
        Role.PLATFORM_ADMIN,
        Role.EVALUATOR,
        Role.PROVIDER,
        Role.HUB,
    )
    return selectors_audit.assessments_for(actor)


class AssessmentIn(Schema):
    organization_id: int
    score: Any  # "920.50" or 920 (of 1000); floats are refused
    proposed_level: Any  # 1–5 or "5A"
    report: str
    assessed_on: dt.date


@router.post(
    "/assessments",
    response={201: AssessmentOut, **ERRORS},
    summary="提交社会组织规范化评估（第三方评估机构；待登记管理机关确认）",
    description="利益冲突（本机构、所属枢纽组织或同一枢纽下的组织）：400，detail.field 为 organization。",
)
def submit_assessment(request, payload: AssessmentIn):
    actor = request.auth
    require(actor, Perm.EVALUATIONS_ASSESS_ORGS)
    org_id = body_id(payload.organization_id, "organization_id", "找不到该社会组织。")
    org = selectors.organization_find(organization_id=org_id)
    if org is None:
        raise field_error("organization_id", _("找不到该社会组织。"))
    a = services.assessment_submit(
        organization=org,
        actor=actor,
        data=AssessmentInput.parse(
            score=payload.score,
            proposed_level=payload.proposed_level,
            report=payload.report,
            assessed_on=payload.assessed_on,
        ),
    )
    return Status(201, selectors_audit.assessment_get_for(pk=a.pk, actor=actor))


class DecideIn(Schema):
    confirm: bool
    note: str = ""


@router.post(
    "/assessments/{assessment_id}/decide",
    response={200: AssessmentOut, **ERRORS},
    summary="确认（并登记等级）或不予确认规范化评估（登记管理机关）",
)
def decide_assessment(request, assessment_id: int, payload: DecideIn):
    actor = request.auth
    a = selectors_audit.assessment_get_for(pk=path_id(assessment_id), actor=actor)
    services.assessment_decide(
        assessment=a, confirm=payload.confirm, note=payload.note, actor=actor
    )
    return selectors_audit.assessment_get_for(pk=a.pk, actor=actor)
