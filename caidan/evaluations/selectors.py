"""Reads for evaluations (append-only module: each section is owned by whoever added it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import can

# --- web pages: results, scoring, track record, surveys, hearings, audit, assessments -------------
# (added with caidan/evaluations/views.py)
from caidan.common.codes import Common
from caidan.common.errors import NotAuthenticated, NotFound, PermissionDenied, field_error
from caidan.common.masking import scrub_text
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import text_match
from caidan.orgs.search import organization_name_match

from . import permissions as evaluation_permissions
from .formulas import FORMULAS, indicator_score
from .models import (
    Evaluation,
    EvaluationStatus,
    Framework,
    Grade,
    Hearing,
    Stage,
    Survey,
    SurveyQuestionTotals,
    SurveyResponse,
    SurveyToken,
    SurveyTotals,
    TrackRecord,
)

_EVALUATION_RELATED = (
    "contract",
    "contract__organization",
    "contract__unit",
)
SUBJECTS = (
    ("purchaser", _("购买方评分")),
    ("recipients", _("服务对象满意度")),
    ("evaluator", _("第三方指标得分")),
)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("对象不存在。")) from None


def sees_evaluation_work(actor, contract) -> bool:
    """The purchaser, the appointed evaluator, the provider, the platform admin and auditors
    see a contract's unpublished evaluations, surveys and findings."""
    return (
        can(actor, Perm.EVALUATIONS_COMMISSION, contract)
        or can(actor, Perm.EVALUATIONS_EVALUATE, contract)
        or evaluation_permissions.provider_of(actor, contract)
        or actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR)
    )


def published_evaluations(
    *, stage: str = "", grade: str = "", search: str = "", cursor: str | None = None
) -> Page:
    """Published results, newest first (public)."""
    qs = published_evaluation_search(stage=stage, grade=grade, search=search)
    return keyset_paginate(qs, ordering=("-published_at", "-id"), cursor=cursor)


def published_evaluation_search(
    *, stage: str = "", grade: str = "", search: str = ""
) -> QuerySet[Evaluation]:
    """Published results filtered as the public list filters them (unordered, unpaginated:
    the list pages it, the download streams it)."""
    qs = Evaluation.objects.public().select_related(*_EVALUATION_RELATED)
    if stage:
        if stage not in Stage.values:
            raise field_error("stage", _("评价阶段“%(stage)s”无效。") % {"stage": stage})
        qs = qs.filter(stage=stage)
    if grade:
        if grade not in Grade.values:
            raise field_error("grade", _("等级“%(grade)s”无效。") % {"grade": grade})
        qs = qs.filter(grade=grade)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            text_match(search, "contract__title")
            | organization_name_match(search, "contract__organization")
            | Q(contract__reference=search.upper())
        )
    return qs


def evaluation_get_for(*, actor, evaluation_id: Any, conceal: bool = False) -> Evaluation:
    """A published evaluation for anyone; an open one for those who work on it
    (``sees_evaluation_work``): 401 for visitors, 403 for everyone else on a page — 404 with
    ``conceal`` (the API does not confirm that an open evaluation exists, as for contract
    drafts)."""
    e = (
        Evaluation.objects.select_related(*_EVALUATION_RELATED, "published_by")
        .filter(pk=_int(evaluation_id))
        .first()
    )
    if e is None:
        raise NotFound(_("评价不存在。"))
    if e.is_public:
        return e
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    if not sees_evaluation_work(actor, e.contract):
        if conceal:
            raise NotFound(_("评价不存在。"))
        raise PermissionDenied(
            _("该评价尚未公布：只有购买主体、受托的第三方评估机构和承接主体可以查看。"),
            code=Common.OUT_OF_SCOPE,
        )
    return e


def framework_of(contract) -> Framework | None:
    return Framework.objects.filter(contract=contract).first()


def evaluations_of(contract) -> list[Evaluation]:
    order = {s: n for n, s in enumerate(Stage.values)}
    return sorted(contract.evaluations.all(), key=lambda e: order.get(e.stage, 9))


def appointment_of(contract):
    from .models import EvaluatorAppointment

    return (
        EvaluatorAppointment.objects.select_related("organization")
        .filter(contract=contract)
        .first()
    )


def evaluator_organizations() -> QuerySet:
    from caidan.orgs.models import Organization

    return Organization.objects.filter(
        is_evaluator=True, status=Organization.Status.ACTIVE
    ).order_by("name")


