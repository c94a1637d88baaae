"""API: performance evaluation (绩效评价, 财预〔2020〕10号), satisfaction surveys, hearings,
standardisation assessments, financial audit and the providers' track record (DOMAIN.md
§3.6, §4.5, §4.6). Mounted at ``/api/v1/evaluations``.

Thin handlers: parse → one service (writes) or selector (reads) → schema. Scores, weights
and money are strings ("85.50"); floats are refused. Dates and times are ISO 8601.

Who sees what: published results, the track record, hearing records, a survey's questions
and its aggregate results are public (no login). An evaluation that is still open exists only
for the purchaser, the appointed evaluator, the provider, the platform admin and auditors
(404 for everyone else). Survey respondents need no account: a one-time token is their
credential, and each token answers once (409 ``used``).

Object references in request bodies end in ``_id`` (``organization_id``, ``unit_id``,
``contract_id``…); a conflict of interest is reported on ``organization``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from ninja import Router, Schema, Status

from caidan.accounts.middleware import client_ip
from caidan.accounts.models import Role, Unit
from caidan.accounts.permissions import require
from caidan.common.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    field_error,
)
from caidan.common.schemas import ERRORS, PageOut, page_response, renamed_fields
from caidan.contracts import selectors as contract_selectors
from caidan.contracts.models import Contract
from caidan.orgs.models import Organization

from . import selectors, services
from .models import (
    AuditFinding,
    AuditPlan,
    Evaluation,
    EvaluationStatus,
    Framework,
    Hearing,
    OrgAssessment,
    Survey,
)
from .services.frameworks import TEMPLATE_NAME, template_indicators

router = Router(tags=["evaluations 绩效评价"])

MAX_ID = 2**63


# --- helpers ------------------------------------------------------------------------------------


def _public_actor(request):
    from caidan.api import optional_actor

    return optional_actor(request)


def _str(value) -> str | None:
    return None if value is None else str(value)


def _path_id(value: int) -> int:
    """A path's object id; 404 for a number no row can have (never a database overflow)."""
    if not 0 < value < MAX_ID:
        raise NotFound("对象不存在。")
    return value


def _body_id(value: int | None, field: str, message: str) -> int:
    if value is None or not 0 < value < MAX_ID:
        raise field_error(field, message)
    return value


def _contract(actor, contract_id: int) -> Contract:
    """A contract the actor may know of (drafts: 404 for outsiders)."""
    return contract_selectors.contract_get(pk=_path_id(contract_id), actor=actor)


def _evaluation(actor, evaluation_id: int) -> Evaluation:
    return selectors.evaluation_get_or_404(pk=_path_id(evaluation_id), actor=actor)


def _require_insider(actor, contract: Contract) -> None:
    """401 for visitors; 403 unless the purchaser, the appointed evaluator, the provider, the
    platform admin or an auditor."""
    if not actor.is_authenticated:
        raise NotAuthenticated("请先登录。")
    if not selectors.sees_evaluation_work(actor, contract):
        raise PermissionDenied(
            "只有项目的购买方、受托评估机构、承接主体、平台管理员和审计可以查看。"
        )


def _require_roles(actor, *roles: str) -> None:
    """401 for visitors; 403 unless the actor's active role is one of ``roles``."""
    if not actor.is_authenticated:
        raise NotAuthenticated("请先登录。")
    if not actor.has_role(*roles):
        allowed = "、".join(Role(r).label for r in roles)
        raise PermissionDenied(
            f"当前角色无权进行此操作（需要：{allowed}）。",
            code="permission_denied",
            detail={"required_roles": sorted(roles)},
        )


# --- schemas: references ------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str


class OrgRef(Schema):
    id: int
    name: str
    uscc: str


class ContractRef(Schema):
    id: int
    reference: str
    title: str
    unit: UnitRef
    organization: OrgRef


def _unit(u) -> dict:
    return {"id": u.pk, "name": u.name}


