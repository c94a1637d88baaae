"""Evaluations: the public results, one evaluation (open ones for those who work on it), the
report PDF; the purchaser's evaluator, scheduling and own score; the evaluator's scores and
publication."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.api_auth import optional_actor
from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, page_response

from .. import selectors, services
from ..affordances import evaluation_work_affordances
from ..inputs import PurchaserScoreInput, ScoresInput, SubjectWaiverInput
from ..models import EvaluationStatus
from .access import body_id, contract_for, evaluation_for
from .routing import router
from .schemas import EvaluationDetailOut, EvaluationOut, OrgRef, evaluation_seen


def detail(actor, evaluation_id: int):
    return evaluation_seen(evaluation_for(actor, evaluation_id))


# --- public reads -------------------------------------------------------------------------------


@router.get(
    "",
    response={200: PageOut[EvaluationOut], **ERRORS},
    auth=None,
    summary="已公布的绩效评价结果（公开）",
    description="按公布时间倒序；可按阶段（pre / mid / final）、等级、承接主体筛选。",
)
def list_results(
    request,
    stage: str = "",
    grade: str = "",
    organization_id: int | None = None,
    cursor: str | None = None,
    limit: int = 20,
):
    if organization_id is not None:
        body_id(organization_id, "organization_id", "承接主体编号无效。")
    page = selectors.evaluation_results_page(
        stage=stage, grade=grade, organization_id=organization_id, cursor=cursor, limit=limit
    )
    return page_response(page)


@router.get(
    "/my/evaluations",
    response={200: PageOut[EvaluationOut], **ERRORS},
    summary="受托的绩效评价（第三方评估机构）",
    description="本机构受托项目的各阶段评价，按应完成日期排序；status=open 只看评价中的。",
)
def my_evaluations(request, status: str = "", cursor: str | None = None, limit: int = 20):
    actor = request.auth
    require(actor, Perm.EVALUATIONS_EVALUATE)
    page = selectors.evaluations_assigned_page(
        actor=actor, status=status, cursor=cursor, limit=limit
    )
    return page_response(page)


@router.get(
    "/{int:evaluation_id}",
    response={200: EvaluationDetailOut, **ERRORS},
    auth=None,
    summary="绩效评价详情（已公布的公开；评价中的仅相关方可见）",
    description=(
        "各级指标的得分与评分依据、计算指标的比率和得分、多主体（购买方、服务对象、"
        "第三方）得分与权重、综合得分与等级、评价结论。评价中的评价仅购买方、受托评估机构、"
        "承接主体、平台管理员和审计可见。"
    ),
)
def get_evaluation(request, evaluation_id: int):
    return detail(optional_actor(request), evaluation_id)


@router.get(
    "/{int:evaluation_id}/report.pdf",
    response={**ERRORS},
    auth=None,
    summary="绩效评价报告（PDF，已公布的公开）",
    openapi_extra={
        "responses": {
            200: {
                "description": "评价报告 PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def evaluation_report(request, evaluation_id: int):
    from django.http import Http404, HttpResponse

    from ..pdf import evaluation_pdf

    e = evaluation_for(optional_actor(request), evaluation_id)
    if e.status != EvaluationStatus.PUBLISHED:
        raise Http404
    response = HttpResponse(evaluation_pdf(e), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{e.contract.reference}-{e.stage}.pdf"'
    return response


# --- purchaser: evaluator, scheduling, own score -------------------------------------------------


class AppointIn(Schema):
    organization_id: int


class AppointmentOut(Schema):
    contract_id: int
    organization: OrgRef
    appointed_at: dt.datetime


@router.post(
    "/contracts/{contract_id}/evaluator",
    response={200: AppointmentOut, **ERRORS},
    summary="委托第三方评估机构（可在评分开始前更换）",
    description=(
        "须为登记的第三方评估机构，且与承接主体无隶属关系（不是承接主体本身、其枢纽组织、"
        "其下属组织或同一枢纽组织下的组织）：否则 400，detail.field 为 organization。"
    ),
)
def appoint_evaluator(request, contract_id: int, payload: AppointIn):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    org_id = body_id(payload.organization_id, "organization_id", "找不到该社会组织。")
    org = selectors.organization_find(organization_id=org_id)
    if org is None:
        raise field_error("organization_id", _("找不到该社会组织。"))
    return services.evaluator_appoint(contract=contract, organization=org, actor=actor)


class ScheduleIn(Schema):
    stage: str  # pre (前期指导) / mid (中期测评) / final (终期评估)
    due_on: dt.date | None = None


@router.post(
    "/contracts/{contract_id}/evaluations",
    response={201: EvaluationDetailOut, **ERRORS},
    summary="安排一个阶段的绩效评价（须先委托评估机构；每阶段一次）",
    description=(
        "due_on 缺省时：前期指导为服务期开始后一个月，中期测评为服务期过半后一个月，"
        "终期评估为项目年度结束后两个月内（遇节假日顺延至工作日）。"
    ),
)
def schedule_evaluation(request, contract_id: int, payload: ScheduleIn):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    e = services.evaluation_schedule(
        contract=contract, stage=payload.stage, due_on=payload.due_on, actor=actor
    )
    return Status(201, detail(actor, e.pk))


@router.get(
    "/contracts/{contract_id}/evaluations",
    response={200: list[EvaluationOut], **ERRORS},
    auth=None,
    summary="项目各阶段的绩效评价（公开已公布的；相关方另见评价中的）",
)
def contract_evaluations(request, contract_id: int):
    actor = optional_actor(request)
    contract = contract_for(actor, contract_id)
    work = evaluation_work_affordances(actor, contract)
    return [e for e in work.evaluations if work.see_work or e.is_public]


class PurchaserScoreIn(Schema):
    score: Any  # "85.50" or 85; floats are refused


@router.post(
    "/{int:evaluation_id}/purchaser-score",
    response={200: EvaluationDetailOut, **ERRORS},
    summary="购买方评分（0–100，多主体评价之一）",
)
def purchaser_score(request, evaluation_id: int, payload: PurchaserScoreIn):
    actor = request.auth
    e = evaluation_for(actor, evaluation_id)
    services.evaluation_purchaser_score(
        evaluation=e, actor=actor, data=PurchaserScoreInput.parse(payload.dict())
    )
    return detail(actor, evaluation_id)


# --- evaluator: scores and publication ---------------------------------------------------------------


class ScoresIn(Schema):
    scores: dict[str, Any]  # leaf code → {"score", "evidence"} (实际完成率: "actual", "planned")
    summary: str = ""


@router.put(
    "/{int:evaluation_id}/scores",
    response={200: EvaluationDetailOut, **ERRORS},
    summary="第三方评估机构评分（末级指标，附评分依据；可分次保存）",
    description=(
        "scores：{指标编号: {score, evidence}}，得分在 0 与该指标权重之间、最多两位小数，"
        "以字符串或整数给出；每项须有评分依据。实际完成率可给出 actual、planned 由平台计算。"
        "错误时 detail.field 为 scores.<编号>.score 或 scores.<编号>.evidence。"
    ),
)
def score_evaluation(request, evaluation_id: int, payload: ScoresIn):
    actor = request.auth
    e = evaluation_for(actor, evaluation_id)
    services.evaluation_score(
        evaluation=e,
        actor=actor,
        data=ScoresInput.parse(payload.dict()),
    )
    return detail(actor, evaluation_id)


@router.post(
    "/{int:evaluation_id}/publish",
    response={200: EvaluationDetailOut, **ERRORS},
    summary="提交并公布评价结果（计算综合得分与等级，并产生效果）",
    description=(
        "中期测评、终期评估合格（中及以上）时开放相应的付款条件；终期评估计入承接主体的"
        "履约记录；终期评估为“差”时按设置将承接主体列入负面清单。"
    ),
)
def publish_evaluation(request, evaluation_id: int):
    actor = request.auth
    e = evaluation_for(actor, evaluation_id)
    services.evaluation_publish(evaluation=e, actor=actor)
    return detail(actor, evaluation_id)


class WaiverIn(Schema):
    subject: str
    reason: str = ""


@router.post(
    "/{int:evaluation_id}/waivers",
    response={200: EvaluationDetailOut, **ERRORS},
    summary="购买方记录免评：某一评价主体（购买方评分、满意度调查）无法取得结果，写明理由",
    description=(
        "公布评价结果须有权重所列每一评价主体的结果，或购买方记录的免评。第三方指标评分不能"
        "免评；已有结果的主体无需免评。免评记入审计日志，随评价结果公开。"
    ),
)
def waive_subject(request, evaluation_id: int, payload: WaiverIn):
    actor = request.auth
    e = evaluation_for(actor, evaluation_id)
    services.evaluation_subject_waive(
        evaluation=e, data=SubjectWaiverInput.parse(payload.dict()), actor=actor
    )
    return detail(actor, evaluation_id)