def evaluator_tasks(actor) -> list[Evaluation]:
    """The evaluations of the projects the actor's evaluator organization was appointed
    to: open ones first, by due date."""
    if actor.organization is None:
        return []
    rows = Evaluation.objects.filter(
        contract__evaluator_appointment__organization=actor.organization
    ).select_related(*_EVALUATION_RELATED)
    return sorted(rows[:500], key=lambda e: (e.status != EvaluationStatus.OPEN, e.due_on, e.pk))


def evaluator_contracts_unscheduled(actor) -> list:
    """Projects the evaluator was appointed to where no evaluation is scheduled yet."""
    from caidan.contracts.models import Contract

    if actor.organization is None:
        return []
    return list(
        Contract.objects.filter(evaluator_appointment__organization=actor.organization)
        .annotate(n=Count("evaluations"))
        .filter(n=0)
        .select_related("unit", "organization")
        .order_by("-id")[:200]
    )


def indicator_rows(e: Evaluation, *, facts: dict | None = None) -> list[dict[str, Any]]:
    """The framework as rows, each with its points: a leaf's computed score (from the
    published result, or live from the contract's data while open) or the evaluator's score;
    a parent's sum of its leaves' points."""
    from .services.evaluations import computed_rate, contract_facts

    framework = framework_of(e.contract)
    if framework is None:
        return []
    indicators = framework.indicators
    parents = {i["parent"] for i in indicators if i["parent"]}
    published = e.status == EvaluationStatus.PUBLISHED
    if not published and facts is None:
        facts = contract_facts(e.contract)
    rows, points_by_code = [], {}
    for ind in indicators:
        leaf = ind["code"] not in parents
        entry = e.scores.get(ind["code"], {}) if leaf else {}
        rate = points = None
        if leaf and ind["computed"]:
            if published:
                done = e.computed.get(ind["code"])
                if done:
                    rate, points = Decimal(done["rate"]), Decimal(done["score"])
            else:
                rate = computed_rate(ind["computed"], facts, entry)
                points = indicator_score(rate, Decimal(ind["weight"]))
        computed_points = points
        if leaf and points is None and entry.get("score") not in (None, ""):
            points = Decimal(entry["score"])
        if leaf:
            points_by_code[ind["code"]] = points
        rows.append(
            {
                **ind,
                "leaf": leaf,
                "indent": range(ind["level"] - 1),
                "formula": str(FORMULAS.get(ind["computed"], "")),
                "entry": entry,
                "rate": rate,
                "rate_percent": (rate * 100).quantize(Decimal("0.01"))
                if rate is not None
                else None,
                "computed_points": computed_points,
                "points": points,
                "missing": leaf and points is None,
            }
        )
    by_code = {r["code"]: r for r in rows}
    children: dict[str, list[str]] = {}
    for r in rows:
        if r["parent"]:
            children.setdefault(r["parent"], []).append(r["code"])

    def total(code: str) -> Decimal | None:
        if code in points_by_code:
            return points_by_code[code]
        parts = [total(c) for c in children.get(code, [])]
        known = [p for p in parts if p is not None]
        return sum(known, Decimal("0.00")) if known else None

    for r in rows:
        if not r["leaf"]:
            r["points"] = total(r["code"])
    return [by_code[i["code"]] for i in indicators]


def subject_rows(e: Evaluation, weights: dict | None = None) -> list[dict[str, Any]]:
    """The three subjects' scores and weights (the published weights, else the setting)."""
    from caidan.jurisdiction.selectors import setting_value

    if weights is None:
        weights = e.subject_weights or setting_value("evaluation_subject_weights")
    scores = {
        "purchaser": e.purchaser_score,
        "recipients": e.recipients_score,
        "evaluator": e.evaluator_score,
    }
    return [
        {"key": key, "label": label, "score": scores[key], "weight": weights.get(key)}
        for key, label in SUBJECTS
    ]


def track_record(organization) -> dict[str, Any]:
    """A provider's final-evaluation results (public), newest first, with the average."""
    rows = list(
        TrackRecord.objects.filter(organization=organization)
        .select_related("contract", "contract__unit", "contract__organization", "evaluation")
        .order_by("-year", "-id")[:500]
    )
    agg = TrackRecord.objects.filter(organization=organization).aggregate(
        avg=Avg("total"), n=Count("id")
    )
    average = Decimal(agg["avg"]).quantize(Decimal("0.01")) if agg["avg"] is not None else None
    return {"rows": rows, "average": average, "count": agg["n"]}