def _org(o) -> dict:
    return {"id": o.pk, "name": o.name, "uscc": o.uscc}


def contract_ref(c: Contract) -> dict:
    return {
        "id": c.pk,
        "reference": c.reference,
        "title": c.title,
        "unit": _unit(c.unit),
        "organization": _org(c.organization),
    }


# --- schemas: evaluations -----------------------------------------------------------------------


class EvaluationOut(Schema):
    id: int
    stage: str
    stage_label: str
    status: str
    status_label: str
    contract: ContractRef
    due_on: dt.date
    overdue: bool
    total: str | None
    grade: str
    grade_label: str
    passed: bool
    published_at: dt.datetime | None
    url: str


def evaluation_out(e: Evaluation) -> dict:
    return {
        "id": e.pk,
        "stage": e.stage,
        "stage_label": e.get_stage_display(),
        "status": e.status,
        "status_label": e.get_status_display(),
        "contract": contract_ref(e.contract),
        "due_on": e.due_on,
        "overdue": e.status == EvaluationStatus.OPEN and e.due_on < timezone.localdate(),
        "total": _str(e.total),
        "grade": e.grade,
        "grade_label": e.get_grade_display() if e.grade else "",
        "passed": e.passed,
        "published_at": e.published_at,
        "url": f"/evaluations/{e.pk}/",
    }


class IndicatorResultOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    weight: str
    category: str
    leaf: bool
    formula: str  # the computed indicator's formula key ("" when scored by hand)
    formula_text: str
    target: str
    points: str | None  # the indicator's points (a parent: the sum of its leaves)
    computed_points: str | None  # from the platform's data, when it could be computed
    rate: str | None  # the computed rate (0.9583 = 95.83 %)
    evaluator_score: str | None  # the evaluator's own score, where given
    evidence: str | None
    actual: str | None  # 实际完成率: the output achieved and planned
    planned: str | None


def indicator_out(row: dict) -> dict:
    entry = row.get("entry") or {}
    return {
        "code": row["code"],
        "name": row["name"],
        "level": row["level"],
        "parent": row["parent"],
        "weight": str(row["weight"]),
        "category": row["category"],
        "leaf": row["leaf"],
        "formula": row["computed"] or "",
        "formula_text": str(row["formula"] or ""),
        "target": row.get("target") or "",
        "points": _str(row["points"]),
        "computed_points": _str(row["computed_points"]),
        "rate": _str(row["rate"]),
        "evaluator_score": entry.get("score"),
        "evidence": entry.get("evidence"),
        "actual": entry.get("actual"),
        "planned": entry.get("planned"),
    }


class SubjectOut(Schema):
    key: str  # purchaser / recipients / evaluator
    label: str
    score: str | None
    weight: int | None


class FrameworkRef(Schema):
    id: int
    name: str
    frozen_at: dt.datetime | None


class EvaluationDetailOut(EvaluationOut):
    evaluator: OrgRef | None
    framework: FrameworkRef | None
    indicators: list[IndicatorResultOut]
    subjects: list[SubjectOut]
    summary: str


def evaluation_detail_out(e: Evaluation) -> dict:
    appointment = selectors.appointment_of(e.contract)
    framework = selectors.framework_of(e.contract)
    return {
        **evaluation_out(e),
        "evaluator": _org(appointment.organization) if appointment else None,
        "framework": None
        if framework is None
        else {"id": framework.pk, "name": framework.name, "frozen_at": framework.frozen_at},
        "indicators": [indicator_out(r) for r in selectors.indicator_rows(e)],
        "subjects": [
            {
                "key": s["key"],
                "label": str(s["label"]),
                "score": _str(s["score"]),
                "weight": None if s["weight"] is None else int(s["weight"]),
            }
            for s in selectors.subject_rows(e)
        ],
        "summary": e.summary,
    }


