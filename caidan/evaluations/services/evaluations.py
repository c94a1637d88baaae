"""Evaluations (绩效评价): the evaluator's appointment with its conflict check, scheduling
at three stages, indicator scores with evidence, computed indicators, the multi-subject
total and grade, publication, and its effects — payment gates, the bar after 差, the
provider's track record."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.calendar import WorkingCalendar
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.common.tick import flag_once, tick_job
from caidan.evaluations.codes import Code
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import due_day, notifications_resolve, notify

from .. import formulas
from ..inputs import PurchaserScoreInput, ScoreEntry, ScoresInput
from ..lifecycles import EvaluationAction, evaluation_lifecycle
from ..models import Evaluation, EvaluationStatus, EvaluatorAppointment, Stage, TrackRecord
from .frameworks import framework_for_contract, framework_freeze, leaves

FINAL_WITHIN_MONTHS = 2  # seed 003: final evaluation within two months after the project year


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


# --- appointment ---------------------------------------------------------------------------------


def evaluator_conflicts(organization, contract) -> list[str]:
    """Why ``organization`` may not evaluate ``contract`` (empty: it may)."""
    from caidan.orgs.models import Organization

    provider = Organization.objects.get(pk=contract.organization_id)  # its current hub
    reasons = []
    if not organization.is_evaluator:
        reasons.append(f"“{organization.name}”不是登记的第三方评估机构。")
    if organization.pk == provider.pk:
        reasons.append("承接主体不能评估自己承接的项目。")
    if provider.hub_id and organization.pk == provider.hub_id:
        reasons.append(f"“{organization.name}”是承接主体的枢纽组织，存在隶属关系。")
    if organization.hub_id and organization.hub_id == provider.pk:
        reasons.append(f"“{organization.name}”隶属于承接主体。")
    if organization.hub_id and provider.hub_id and organization.hub_id == provider.hub_id:
        reasons.append(f"“{organization.name}”与承接主体隶属同一枢纽组织。")
    return reasons


def evaluator_appoint(*, contract, organization, actor: Actor) -> EvaluatorAppointment:
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    reasons = evaluator_conflicts(organization, contract)
    if reasons:
        raise field_error("organization", "；".join(reasons), code=Common.CONFLICT)
    with transaction.atomic():
        if contract.status not in ("active", "completed"):
            raise Conflict(gettext_lazy("合同签订后才能委托第三方评估。"), code=Common.NOT_ACTIVE)
        if Evaluation.objects.filter(contract=contract).exclude(scores={}).exists():
            raise Conflict(gettext_lazy("评价已开始，不能更换第三方评估机构。"), code=Code.STARTED)
        appointment, _ = EvaluatorAppointment.objects.update_or_create(
            contract=contract,
            defaults={"organization": organization, "appointed_by": user_of(actor)},
        )
        audit_record(
            kind=EventKind.EVALUATOR_APPOINTED,
            actor=actor,
            target=contract,
            new={"organization": organization.pk},
        )
        notify(
            recipients=organization_users([organization.pk]),
            kind="evaluation.appointed",
            title=f"评估委托：{contract.title}",
            body=f"{contract.unit.name}委托贵机构对“{contract.title}”开展绩效评价。",
            url=f"/evaluations/contracts/{contract.pk}/",
        )
    return appointment


# --- scheduling ---------------------------------------------------------------------------------


def default_due(contract, stage: str) -> dt.date:
    """前期指导: a month into the period; 中期测评: a month after half-way; 终期评估: two
    months after the project year ends (seed 003), on a working day."""
    if stage == Stage.PRE:
        due = contract.period_start + dt.timedelta(days=30)
    elif stage == Stage.MID:
        due = contract.period_start + (contract.period_end - contract.period_start) / 2
        due += dt.timedelta(days=30)
    else:
        due = add_months(contract.period_end, FINAL_WITHIN_MONTHS)
    calendar = WorkingCalendar()
    while not calendar.is_working_day(due):
        due += dt.timedelta(days=1)
    return due


def publish_task(e: Evaluation) -> str:
    """The evaluator completes (scores and publishes) one evaluation stage."""
    return f"evaluation_publish:evaluation:{e.pk}"


def evaluation_schedule(*, contract, stage: str, actor: Actor, due_on: dt.date | None = None):
    """Schedule one stage. The project's framework is created from the template if needed
    and frozen from now on."""
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    if stage not in Stage.values:
        raise field_error("stage", gettext_lazy("评价阶段只能是前期指导、中期测评或终期评估。"))
    with transaction.atomic():
        if not EvaluatorAppointment.objects.filter(contract=contract).exists():
            raise Conflict(gettext_lazy("请先委托第三方评估机构。"), code=Code.NO_EVALUATOR)
        if Evaluation.objects.filter(contract=contract, stage=stage).exists():
            raise Conflict(gettext_lazy("该阶段的评价已安排。"), code=Code.EXISTS)
        framework = framework_for_contract(contract=contract, actor=actor)
        framework_freeze(framework)
        evaluation = Evaluation.objects.create(
            contract=contract, stage=stage, due_on=due_on or default_due(contract, stage)
        )
        appointment = EvaluatorAppointment.objects.get(contract=contract)
        notify(
            recipients=organization_users([appointment.organization_id]),
            kind="evaluation.scheduled",
            title=f"请完成{evaluation.get_stage_display()}，截止 {due_day(evaluation.due_on)}："
            f"{contract.title}",
            body=f"{contract.unit.name}安排了“{contract.title}”的{evaluation.get_stage_display()}，"
            f"请于 {evaluation.due_on:%Y-%m-%d} 前评分并公布结果。",
            url=f"/evaluations/{evaluation.pk}/",
            task=publish_task(evaluation),
        )
        audit_record(
            kind=EventKind.EVALUATION_SCHEDULED,
            actor=actor,
            target=contract,
            new={
                "evaluation": evaluation.pk,
                "stage": stage,
                "due_on": evaluation.due_on.isoformat(),
            },
        )
    return evaluation


# --- computed indicators ------------------------------------------------------------------------


def contract_facts(contract) -> dict[str, Decimal | None]:
    """What the platform knows: money received (payments), spent (the latest accepted
    fund-usage statement), planned (the contract sum), satisfaction (survey mean)."""
    from caidan.contracts.models import Payment

    from ..selectors import contract_satisfaction

    received = Payment.objects.filter(instalment__contract=contract).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0.00")
    statement = (
        contract.reports.filter(status="accepted")
        .exclude(fund_lines=[])
        .order_by("-due_on")
        .first()
    )
    spent = (
        sum((Decimal(r["spent"]) for r in statement.fund_lines), Decimal("0.00"))
        if statement
        else None
    )
    return {
        "planned": contract.amount,
        "received": received,
        "spent": spent,
        # the surveys' running totals: one small read, whatever the number of answers
        "satisfaction": contract_satisfaction(contract),
    }


def computed_rate(formula: str, facts: dict, entry: dict) -> Decimal | None:
    if formula == "fund_arrival":
        return formulas.fund_arrival(facts["received"], facts["planned"])
    if formula == "budget_execution":
        return (
            None
            if facts["spent"] is None
            else formulas.budget_execution(facts["spent"], facts["received"])
        )
    if formula == "cost_saving":
        return (
            None
            if facts["spent"] is None
            else formulas.cost_saving(facts["planned"], facts["spent"])
        )
    if formula == "satisfaction":
        if facts["satisfaction"] is None:
            return None
        return (facts["satisfaction"] / 100).quantize(formulas.RATE_PLACES)
    if formula == "completion":
        try:
            actual = Decimal(str(entry.get("actual", "")))
            planned = Decimal(str(entry.get("planned", "")))
        except InvalidOperation:
            return None
        return formulas.completion(actual, planned)
    return None


# --- scoring and publication ---------------------------------------------------------------------


def _lock(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update()
        .select_related("contract", "contract__organization", "contract__unit")
        .get(pk=evaluation.pk)
    )


def _scored(code: str, entry: ScoreEntry, indicator: dict[str, Any] | None) -> dict[str, str]:
    """One leaf indicator's entry as stored: the score within the indicator's weight, the
    evidence, and for 实际完成率 the actual and planned output (both or neither)."""
    if indicator is None:
        raise field_error(
            f"scores.{code}",
            gettext_lazy("“%(code)s”不是本项目指标体系的末级指标。") % {"code": code},
        )
    name = indicator["name"]
    clean: dict[str, str] = {}
    if indicator["computed"] == "completion" and (entry.actual, entry.planned) != (None, None):
        for key in ("actual", "planned"):
            if getattr(entry, key) is None:
                raise field_error(
                    f"scores.{code}.{key}",
                    gettext_lazy("请同时填写“%(name)s”的实际产出数和计划产出数。") % {"name": name},
                )
            clean[key] = str(getattr(entry, key))
    if entry.score is not None:
        weight = Decimal(indicator["weight"])
        if not 0 <= entry.score <= weight:
            raise field_error(
                f"scores.{code}.score",
                gettext_lazy("得分须在 0 到 %(normalize)s 之间。")
                % {"normalize": format(weight.normalize(), "f")},
            )
        clean["score"] = str(entry.score)
    if not entry.evidence:
        raise field_error(
            f"scores.{code}.evidence", gettext_lazy("请填写“%(name)s”的评分依据。") % {"name": name}
        )
    clean["evidence"] = entry.evidence
    return clean


def evaluation_score(*, evaluation: Evaluation, data: ScoresInput, actor: Actor):
    """The evaluator scores leaf indicators (0..weight) with evidence. Computed indicators
    take their score from the data; where there is none, the evaluator scores them too. For
    实际完成率 the evaluator gives ``actual`` and ``planned``."""
    require(actor, Perm.EVALUATIONS_EVALUATE, evaluation.contract)
    with transaction.atomic():
        e = _lock(evaluation)
        if e.status != EvaluationStatus.OPEN:
            raise Conflict(gettext_lazy("评价结果已公布，不能再修改。"), code=Code.PUBLISHED)
        indicators = {i["code"]: i for i in leaves(e.contract.framework.indicators)}
        merged = dict(e.scores)
        for code, entry in data.scores.items():
            merged[code] = _scored(code, entry, indicators.get(code))
        e.scores = merged
        if data.summary:
            e.summary = data.summary
        e.save(update_fields=["scores", "summary"])
        audit_record(
            kind=EventKind.EVALUATION_SCORED,
            actor=actor,
            target=e.contract,
            new={"evaluation": e.pk, "indicators": sorted(data.scores)},
        )
    return e


def evaluation_purchaser_score(*, evaluation: Evaluation, data: PurchaserScoreInput, actor: Actor):
    """The purchaser's own score (0–100), one subject of the multi-subject evaluation."""
    require(actor, Perm.EVALUATIONS_COMMISSION, evaluation.contract)
    value = data.score
    with transaction.atomic():
        e = _lock(evaluation)
        if e.status != EvaluationStatus.OPEN:
            raise Conflict(gettext_lazy("评价结果已公布，不能再修改。"), code=Code.PUBLISHED)
        e.purchaser_score = value
        e.save(update_fields=["purchaser_score"])
        audit_record(
            kind=EventKind.EVALUATION_SCORED,
            actor=actor,
            target=e.contract,
            new={"evaluation": e.pk, "purchaser_score": str(value)},
        )
    return e


