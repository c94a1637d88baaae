"""The evaluations app's error codes (``DomainError.code``): stable for machines."""

from enum import StrEnum


class Code(StrEnum):
    ALREADY_WAIVED = "already_waived"
    ASSESSMENT_PENDING = "assessment_pending"
    CLOSED = "closed"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    EXISTS = "exists"
    FROZEN = "frozen"
    HAS_FINDINGS = "has_findings"
    HAS_RESULT = "has_result"
    NO_EVALUATOR = "no_evaluator"
    NOT_REGISTERED = "not_registered"
    NOT_REQUIRED = "not_required"
    NOT_RESPONDED = "not_responded"
    PERSONAL_DATA = "personal_data"
    PLAN_EXISTS = "plan_exists"
    POOR_GRADE = "poor_grade"
    PUBLISHED = "published"
    STARTED = "started"
    SUBJECTS_MISSING = "subjects_missing"
    THROTTLED = "throttled"
    TOO_MANY_HEARINGS = "too_many_hearings"
    USED = "used"