def _detail(actor, evaluation_id: int) -> dict:
    return evaluation_detail_out(_evaluation(actor, evaluation_id))


# --- schemas: frameworks and templates ------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    weight: str
    category: str
    computed: str
    target: str


class FrameworkOut(Schema):
    id: int | None  # null: the project has no framework yet (the general template is shown)
    contract_id: int
    name: str
    from_template: bool
    frozen_at: dt.datetime | None
    indicators: list[IndicatorOut]


def framework_out(contract: Contract, framework: Framework | None) -> dict:
    if framework is None:
        return {
            "id": None,
            "contract_id": contract.pk,
            "name": TEMPLATE_NAME,
            "from_template": True,
            "frozen_at": None,
            "indicators": template_indicators(),
        }
    return {
        "id": framework.pk,
        "contract_id": contract.pk,
        "name": framework.name,
        "from_template": False,
        "frozen_at": framework.frozen_at,
        "indicators": framework.indicators,
    }


class TemplateOut(Schema):
    id: int
    name: str
    is_default: bool
    indicators: list[IndicatorOut]
    created_at: dt.datetime


def template_out(t: Framework) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "is_default": t.name == TEMPLATE_NAME,
        "indicators": t.indicators,
        "created_at": t.created_at,
    }


# --- public reads: results and the track record -----------------------------------------------------


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
        _body_id(organization_id, "organization_id", "承接主体编号无效。")
    page = selectors.evaluation_results_page(
        stage=stage, grade=grade, organization_id=organization_id, cursor=cursor, limit=limit
    )
    return page_response(page, evaluation_out)