def part_track_record(organization) -> list:
    """A member group's parts of hub bundles with a published final evaluation, newest
    first: the part, its score and grade, and the hub it delivered them through (public)."""
    from .models import PartResult

    return list(
        PartResult.objects.filter(
            organization=organization,
            evaluation__stage=Stage.FINAL,
            evaluation__status=EvaluationStatus.PUBLISHED,
        )
        .select_related(
            "part", "hub", "evaluation", "evaluation__contract", "evaluation__contract__unit"
        )
        .order_by("-evaluation__published_at", "-id")[:500]
    )


def part_results_of(evaluation) -> list:
    """An evaluation's results per member part (a hub bundle), in the contract's order."""
    from .models import PartResult

    return list(
        PartResult.objects.filter(evaluation=evaluation)
        .select_related("part", "organization")
        .order_by("part__position")
    )


def surveys_of(contract) -> list[Survey]:
    """The contract's surveys, newest first, each with ``n_responses`` and ``n_tokens``
    read from its running totals (one query, whatever the number of answers)."""
    return list(surveys_counted(Survey.objects.filter(contract=contract)).order_by("-id"))


def survey_get(*, pk: Any) -> Survey:
    survey = (
        Survey.objects.select_related("contract", "contract__unit", "contract__organization")
        .filter(pk=_int(pk))
        .first()
    )
    if survey is None:
        raise NotFound(_("调查不存在。"))
    return survey


def hearings_of(contract) -> list[Hearing]:
    return list(Hearing.objects.filter(contract=contract).order_by("held_on", "id"))


def hearing_get(*, contract, pk: Any) -> Hearing:
    hearing = Hearing.objects.filter(contract=contract, pk=_int(pk)).first()
    if hearing is None:
        raise NotFound(_("听证会记录不存在。"))
    return hearing


# --- API: keyset pages (added with caidan/evaluations/api.py) -------------------------------------


def _valid(value: str, choices, field: str, label: str) -> str:
    value = (value or "").strip()
    if value and value not in choices:
        raise field_error(field, _("%(label)s“%(value)s”无效。") % {"label": label, "value": value})
    return value


