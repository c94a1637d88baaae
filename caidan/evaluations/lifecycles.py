"""Evaluations' status tables: the evaluation, the organization's standardisation
assessment and the auditor's finding (``caidan.common.lifecycle``). Evaluations' and
findings' events are recorded against their contract, an assessment's against the
organization assessed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import AssessmentStatus, EvaluationStatus, FindingStatus


class EvaluationAction(models.TextChoices):
    PUBLISH = "publish", _("提交并公布")


evaluation_lifecycle = Lifecycle(
    name="evaluation",
    model="evaluations.Evaluation",
    table={
        EvaluationAction.PUBLISH: (
            frozenset({EvaluationStatus.OPEN}),
            EvaluationStatus.PUBLISHED,
        ),
    },
    audit_kind=EventKind.EVALUATION_PUBLISHED,
    noun="评价",
    actions=EvaluationAction,
    statuses=EvaluationStatus,
    initial=frozenset({EvaluationStatus.OPEN}),
    audit_on="contract",
    audit_key="evaluation",
)


class AssessmentAction(models.TextChoices):
    CONFIRM = "confirm", _("确认并登记等级")
    REJECT = "reject", _("不予确认")


assessment_lifecycle = Lifecycle(
    name="assessment",
    model="evaluations.OrgAssessment",
    table={
        AssessmentAction.CONFIRM: (
            frozenset({AssessmentStatus.SUBMITTED}),
            AssessmentStatus.CONFIRMED,
        ),
        AssessmentAction.REJECT: (
            frozenset({AssessmentStatus.SUBMITTED}),
            AssessmentStatus.REJECTED,
        ),
    },
    audit_kind=EventKind.ASSESSMENT_DECIDED,
    noun="规范化评估",
    actions=AssessmentAction,
    statuses=AssessmentStatus,
    initial=frozenset({AssessmentStatus.SUBMITTED}),
    audit_on="organization",
    audit_key="assessment",
)


class FindingAction(models.TextChoices):
    RESPOND = "respond", _("报送整改情况")
    CLOSE = "close", _("整改销号")


F = FindingStatus
finding_lifecycle = Lifecycle(
    name="audit_finding",
    model="evaluations.AuditFinding",
    table={
        # the provider may report again until the auditor closes the finding
        FindingAction.RESPOND: (frozenset({F.OPEN, F.RESPONDED}), F.RESPONDED),
        FindingAction.CLOSE: (frozenset({F.RESPONDED}), F.CLOSED),
    },
    audit_kind={
        FindingAction.RESPOND: EventKind.AUDIT_FINDING_RESPONDED,
        FindingAction.CLOSE: EventKind.AUDIT_FINDING_CLOSED,
    },
    noun="审计发现",
    actions=FindingAction,
    statuses=FindingStatus,
    initial=frozenset({F.OPEN}),
    audit_on="contract",
    audit_key="finding",
)
