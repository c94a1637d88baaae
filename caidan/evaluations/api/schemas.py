"""The evaluations API's output schemas. Each reads the attributes (or, for the rows a
selector computes, the keys) of the object it is given; ``evaluation_seen``,
``audit_plan_seen`` and ``survey_created_seen`` add what comes from other reads."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Schema

from caidan.common.schemas import AsSeen

from .. import selectors, selectors_audit, services
from ..models import AuditFinding, Evaluation, EvaluationStatus
from ..services.frameworks import TEMPLATE_NAME


def str_or_none(value) -> str | None:
    return None if value is None else str(value)


# --- references ---------------------------------------------------------------------------------


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


# --- evaluations --------------------------------------------------------------------------------


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

    @staticmethod
    def resolve_stage_label(e) -> str:
        return e.get_stage_display()

    @staticmethod
    def resolve_status_label(e) -> str:
        return e.get_status_display()

    @staticmethod
    def resolve_overdue(e) -> bool:
        return e.status == EvaluationStatus.OPEN and e.due_on < timezone.localdate()

    @staticmethod
    def resolve_total(e) -> str | None:
        return str_or_none(e.total)

    @staticmethod
    def resolve_grade_label(e) -> str:
        return e.get_grade_display() if e.grade else ""

    @staticmethod
    def resolve_url(e) -> str:
        return f"/evaluations/{e.pk}/"


class IndicatorResultOut(Schema):
    # Read from a row of ``selectors.indicator_rows``.
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

    @staticmethod
    def resolve_weight(row) -> str:
        return str(row["weight"])

    @staticmethod
    def resolve_formula(row) -> str:
        return row["computed"] or ""

    @staticmethod
    def resolve_formula_text(row) -> str:
        return str(row["formula"] or "")

    @staticmethod
    def resolve_target(row) -> str:
        return row.get("target") or ""

    @staticmethod
    def resolve_points(row) -> str | None:
        return str_or_none(row["points"])

    @staticmethod
    def resolve_computed_points(row) -> str | None:
        return str_or_none(row["computed_points"])

    @staticmethod
    def resolve_rate(row) -> str | None:
        return str_or_none(row["rate"])

    @staticmethod
    def resolve_evaluator_score(row) -> str | None:
        return (row.get("entry") or {}).get("score")

    @staticmethod
    def resolve_evidence(row) -> str | None:
        return (row.get("entry") or {}).get("evidence")

    @staticmethod
    def resolve_actual(row) -> str | None:
        return (row.get("entry") or {}).get("actual")

    @staticmethod
    def resolve_planned(row) -> str | None:
        return (row.get("entry") or {}).get("planned")


class SubjectOut(Schema):
    # Read from a row of ``selectors.subject_rows``.
    key: str  # purchaser / recipients / evaluator
    label: str
    score: str | None
    weight: int | None

    @staticmethod
    def resolve_label(row) -> str:
        return str(row["label"])

    @staticmethod
    def resolve_score(row) -> str | None:
        return str_or_none(row["score"])

    @staticmethod
    def resolve_weight(row) -> int | None:
        return None if row["weight"] is None else int(row["weight"])


class FrameworkRef(Schema):
    id: int
    name: str
    frozen_at: dt.datetime | None


class EvaluationDetailOut(EvaluationOut):
    # Read from ``evaluation_seen(…)``.
    evaluator: OrgRef | None
    framework: FrameworkRef | None
    indicators: list[IndicatorResultOut]
    subjects: list[SubjectOut]
    summary: str
    waivers: dict[str, dict]  # subject → {reason, by, by_name, at}: the purchaser's waivers


def evaluation_seen(e: Evaluation) -> AsSeen:
    """An evaluation with its evaluator, framework, indicator results and subjects."""
    appointment = selectors.appointment_of(e.contract)
    return AsSeen(
        e,
        evaluator=appointment.organization if appointment else None,
        framework=selectors.framework_of(e.contract),
        indicators=selectors.indicator_rows(e),
        subjects=selectors.subject_rows(e),
    )


# --- frameworks and templates -------------------------------------------------------------------


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
    # Read from ``selectors.framework_or_template``.
    id: int | None  # null: the project has no framework yet (the general template is shown)
    contract_id: int
    name: str
    from_template: bool
    frozen_at: dt.datetime | None
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_from_template(f) -> bool:
        return f.pk is None


class TemplateOut(Schema):
    id: int
    name: str
    is_default: bool
    indicators: list[IndicatorOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_is_default(t) -> bool:
        return t.name == TEMPLATE_NAME


# --- surveys ------------------------------------------------------------------------------------


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

    @staticmethod
    def resolve_open(s) -> bool:
        return s.opens_on <= timezone.localdate() <= s.closes_on


class SurveyCreatedOut(SurveyOut):
    tokens: list[str]  # shown once: only their hashes are stored


class SurveySummaryOut(Schema):
    # Read from ``selectors.surveys_of`` (which counts responses and tokens).
    slug: str
    title: str
    opens_on: dt.date
    closes_on: dt.date
    responses: int
    tokens: int

    @staticmethod
    def resolve_responses(s) -> int:
        return s.n_responses

    @staticmethod
    def resolve_tokens(s) -> int:
        return s.n_tokens


# --- hearings, assessments ----------------------------------------------------------------------


class HearingOut(Schema):
    id: int
    contract_id: int
    held_on: dt.date
    place: str
    participants: str
    opinions: str
    follow_up: str
    created_at: dt.datetime


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

    @staticmethod
    def resolve_score(a) -> str:
        return str(a.score)

    @staticmethod
    def resolve_status_label(a) -> str:
        return a.get_status_display()


# --- financial audit ----------------------------------------------------------------------------


class ContractBriefOut(Schema):
    id: int
    reference: str
    title: str
    amount: str

    @staticmethod
    def resolve_amount(c) -> str:
        return str(c.amount)


class CoverageOut(Schema):
    # Read from ``services.audit_coverage``.
    count: int
    amount: str
    total: str
    share: str | None  # planned amount ÷ the unit-year's total (0.5714 = 57.14 %)

    @staticmethod
    def resolve_amount(coverage) -> str:
        return str(coverage["amount"])

    @staticmethod
    def resolve_total(coverage) -> str:
        return str(coverage["total"])

    @staticmethod
    def resolve_share(coverage) -> str | None:
        return str_or_none(coverage["share"])


class AuditPlanOut(Schema):
    # Read from ``audit_plan_seen(…)``.
    id: int
    year: int
    unit: UnitRef
    note: str
    contracts: list[ContractBriefOut]
    coverage: CoverageOut


def audit_plan_seen(plan) -> AsSeen:
    return AsSeen(
        plan,
        contracts=selectors_audit.audit_plan_contracts(plan, ordering="id"),
        coverage=services.audit_coverage(plan),
    )


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

    @staticmethod
    def resolve_year(f) -> int:
        return f.plan.year

    @staticmethod
    def resolve_overdue(f) -> bool:
        return f.status != AuditFinding.Status.CLOSED and f.rectify_by < timezone.localdate()

    @staticmethod
    def resolve_status_label(f) -> str:
        return f.get_status_display()


# --- the providers' track record ----------------------------------------------------------------


class TrackRecordRowOut(Schema):
    evaluation_id: int
    contract: ContractRef
    year: int
    total: str
    grade: str
    grade_label: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_total(r) -> str:
        return str(r.total)

    @staticmethod
    def resolve_grade_label(r) -> str:
        return r.get_grade_display()


class PartRecordOut(Schema):
    """A part a member group delivered through a hub (issue 21)."""

    evaluation_id: int
    contract: ContractRef
    part: str
    hub: OrgRef
    score: str
    grade: str
    grade_label: str

    @staticmethod
    def resolve_contract(r):
        return r.evaluation.contract

    @staticmethod
    def resolve_part(r) -> str:
        return r.part.title

    @staticmethod
    def resolve_score(r) -> str:
        return str(r.score)

    @staticmethod
    def resolve_grade_label(r) -> str:
        return r.get_grade_display()


class TrackRecordOut(Schema):
    organization: OrgRef
    count: int
    average: str | None
    items: list[TrackRecordRowOut]
    parts: list[PartRecordOut] = []
