"""What a reader may see and do next about evaluations: on a contract's evaluation work
(commission an evaluator, schedule a stage, adjust the framework, surveys, hearings), on one
evaluation (score, publish, the purchaser's score), on an audit finding and on a
standardisation assessment. One answer for the pages and the API.

Each flag comes from the rule the services enforce: the permissions they ``require``, the
status tables in ``lifecycles.py`` (an evaluation is open while it may still be published,
a finding while it may still be responded to) and the services' own constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from caidan.accounts.permissions import can
from caidan.common.perms import Perm

from .lifecycles import (
    AssessmentAction,
    EvaluationAction,
    FindingAction,
    assessment_lifecycle,
    evaluation_lifecycle,
    finding_lifecycle,
)
from .models import Evaluation, Stage
from .selectors import appointment_of, evaluations_of, sees_evaluation_work
from .services.hearings import HEARING_STATUSES

# The contract statuses in which evaluation work happens: signed and in force, or performed
# (``evaluator_appoint``, ``survey_create`` and ``hearing_record`` refuse the others).
WORK_STATUSES = HEARING_STATUSES


@dataclass(frozen=True)
class EvaluationAffordances:
    """One evaluation: ``open`` while it may still be published; the appointed evaluator
    scores and publishes it, the purchaser gives its own score, both only while open."""

    open: bool
    score: bool
    publish: bool
    purchaser_score: bool


def evaluation_affordances(actor, evaluation: Evaluation) -> EvaluationAffordances:
    c = evaluation.contract
    open_ = evaluation_lifecycle.allowed(evaluation.status, EvaluationAction.PUBLISH)
    evaluating = open_ and can(actor, Perm.EVALUATIONS_EVALUATE, c)
    return EvaluationAffordances(
        open=open_,
        score=evaluating,
        publish=evaluating,
        purchaser_score=open_ and can(actor, Perm.EVALUATIONS_COMMISSION, c),
    )


@dataclass(frozen=True)
class EvaluationWorkAffordances:
    """A contract's evaluation work as the reader may take part in it. ``see_work``: the
    unpublished evaluations, the framework, surveys and findings; ``commission`` /
    ``evaluate`` / ``respond``: the purchaser's, the appointed evaluator's, the provider's
    rights on this contract; ``in_force``: the contract is signed and not ended early, so
    the work may go on. ``evaluations``: the contract's evaluations the caller has read."""

    contract: object = field(repr=False)
    evaluations: tuple[Evaluation, ...] = field(repr=False)
    see_work: bool
    commission: bool
    evaluate: bool
    respond: bool
    in_force: bool

    @property
    def commission_work(self) -> bool:
        """Surveys (and their tokens) and hearings: the purchaser, while in force."""
        return self.commission and self.in_force

    @property
    def started(self) -> bool:
        """An evaluation has scores: the evaluator can no longer be changed."""
        return any(e.scores for e in self.evaluations)

    @property
    def appoint(self) -> bool:
        return self.commission_work and not self.started

    @cached_property
    def appointment(self):
        """The evaluator's appointment, if any (a query)."""
        return appointment_of(self.contract)

    @property
    def scheduled(self) -> set[str]:
        return {e.stage for e in self.evaluations}

    @property
    def schedule(self) -> bool:
        """The purchaser schedules each stage once, after appointing the evaluator."""
        return (
            self.commission_work
            and self.appointment is not None
            and len(self.scheduled) < len(Stage.values)
        )

    def adjust_framework(self, framework) -> bool:
        """The purchaser changes the indicators until the first evaluation freezes them."""
        return self.commission_work and not (framework and framework.frozen_at)


def evaluation_work_affordances(
    actor, contract, *, evaluations: list[Evaluation] | None = None
) -> EvaluationWorkAffordances:
    """``evaluations``: the contract's evaluations when the caller has them already."""
    if evaluations is None:
        evaluations = evaluations_of(contract)
    return EvaluationWorkAffordances(
        contract=contract,
        evaluations=tuple(evaluations),
        see_work=actor.is_authenticated and sees_evaluation_work(actor, contract),
        commission=can(actor, Perm.EVALUATIONS_COMMISSION, contract),
        evaluate=can(actor, Perm.EVALUATIONS_EVALUATE, contract),
        respond=can(actor, Perm.EVALUATIONS_RESPOND, contract),
        in_force=contract.status in WORK_STATUSES,
    )


@dataclass(frozen=True)
class FindingAffordances:
    respond: bool  # the provider reports the rectification (again) until it is closed
    close: bool  # the auditor closes it once the provider has responded


def finding_affordances(actor, finding) -> FindingAffordances:
    return FindingAffordances(
        respond=can(actor, Perm.EVALUATIONS_RESPOND, finding.contract)
        and finding_lifecycle.allowed(finding.status, FindingAction.RESPOND),
        close=can(actor, Perm.EVALUATIONS_AUDIT, finding)
        and finding_lifecycle.allowed(finding.status, FindingAction.CLOSE),
    )


def assessment_decidable(actor, assessment) -> bool:
    """The registration authority confirms or rejects a submitted assessment."""
    return can(actor, Perm.EVALUATIONS_CONFIRM_ASSESSMENTS, assessment) and (
        assessment_lifecycle.allowed(assessment.status, AssessmentAction.CONFIRM)
    )