def evaluation_compute(e: Evaluation, *, facts: dict | None = None) -> dict[str, Any]:
    """Indicator points, the evaluator's total, the subjects' scores, the weighted total and
    the grade — without saving. Raises naming the first indicator that lacks a score.
    ``facts``: the contract's facts when the caller has read them already."""
    if facts is None:
        facts = contract_facts(e.contract)
    computed, total = {}, Decimal("0.00")
    for ind in leaves(e.contract.framework.indicators):
        entry = e.scores.get(ind["code"], {})
        points = None
        if ind["computed"]:
            rate = computed_rate(ind["computed"], facts, entry)
            points = formulas.indicator_score(rate, Decimal(ind["weight"]))
            if points is not None:
                computed[ind["code"]] = {"rate": str(rate), "score": str(points)}
        if points is None and entry.get("score") not in (None, ""):
            points = Decimal(entry["score"])
        if points is None:
            raise field_error(
                f"scores.{ind['code']}",
                gettext_lazy("指标“%(name)s”尚未评分（也无可计算的数据）。")
                % {"name": ind["name"]},
            )
        total += points
    subjects = {
        "purchaser": e.purchaser_score,
        "recipients": facts["satisfaction"],
        "evaluator": total,
    }
    weights = setting_value("evaluation_subject_weights")
    weighted = formulas.weighted_total(subjects, weights)
    return {
        "computed": computed,
        "evaluator_score": total,
        "recipients_score": facts["satisfaction"],
        "subject_weights": {k: weights[k] for k, v in subjects.items() if v is not None},
        "total": weighted,
        "grade": formulas.grade_for(weighted),
    }


