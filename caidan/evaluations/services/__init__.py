"""Evaluation services: every write goes through one of these (one transaction, audited)."""

from .assessments import assessment_decide, assessment_submit
from .audit import (
    audit_coverage,
    audit_finding_close,
    audit_finding_record,
    audit_finding_respond,
    audit_overdue,
    audit_plan_set,
)
from .evaluations import (
    evaluation_publish,
    evaluation_purchaser_score,
    evaluation_schedule,
    evaluation_score,
    evaluator_appoint,
    evaluator_conflicts,
    flag_overdue,
)
from .frameworks import framework_for_contract, framework_update, template_save
from .hearings import hearing_follow_up, hearing_record
from .surveys import survey_create, survey_respond, survey_results, survey_tokens_add
from .waivers import evaluation_subject_waive

__all__ = [
    "assessment_decide",
    "assessment_submit",
    "audit_coverage",
    "audit_finding_close",
    "audit_finding_record",
    "audit_finding_respond",
    "audit_overdue",
    "audit_plan_set",
    "hearing_follow_up",
    "hearing_record",
    "evaluation_publish",
    "evaluation_purchaser_score",
    "evaluation_schedule",
    "evaluation_subject_waive",
    "evaluation_score",
    "evaluator_appoint",
    "evaluator_conflicts",
    "flag_overdue",
    "framework_for_contract",
    "framework_update",
    "survey_create",
    "survey_respond",
    "survey_results",
    "survey_tokens_add",
    "template_save",
]