def evaluation_results_page(
    *,
    stage: str = "",
    grade: str = "",
    organization_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Published results, newest first, one keyset page (public); optionally of one stage,
    one grade or one provider organization."""
    qs = Evaluation.objects.public().select_related(*_EVALUATION_RELATED)
    if stage := _valid(stage, Stage.values, "stage", "评价阶段"):
        qs = qs.filter(stage=stage)
    if grade := _valid(grade, Grade.values, "grade", "等级"):
        qs = qs.filter(grade=grade)
    if organization_id is not None:
        qs = qs.filter(contract__organization_id=organization_id)
    return keyset_paginate(qs, ordering=("-published_at", "-id"), cursor=cursor, limit=limit)


def evaluations_assigned_page(
    *, actor, status: str = "", cursor: str | None = None, limit: int | None = None
) -> Page:
    """The evaluations of the projects the actor's evaluator organization was appointed to,
    soonest due first, one keyset page. (The caller checks the role.)"""
    qs = Evaluation.objects.filter(
        contract__evaluator_appointment__organization=actor.organization
    ).select_related(*_EVALUATION_RELATED)
    if status := _valid(status, EvaluationStatus.values, "status", "状态"):
        qs = qs.filter(status=status)
    return keyset_paginate(qs, ordering=("due_on", "id"), cursor=cursor, limit=limit)


def templates_page(*, cursor: str | None = None, limit: int | None = None) -> Page:
    """Indicator templates, oldest (the general one) first."""
    qs = Framework.objects.filter(is_template=True)
    return keyset_paginate(qs, ordering=("id",), cursor=cursor, limit=limit)


def template_get(*, pk: Any) -> Framework:
    template = Framework.objects.filter(pk=_int(pk), is_template=True).first()
    if template is None:
        raise NotFound(_("指标模板不存在。"))
    return template


def survey_by_slug(*, slug: str) -> Survey:
    """A survey by its public link, with its contract's unit and provider (public)."""
    survey = (
        Survey.objects.select_related("contract", "contract__unit", "contract__organization")
        .filter(slug=str(slug)[:32])
        .first()
    )
    if survey is None:
        raise NotFound(_("调查不存在。"))
    return survey


# --- for the split API and pages: one read per question -----------------------------------------


def _find(qs: QuerySet, pk: Any):
    try:
        return qs.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def organization_find(*, organization_id: Any):
    """An organization by id, or None (the caller names the field it came from)."""
    from caidan.orgs.models import Organization

    return _find(Organization.objects.all(), organization_id)


def template_find(*, template_id: Any) -> Framework | None:
    return _find(Framework.objects.filter(is_template=True), template_id)


def framework_or_template(contract) -> Framework:
    """The project's indicator framework; while it has none, an unsaved copy of the general
    template (``pk`` None), which is what scheduling would start from."""
    from .services.frameworks import TEMPLATE_NAME, template_indicators

    framework = framework_of(contract)
    if framework is not None:
        return framework
    return Framework(contract_id=contract.pk, name=TEMPLATE_NAME, indicators=template_indicators())


def publication_preview(e: Evaluation) -> dict[str, Any]:
    """What publishing ``e`` now would give, without saving: ``preview`` (the computed
    result, or None), ``reasons`` it cannot be published yet, the indicators still
    ``missing`` a score, and the ``subjects`` with the weights publication would use."""
    import copy

    from caidan.common.errors import DomainError

    from .services.evaluations import contract_facts, evaluation_compute

    facts = None if e.status == EvaluationStatus.PUBLISHED else contract_facts(e.contract)
    preview, reasons = None, []
    try:
        preview = evaluation_compute(e, facts=facts)
    except DomainError as exc:
        reasons.append(exc.message)
    missing = [r for r in indicator_rows(e, facts=facts) if r["missing"]]
    if not (e.summary or "").strip():
        reasons.append(str(_("请先在评分页填写评价结论。")))
    subjects = []
    if preview:
        computed = copy.copy(e)
        computed.evaluator_score = preview["evaluator_score"]
        computed.recipients_score = preview["recipients_score"]
        subjects = subject_rows(computed, weights=preview["subject_weights"])
    return {"preview": preview, "reasons": reasons, "missing": missing, "subjects": subjects}


# --- surveys at scale: running totals and paged comments (issue 18) ------------------------------


def likert_ids(questions: list[dict[str, Any]]) -> list[str]:
    """The ids of a survey's 1–5 questions, in order."""
    return [q["id"] for q in questions if q["kind"] == "likert"]


@dataclass
class SurveyCounts:
    """A survey's totals: answers, tokens, the sum of the answers' scores (0–100) and, per
    1–5 question, (points given, answers)."""

    responses: int = 0
    tokens: int = 0
    score_sum: Decimal = Decimal("0.00")
    questions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def mean(self) -> Decimal | None:
        if not self.responses:
            return None
        return (Decimal(self.score_sum) / self.responses).quantize(Decimal("0.01"))

    def question_mean(self, question: str) -> Decimal | None:
        points, answers = self.questions.get(question, (0, 0))
        return (Decimal(points) / answers).quantize(Decimal("0.01")) if answers else None


def survey_totals_computed(questions_by_survey: dict[int, list[dict]]) -> dict[int, SurveyCounts]:
    """The totals of the given surveys (id → its questions) computed from the answers and
    tokens: one aggregate query per set of 1–5 question ids (one for surveys on the standard
    questions), one for the tokens. For ``survey_totals_rebuild`` and for a survey whose
    totals row is missing."""
    out = {
        pk: SurveyCounts(questions=dict.fromkeys(likert_ids(questions), (0, 0)))
        for pk, questions in questions_by_survey.items()
    }
    if not out:
        return out
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for pk, questions in questions_by_survey.items():
        groups[tuple(likert_ids(questions))].append(pk)
    for qids, pks in groups.items():
        sums: dict[str, Any] = {"n": Count("pk"), "s": Sum("score")}
        for i, q in enumerate(qids):  # 1–5 answers are stored as JSON numbers
            value = Cast(KeyTextTransform(q, "answers"), IntegerField())
            sums[f"p{i}"], sums[f"c{i}"] = Sum(value), Count(value)
        rows = (
            SurveyResponse.objects.filter(survey_id__in=pks)
            .order_by()
            .values("survey_id")
            .annotate(**sums)
        )
        for row in rows:
            c = out[row["survey_id"]]
            c.responses, c.score_sum = row["n"], row["s"] or Decimal("0.00")
            c.questions = {q: (row[f"p{i}"] or 0, row[f"c{i}"]) for i, q in enumerate(qids)}
    tokens = (
        SurveyToken.objects.filter(survey_id__in=list(out))
        .order_by()
        .values("survey_id")
        .annotate(n=Count("pk"))
    )
    for row in tokens:
        out[row["survey_id"]].tokens = row["n"]
    return out


def survey_counts(survey: Survey) -> SurveyCounts:
    """One survey's totals, from its totals rows (two small reads); computed from the
    answers only if the survey has none (loaded in bulk and not rebuilt)."""
    row = SurveyTotals.objects.filter(survey=survey).first()
    if row is None:
        return survey_totals_computed({survey.pk: survey.questions})[survey.pk]
    rows = SurveyQuestionTotals.objects.filter(survey=survey).values_list(
        "question", "points", "answers"
    )
    return SurveyCounts(
        responses=row.responses,
        tokens=row.tokens,
        score_sum=row.score_sum,
        questions={q: (points, answers) for q, points, answers in rows},
    )


def _count_of(model, value: str = "pk", aggregate=Count) -> Subquery:
    rows = model.objects.filter(survey=OuterRef("pk")).order_by().values("survey")
    return Subquery(rows.annotate(v=aggregate(value)).values("v")[:1])


def surveys_counted(qs: QuerySet[Survey], *, scores: bool = False) -> QuerySet[Survey]:
    """``qs`` with ``n_responses``, ``n_tokens`` (and with ``scores`` the answers' score sum
    ``n_score_sum``) from the totals row; a survey without one is counted by a subquery on
    the answers (evaluated only for such a survey)."""
    qs = qs.annotate(
        n_responses=Coalesce(
            "totals__responses", _count_of(SurveyResponse), Value(0), output_field=IntegerField()
        ),
        n_tokens=Coalesce(
            "totals__tokens", _count_of(SurveyToken), Value(0), output_field=IntegerField()
        ),
    )
    if scores:
        zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
        qs = qs.annotate(
            n_score_sum=Coalesce(
                "totals__score_sum",
                _count_of(SurveyResponse, "score", Sum),
                zero,
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    return qs


def contract_satisfaction(contract) -> Decimal | None:
    """The mean score (0–100) of all answers to the contract's surveys, from the totals (one
    query); None when nobody answered."""
    agg = surveys_counted(Survey.objects.filter(contract=contract), scores=True).aggregate(
        n=Sum("n_responses"), s=Sum("n_score_sum")
    )
    if not agg["n"]:
        return None
    return (Decimal(agg["s"]) / agg["n"]).quantize(Decimal("0.01"))


def free_texts(questions: list[dict[str, Any]], answers: dict, comment: str) -> list[str]:
    """An answer's free text as given: its text questions in order, then the comment."""
    texts = [
        str(answers[q["id"]])
        for q in questions
        if q["kind"] == "text" and isinstance(answers, dict) and answers.get(q["id"])
    ]
    return [*texts, comment] if comment else texts


def survey_comments_page(
    *, survey: Survey, cursor: str | None = None, limit: int | None = None
) -> Page:
    """One keyset page of the answers with free text, newest first (index
    ``response_survey_text``); each item is one answer's texts with mobile and ID numbers
    masked (public)."""
    qs = SurveyResponse.objects.filter(survey=survey, has_text=True).only(
        "pk", "answers", "comment"
    )
    page = keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)
    page.items = [
        [scrub_text(t) for t in free_texts(survey.questions, r.answers, r.comment)]
        for r in page.items
    ]
    return page


def survey_paper_counts(survey: Survey) -> dict[str, int]:
    """How many of a survey's answers came in on paper, and in all (one query)."""
    from django.db.models import Count, Q

    row = SurveyResponse.objects.filter(survey=survey).aggregate(
        total=Count("id"), paper=Count("id", filter=Q(on_paper=True))
    )
    return {"total": row["total"] or 0, "paper": row["paper"] or 0}


def surveys_open_for_paper(*, actor, limit: int = 100) -> list[Survey]:
    """Surveys open today on contracts of the actor's unit and below (one query)."""
    from django.utils import timezone

    today = timezone.localdate()
    unit = getattr(actor, "unit", None)
    if unit is None:
        return []
    return list(
        Survey.objects.filter(
            contract__unit__path__startswith=unit.path, opens_on__lte=today, closes_on__gte=today
        )
        .select_related("contract", "contract__unit")
        .order_by("-id")[:limit]
    )