def evaluation_publish(
    *, evaluation: Evaluation, actor: Actor, now: dt.datetime | None = None
) -> Evaluation:
    """The evaluator submits; the result is computed, published, and takes effect."""
    require(actor, Perm.EVALUATIONS_EVALUATE, evaluation.contract)
    now = now or timezone.now()
    with transaction.atomic():
        e = _lock(evaluation)
        if e.status != EvaluationStatus.OPEN:
            raise Conflict(gettext_lazy("评价结果已公布。"), code=Code.PUBLISHED)
        if not (e.summary or "").strip():
            raise field_error("summary", gettext_lazy("请填写评价结论。"))
        facts = contract_facts(e.contract)
        result = evaluation_compute(e, facts=facts)
        from .waivers import missing_refusal, missing_subjects

        missing = missing_subjects(e, facts)
        if missing:  # every subject the weights name, or the purchaser's recorded waiver
            raise missing_refusal(missing)
        e.computed = result["computed"]
        e.evaluator_score = result["evaluator_score"]
        e.recipients_score = result["recipients_score"]
        e.subject_weights = result["subject_weights"]
        e.total = result["total"]
        e.grade = result["grade"]
        evaluation_lifecycle.apply(
            e,
            EvaluationAction.PUBLISH,
            actor=actor,
            published_at=now,
            published_by=user_of(actor),
            audit_new={"stage": e.stage, "total": str(e.total), "grade": e.grade},
        )
        _effects(e, actor, now=now)
        from .parts import part_results_complete

        part_results_complete(e)  # a hub bundle: each member's part (issue 21)
        notifications_resolve(task=publish_task(e), now=now)
        notify(
            recipients=unit_officers(e.contract.unit)
            + organization_users([e.contract.organization_id]),
            kind="evaluation.published",
            title=f"{e.get_stage_display()}结果：{e.contract.title}",
            body=f"综合得分 {e.total}，等级“{e.get_grade_display()}”。",
            url=f"/evaluations/{e.pk}/",
        )
    return e