@router.get(
    "/my/evaluations",
    response={200: PageOut[EvaluationOut], **ERRORS},
    summary="受托的绩效评价（第三方评估机构）",
    description="本机构受托项目的各阶段评价，按应完成日期排序；status=open 只看评价中的。",
)
def my_evaluations(request, status: str = "", cursor: str | None = None, limit: int = 20):
    actor = request.auth
    require(actor, "evaluations.evaluate")
    page = selectors.evaluations_assigned_page(
        actor=actor, status=status, cursor=cursor, limit=limit
    )
    return page_response(page, evaluation_out)


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
    return _detail(_public_actor(request), evaluation_id)


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

    from .pdf import evaluation_pdf

    e = _evaluation(_public_actor(request), evaluation_id)
    if e.status != "published":
        raise Http404
    response = HttpResponse(evaluation_pdf(e), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{e.contract.reference}-{e.stage}.pdf"'
    return response


class TrackRecordRowOut(Schema):
    evaluation_id: int
    contract: ContractRef
    year: int
    total: str
    grade: str
    grade_label: str
    recorded_at: dt.datetime


class TrackRecordOut(Schema):
    organization: OrgRef
    count: int
    average: str | None
    items: list[TrackRecordRowOut]


@router.get(
    "/track-records/{organization_id}",
    response={200: TrackRecordOut, **ERRORS},
    auth=None,
    summary="承接主体的履约记录（历年终期评估结果，公开）",
)
def track_record(request, organization_id: int):
    org = Organization.objects.filter(pk=_path_id(organization_id)).first()
    if org is None:
        raise NotFound("社会组织不存在。")
    record = selectors.track_record(org)
    return {
        "organization": _org(org),
        "count": record["count"],
        "average": _str(record["average"]),
        "items": [
            {
                "evaluation_id": r.evaluation_id,
                "contract": {
                    "id": r.contract.pk,
                    "reference": r.contract.reference,
                    "title": r.contract.title,
                    "unit": _unit(r.contract.unit),
                    "organization": _org(org),
                },
                "year": r.year,
                "total": str(r.total),
                "grade": r.grade,
                "grade_label": r.get_grade_display(),
                "recorded_at": r.recorded_at,
            }
            for r in record["rows"]
        ],
    }


# --- purchaser: evaluator, framework, scheduling, own score --------------------------------------


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
    contract = _contract(actor, contract_id)
    require(actor, "evaluations.commission", contract)
    org_id = _body_id(payload.organization_id, "organization_id", "找不到该社会组织。")
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise field_error("organization_id", "找不到该社会组织。")
    appointment = services.evaluator_appoint(contract=contract, organization=org, actor=actor)
    return {
        "contract_id": contract.pk,
        "organization": _org(org),
        "appointed_at": appointment.appointed_at,
    }


@router.get(
    "/contracts/{contract_id}/framework",
    response={200: FrameworkOut, **ERRORS},
    summary="项目的绩效指标体系（购买方、受托评估机构、承接主体、平台管理员、审计）",
    description="项目尚未建立指标体系时返回通用模板（id 为 null）。首次安排评价后冻结。",
)
def get_framework(request, contract_id: int):
    actor = request.auth
    contract = _contract(actor, contract_id)
    _require_insider(actor, contract)
    return framework_out(contract, selectors.framework_of(contract))


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
    contract = _contract(actor, contract_id)
    require(actor, "evaluations.commission", contract)
    template = None
    if payload.template_id is not None:
        template = Framework.objects.filter(
            pk=_body_id(payload.template_id, "template_id", "指标模板不存在。"), is_template=True
        ).first()
        if template is None:
            raise field_error("template_id", "指标模板不存在。")
    rows = payload.indicators if payload.indicators is not None else None
    if rows is None:
        if template is None:
            raise field_error("indicators", "请填写指标，或选择指标模板。")
        rows = template.indicators
    with transaction.atomic():  # a framework made here is undone if the indicators are refused
        framework = services.framework_for_contract(
            contract=contract, actor=actor, template=template
        )
        framework = services.framework_update(framework=framework, indicators=rows, actor=actor)
    return framework_out(contract, framework)


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
    contract = _contract(actor, contract_id)
    e = services.evaluation_schedule(
        contract=contract, stage=payload.stage, due_on=payload.due_on, actor=actor
    )
    return Status(201, _detail(actor, e.pk))


@router.get(
    "/contracts/{contract_id}/evaluations",
    response={200: list[EvaluationOut], **ERRORS},
    auth=None,
    summary="项目各阶段的绩效评价（公开已公布的；相关方另见评价中的）",
)
def contract_evaluations(request, contract_id: int):
    actor = _public_actor(request)
    contract = _contract(actor, contract_id)
    insider = selectors.sees_evaluation_work(actor, contract)
    return [
        evaluation_out(e)
        for e in selectors.evaluations_of(contract)
        if insider or e.status == EvaluationStatus.PUBLISHED
    ]


class PurchaserScoreIn(Schema):
    score: Any  # "85.50" or 85; floats are refused


@router.post(
    "/{int:evaluation_id}/purchaser-score",
    response={200: EvaluationDetailOut, **ERRORS},
    summary="购买方评分（0–100，多主体评价之一）",
)
def purchaser_score(request, evaluation_id: int, payload: PurchaserScoreIn):
    actor = request.auth
    e = _evaluation(actor, evaluation_id)
    services.evaluation_purchaser_score(evaluation=e, score=payload.score, actor=actor)
    return _detail(actor, evaluation_id)


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
    e = _evaluation(actor, evaluation_id)
    services.evaluation_score(
        evaluation=e, scores=payload.scores, summary=payload.summary, actor=actor
    )
    return _detail(actor, evaluation_id)


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
    e = _evaluation(actor, evaluation_id)
    services.evaluation_publish(evaluation=e, actor=actor)
    return _detail(actor, evaluation_id)


# --- admin: indicator templates ------------------------------------------------------------------


@router.get(
    "/templates",
    response={200: PageOut[TemplateOut], **ERRORS},
    summary="绩效指标模板（平台管理员维护；购买方选用）",
)
def list_templates(request, cursor: str | None = None, limit: int = 20):
    actor = request.auth
    _require_roles(actor, Role.PLATFORM_ADMIN, Role.PURCHASER)
    return page_response(selectors.templates_page(cursor=cursor, limit=limit), template_out)


class TemplateIn(Schema):
    name: str
    indicators: list[dict[str, Any]]


@router.post(
    "/templates",
    response={201: TemplateOut, **ERRORS},
    summary="新建绩效指标模板",
)
def create_template(request, payload: TemplateIn):
    actor = request.auth
    template = services.template_save(name=payload.name, indicators=payload.indicators, actor=actor)
    return Status(201, template_out(template))


@router.put(
    "/templates/{template_id}",
    response={200: TemplateOut, **ERRORS},
    summary="修改绩效指标模板（已复制到项目的指标体系不受影响）",
)
def update_template(request, template_id: int, payload: TemplateIn):
    actor = request.auth
    require(actor, "evaluations.manage_templates")
    template = selectors.template_get(pk=_path_id(template_id))
    template = services.template_save(
        name=payload.name, indicators=payload.indicators, template=template, actor=actor
    )
    return template_out(template)


# --- surveys ----------------------------------------------------------------------------------------


class QuestionOut(Schema):
    id: str
    text: str
    kind: str  # likert (1–5) / text


class SurveyOut(Schema):
    slug: str
    title: str
    contract: ContractRef
    opens_on: dt.date
    closes_on: dt.date
    open: bool
    questions: list[QuestionOut]


def survey_out(s: Survey) -> dict:
    today = timezone.localdate()
    return {
        "slug": s.slug,
        "title": s.title,
        "contract": contract_ref(s.contract),
        "opens_on": s.opens_on,
        "closes_on": s.closes_on,
        "open": s.opens_on <= today <= s.closes_on,
        "questions": s.questions,
    }


def _survey(slug: str) -> Survey:
    return selectors.survey_by_slug(slug=slug)


@router.get(
    "/surveys/{slug}",
    response={200: SurveyOut, **ERRORS},
    auth=None,
    summary="满意度调查（公开：题目与时间，不含结果）",
)
def get_survey(request, slug: str):
    return survey_out(_survey(slug))


class SurveyIn(Schema):
    title: str
    opens_on: dt.date
    closes_on: dt.date
    tokens: int  # how many one-time respondent tokens (1–2000)
    questions: list[dict[str, Any]] | None = None  # default: the standard five + a comment


class SurveyCreatedOut(SurveyOut):
    tokens: list[str]  # shown once: only their hashes are stored


@router.post(
    "/contracts/{contract_id}/surveys",
    response={201: SurveyCreatedOut, **ERRORS},
    summary="发起服务对象满意度调查（返回一次性答卷码，仅此一次）",
)
def create_survey(request, contract_id: int, payload: SurveyIn):
    actor = request.auth
    contract = _contract(actor, contract_id)
    survey, tokens = services.survey_create(
        contract=contract,
        title=payload.title,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        tokens=payload.tokens,
        questions=payload.questions,
        actor=actor,
    )
    return Status(201, {**survey_out(_survey(survey.slug)), "tokens": tokens})


class SurveySummaryOut(Schema):
    slug: str
    title: str
    opens_on: dt.date
    closes_on: dt.date
    responses: int
    tokens: int


@router.get(
    "/contracts/{contract_id}/surveys",
    response={200: list[SurveySummaryOut], **ERRORS},
    summary="项目的满意度调查（购买方、受托评估机构、承接主体、平台管理员、审计）",
)
def contract_surveys(request, contract_id: int):
    actor = request.auth
    contract = _contract(actor, contract_id)
    _require_insider(actor, contract)
    return [
        {
            "slug": s.slug,
            "title": s.title,
            "opens_on": s.opens_on,
            "closes_on": s.closes_on,
            "responses": s.n_responses,
            "tokens": s.n_tokens,
        }
        for s in selectors.surveys_of(contract)
    ]


class TokensIn(Schema):
    count: int


class TokensOut(Schema):
    slug: str
    tokens: list[str]


@router.post(
    "/surveys/{slug}/tokens",
    response={201: TokensOut, **ERRORS},
    summary="追加一次性答卷码（仅此一次显示）",
)
def add_tokens(request, slug: str, payload: TokensIn):
    actor = request.auth
    survey = _survey(slug)
    tokens = services.survey_tokens_add(survey=survey, count=payload.count, actor=actor)
    return Status(201, {"slug": survey.slug, "tokens": tokens})


class ResponseIn(Schema):
    token: str
    answers: dict[str, Any]  # question id → 1–5 (likert) or text
    comment: str = ""


class ResponseOut(Schema):
    slug: str
    score: str
    submitted_at: dt.datetime


@router.post(
    "/surveys/{slug}/responses",
    response={201: ResponseOut, **ERRORS},
    auth=None,
    summary="提交满意度答卷（无需登录；每个答卷码只能用一次）",
    description=(
        "答卷码不正确：400，detail.field 为 token；已使用：409 used；不在调查时间内：409 closed。"
    ),
)
def respond_to_survey(request, slug: str, payload: ResponseIn):
    response = services.survey_respond(
        slug=slug,
        token=payload.token,
        answers=payload.answers,
        comment=payload.comment,
        ip=client_ip(request),
    )
    return Status(
        201, {"slug": slug, "score": str(response.score), "submitted_at": response.submitted_at}
    )


class QuestionResultOut(Schema):
    id: str
    text: str
    mean: str | None


class SurveyResultsOut(Schema):
    slug: str
    title: str
    responses: int
    tokens: int
    mean: str | None  # 0–100
    questions: list[QuestionResultOut]
    comments: list[str]  # mobile and ID numbers masked


@router.get(
    "/surveys/{slug}/results",
    response={200: SurveyResultsOut, **ERRORS},
    auth=None,
    summary="满意度调查结果（公开：份数、平均分、各题平均分、意见，个人信息已隐去）",
)
def survey_results(request, slug: str):
    survey = _survey(slug)
    results = services.survey_results(survey)
    return {
        "slug": survey.slug,
        "title": survey.title,
        "responses": results["responses"],
        "tokens": results["tokens"],
        "mean": _str(results["mean"]),
        "questions": [
            {"id": q["id"], "text": q["text"], "mean": _str(results["per_question"].get(q["id"]))}
            for q in survey.questions
            if q["kind"] == "likert"
        ],
        "comments": results["comments"],
    }


# --- hearings ------------------------------------------------------------------------------------


class HearingOut(Schema):
    id: int
    contract_id: int
    held_on: dt.date
    place: str
    participants: str
    opinions: str
    follow_up: str
    created_at: dt.datetime


def hearing_out(h: Hearing) -> dict:
    return {
        "id": h.pk,
        "contract_id": h.contract_id,
        "held_on": h.held_on,
        "place": h.place,
        "participants": h.participants,
        "opinions": h.opinions,
        "follow_up": h.follow_up,
        "created_at": h.created_at,
    }


class HearingIn(Schema):
    held_on: dt.date
    participants: str  # categories and numbers only ("居民代表 12 人"), never personal data
    opinions: str
    follow_up: str = ""
    place: str = ""


@router.post(
    "/contracts/{contract_id}/hearings",
    response={201: HearingOut, **ERRORS},
    summary="记录听证会（每个服务周期 1–2 次；记录公开，不得含个人信息）",
)
def record_hearing(request, contract_id: int, payload: HearingIn):
    actor = request.auth
    contract = _contract(actor, contract_id)
    hearing = services.hearing_record(
        contract=contract,
        held_on=payload.held_on,
        participants=payload.participants,
        opinions=payload.opinions,
        follow_up=payload.follow_up,
        place=payload.place,
        actor=actor,
    )
    return Status(201, hearing_out(hearing))


@router.get(
    "/contracts/{contract_id}/hearings",
    response={200: list[HearingOut], **ERRORS},
    auth=None,
    summary="项目的听证会记录（公开）",
)
def list_hearings(request, contract_id: int):
    contract = _contract(_public_actor(request), contract_id)
    return [hearing_out(h) for h in selectors.hearings_of(contract)]


class FollowUpIn(Schema):
    follow_up: str


@router.post(
    "/contracts/{contract_id}/hearings/{hearing_id}/follow-up",
    response={200: HearingOut, **ERRORS},
    summary="记录听证意见的处理和落实情况",
)
def hearing_follow_up(request, contract_id: int, hearing_id: int, payload: FollowUpIn):
    actor = request.auth
    contract = _contract(actor, contract_id)
    hearing = selectors.hearing_get(contract=contract, pk=_path_id(hearing_id))
    hearing = services.hearing_follow_up(hearing=hearing, follow_up=payload.follow_up, actor=actor)
    return hearing_out(hearing)


# --- standardisation assessments -----------------------------------------------------------------


class AssessmentOut(Schema):
    id: int
    organization: OrgRef
    evaluator: OrgRef
    assessed_on: dt.date
    score: str
    proposed_level: int
    report: str
    status: str
    status_label: str
    decided_at: dt.datetime | None
    decision_note: str
    created_at: dt.datetime


def assessment_out(a: OrgAssessment) -> dict:
    return {
        "id": a.pk,
        "organization": _org(a.organization),
        "evaluator": _org(a.evaluator),
        "assessed_on": a.assessed_on,
        "score": str(a.score),
        "proposed_level": a.proposed_level,
        "report": a.report,
        "status": a.status,
        "status_label": a.get_status_display(),
        "decided_at": a.decided_at,
        "decision_note": a.decision_note,
        "created_at": a.created_at,
    }


@router.get(
    "/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    summary="规范化评估（登记管理机关、平台管理员：全部，待确认的在前；评估机构：本机构做出的；"
    "社会组织：对本组织的）",
)
def list_assessments(request):
    actor = request.auth
    _require_roles(
        actor,
        Role.REGISTRATION_AUTHORITY,
        Role.PLATFORM_ADMIN,
        Role.EVALUATOR,
        Role.PROVIDER,
        Role.HUB,
    )
    return [assessment_out(a) for a in selectors.assessments_for(actor)]


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
    require(actor, "evaluations.assess_orgs")
    org_id = _body_id(payload.organization_id, "organization_id", "找不到该社会组织。")
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise field_error("organization_id", "找不到该社会组织。")
    a = services.assessment_submit(
        organization=org,
        score=payload.score,
        proposed_level=payload.proposed_level,
        report=payload.report,
        assessed_on=payload.assessed_on,
        actor=actor,
    )
    return Status(201, assessment_out(selectors.assessment_get_for(pk=a.pk, actor=actor)))


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
    a = selectors.assessment_get_for(pk=_path_id(assessment_id), actor=actor)
    services.assessment_decide(
        assessment=a, confirm=payload.confirm, note=payload.note, actor=actor
    )
    return assessment_out(selectors.assessment_get_for(pk=a.pk, actor=actor))


# --- financial audit ----------------------------------------------------------------------------------


class ContractBriefOut(Schema):
    id: int
    reference: str
    title: str
    amount: str


class CoverageOut(Schema):
    count: int
    amount: str
    total: str
    share: str | None  # planned amount ÷ the unit-year's total (0.5714 = 57.14 %)


class AuditPlanOut(Schema):
    id: int
    year: int
    unit: UnitRef
    note: str
    contracts: list[ContractBriefOut]
    coverage: CoverageOut


def audit_plan_out(p: AuditPlan) -> dict:
    coverage = services.audit_coverage(p)
    return {
        "id": p.pk,
        "year": p.year,
        "unit": _unit(p.unit),
        "note": p.note,
        "contracts": [
            {"id": c.pk, "reference": c.reference, "title": c.title, "amount": str(c.amount)}
            for c in p.contracts.order_by("id")
        ],
        "coverage": {
            "count": coverage["count"],
            "amount": str(coverage["amount"]),
            "total": str(coverage["total"]),
            "share": _str(coverage["share"]),
        },
    }


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
    require(actor, "evaluations.audit")
    unit_id = _body_id(payload.unit_id, "unit_id", "找不到该单位。")
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise field_error("unit_id", "找不到该单位。")
    plan = services.audit_plan_set(
        year=payload.year,
        unit=unit,
        contracts=payload.contracts,
        note=payload.note,
        actor=actor,
    )
    return Status(201, audit_plan_out(selectors.audit_plan_get(pk=plan.pk)))


class FindingOut(Schema):
    id: int
    plan_id: int
    year: int
    contract: ContractRef
    description: str
    rectify_by: dt.date
    overdue: bool
    status: str
    status_label: str
    response: str
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None
    closing_note: str
    created_at: dt.datetime


def finding_out(f: AuditFinding) -> dict:
    return {
        "id": f.pk,
        "plan_id": f.plan_id,
        "year": f.plan.year,
        "contract": contract_ref(f.contract),
        "description": f.description,
        "rectify_by": f.rectify_by,
        "overdue": f.status != AuditFinding.Status.CLOSED and f.rectify_by < timezone.localdate(),
        "status": f.status,
        "status_label": f.get_status_display(),
        "response": f.response,
        "responded_at": f.responded_at,
        "closed_at": f.closed_at,
        "closing_note": f.closing_note,
        "created_at": f.created_at,
    }


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
    require(actor, "evaluations.audit")
    plan = selectors.audit_plan_get(pk=_path_id(plan_id))
    contract_id = _body_id(payload.contract_id, "contract_id", "找不到该合同。")
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        raise field_error("contract_id", "找不到该合同。")
    with renamed_fields(contract="contract_id"):
        finding = services.audit_finding_record(
            plan=plan,
            contract=contract,
            description=payload.description,
            rectify_by=payload.rectify_by,
            actor=actor,
        )
    return Status(201, finding_out(selectors.finding_get_for(pk=finding.pk, actor=actor)))


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
    _require_roles(
        actor, Role.AUDITOR, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.PROVIDER, Role.HUB
    )
    if contract_id is not None:
        _body_id(contract_id, "contract_id", "合同编号无效。")
    page = selectors.findings_page_for(
        actor=actor, status=status, contract_id=contract_id, cursor=cursor, limit=limit
    )
    return page_response(page, finding_out)


class RespondIn(Schema):
    response: str


@router.post(
    "/audit/findings/{finding_id}/respond",
    response={200: FindingOut, **ERRORS},
    summary="报送整改情况（承接主体；销号前可再次报送）",
)
def respond_to_finding(request, finding_id: int, payload: RespondIn):
    actor = request.auth
    finding = selectors.finding_get_for(pk=_path_id(finding_id), actor=actor)
    services.audit_finding_respond(finding=finding, response=payload.response, actor=actor)
    return finding_out(selectors.finding_get_for(pk=finding.pk, actor=actor))


class CloseIn(Schema):
    note: str


@router.post(
    "/audit/findings/{finding_id}/close",
    response={200: FindingOut, **ERRORS},
    summary="整改销号（审计；承接主体报送整改情况后）",
)
def close_finding(request, finding_id: int, payload: CloseIn):
    actor = request.auth
    finding = selectors.finding_get_for(pk=_path_id(finding_id), actor=actor)
    services.audit_finding_close(finding=finding, note=payload.note, actor=actor)
    return finding_out(selectors.finding_get_for(pk=finding.pk, actor=actor))


__all__ = ["router"]