def _effects(e: Evaluation, actor: Actor, *, now: dt.datetime) -> None:
    """A passed mid-term / final evaluation opens the matching payment gate; a final one
    adds to the track record; 差 bars the provider for ``bar_after_poor_months``."""
    from caidan.contracts.services.payments import instalment_gate_open_by_evaluation

    gate = {Stage.MID: "midterm", Stage.FINAL: "final"}.get(e.stage)
    if gate and e.passed:
        instalment_gate_open_by_evaluation(contract=e.contract, gate=gate, evaluation=e, now=now)
    if e.stage == Stage.FINAL:
        TrackRecord.objects.create(
            organization=e.contract.organization,
            evaluation=e,
            contract=e.contract,
            year=e.contract.period_start.year,
            total=e.total,
            grade=e.grade,
        )
    if e.grade != "poor" or e.stage != Stage.FINAL:
        return
    months = setting_value("bar_after_poor_months")
    if months:
        from caidan.orgs.services.credit import provider_bar_create

        start = timezone.localdate(now)
        provider_bar_create(
            organization=e.contract.organization,
            reason=f"“{e.contract.title}”终期绩效评价等级为“差”（{e.total} 分）。",
            starts_on=start,
            ends_on=add_months(start, months),
            source=f"evaluation:{e.pk}",
            actor=Actor.system(),
        )


@tick_job("evaluations.overdue")
def flag_overdue(now: dt.datetime) -> int:
    """Evaluations past their due date and not published: flagged once for both the
    purchaser and the evaluator."""
    today = timezone.localtime(now).date()

    def apply(e: Evaluation) -> None:
        audit_record(
            kind=EventKind.EVALUATION_OVERDUE,
            actor=Actor.system(),
            target=e.contract,
            new={"evaluation": e.pk, "due_on": e.due_on.isoformat()},
        )
        appointment = getattr(e.contract, "evaluator_appointment", None)
        evaluators = organization_users([appointment.organization_id]) if appointment else []
        notify(
            recipients=evaluators,
            kind="evaluation.overdue",
            title=f"{e.get_stage_display()}已逾期，请尽快完成：{e.contract.title}",
            body=f"应于 {e.due_on} 前完成。",
            url=f"/evaluations/{e.pk}/",
            task=publish_task(e),
        )
        notify(
            recipients=unit_officers(e.contract.unit),
            kind="evaluation.overdue",
            title=f"评价逾期：{e.contract.title}{e.get_stage_display()}",
            body=f"应于 {e.due_on} 前完成。",
            url=f"/evaluations/{e.pk}/",
        )

    return flag_once(
        Evaluation.objects.filter(status=EvaluationStatus.OPEN, due_on__lt=today),
        flag="overdue_flagged_at",
        now=now,
        apply=apply,
        select_related=("contract",),
        batch=1000,
    )
