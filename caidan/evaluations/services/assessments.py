"""Standardisation assessments (社会组织规范化评估, 民政部令第39号; DOMAIN.md §4.6): an
evaluator organization assesses a social organization and proposes a grade (1A–5A); the
registration authority confirms it into the registry (``grade_record``) or rejects it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role, User
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.evaluations.codes import Code
from caidan.notifications.services import notifications_resolve, notify
from caidan.orgs.models import Organization
from caidan.orgs.services import grade_record

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import AssessmentInput
from ..lifecycles import AssessmentAction, assessment_lifecycle
from ..models import AssessmentStatus, OrgAssessment


def conflict_of_interest(evaluator: Organization, organization: Organization) -> str:
    """Why ``evaluator`` may not assess ``organization`` ("" when it may): not itself, not
    its hub, not an affiliate of its own (when it is a hub), not a sibling under the same hub."""
    if evaluator.pk == organization.pk:
        return "评估机构不得评估本机构。"
    if evaluator.hub_id and organization.pk == evaluator.hub_id:
        return f"“{organization.name}”是评估机构所属的枢纽型社会组织，须回避。"
    if organization.hub_id and organization.hub_id == evaluator.pk:
        return f"“{organization.name}”是评估机构（枢纽型社会组织）的所属组织，须回避。"
    if evaluator.hub_id and organization.hub_id == evaluator.hub_id:
        return f"“{organization.name}”与评估机构属于同一枢纽型社会组织，须回避。"
    return ""


def _authority_users() -> list[User]:
    return list(
        User.objects.filter(
            memberships__role=Role.REGISTRATION_AUTHORITY,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def assessment_submit(
    *, organization: Organization, data: AssessmentInput, actor: Actor
) -> OrgAssessment:
    """An evaluator of an evaluator organization submits an assessment for confirmation."""
    require(actor, Perm.EVALUATIONS_ASSESS_ORGS, organization)
    evaluator = actor.organization
    score, level, assessed_on = data.score, data.proposed_level, data.assessed_on
    if assessed_on > timezone.localdate():
        raise field_error(
            "assessed_on",
            _("评估日期 %(assessed_on)s 不能晚于今天。") % {"assessed_on": assessed_on},
        )
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        evaluator = Organization.objects.get(pk=evaluator.pk)  # its current hub
        reason = conflict_of_interest(evaluator, org)
        if reason:
            raise field_error(
                "organization",
                _("利益冲突：%(reason)s") % {"reason": reason},
                code=Code.CONFLICT_OF_INTEREST,
            )
        if org.status != Organization.Status.ACTIVE:
            raise Conflict(
                _("“%(name)s”%(get_status_display)s，不能评估。")
                % {"name": org.name, "get_status_display": org.get_status_display()},
                code=Code.NOT_REGISTERED,
            )
        if OrgAssessment.objects.filter(
            organization=org, status=AssessmentStatus.SUBMITTED
        ).exists():
            raise Conflict(
                _("“%(name)s”已有一份评估待登记管理机关确认。") % {"name": org.name},
                code=Code.ASSESSMENT_PENDING,
            )
        assessment = OrgAssessment.objects.create(
            organization=org,
            evaluator=evaluator,
            assessed_on=assessed_on,
            score=score,
            proposed_level=level,
            report=data.report,
            submitted_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.ASSESSMENT_SUBMITTED,
            actor=actor,
            target=org,
            new={
                "assessment": assessment.pk,
                "evaluator": evaluator.pk,
                "score": score,
                "proposed_level": level,
                "assessed_on": assessed_on.isoformat(),
            },
        )
        notify(
            recipients=_authority_users(),
            kind="assessment.submitted",
            title=f"请确认{org.name}规范化评估（建议 {level}A）",
            body=f"{evaluator.name}评估得分 {score} 分，建议等级 {level}A。请确认或不予确认。",
            url=f"/evaluations/assessments/{assessment.pk}/",
            task=f"assessment_decide:assessment:{assessment.pk}",
        )
    return assessment


def assessment_decide(
    *, assessment: OrgAssessment, confirm: bool, note: str = "", actor: Actor
) -> OrgAssessment:
    """The registration authority confirms (the proposed grade is recorded in the registry
    in the same transaction) or rejects (with a reason) a submitted assessment."""
    require(actor, Perm.EVALUATIONS_CONFIRM_ASSESSMENTS, assessment)
    note = str(note or "").strip()
    if not confirm and not note:
        raise field_error("note", _("不予确认须写明理由。"))
    with transaction.atomic():
        a = (
            OrgAssessment.objects.select_for_update()
            .select_related("organization", "evaluator")
            .get(pk=assessment.pk)
        )
        if a.status != AssessmentStatus.SUBMITTED:
            raise Conflict(
                _("该评估已处理（%(get_status_display)s）。")
                % {"get_status_display": a.get_status_display()},
                code=Common.ALREADY_DECIDED,
            )
        grade = None
        if confirm:
            grade = grade_record(
                organization=a.organization,
                level=a.proposed_level,
                assessed_on=a.assessed_on,
                score=a.score,
                assessor=a.evaluator.name,
                note=note or f"规范化评估（第 {a.pk} 号）",
                actor=actor,
            )
        assessment_lifecycle.apply(
            a,
            AssessmentAction.CONFIRM if confirm else AssessmentAction.REJECT,
            actor=actor,
            note=note,
            update_fields=[],
            decided_by=user_of(actor),
            decided_at=timezone.now(),
            decision_note=note,
            audit_new={
                "level": a.proposed_level if confirm else None,
                "grade": grade.pk if grade else None,
            },
        )
        notifications_resolve(task=f"assessment_decide:assessment:{a.pk}")
        verdict = f"已确认，登记为 {a.proposed_level}A" if confirm else "未予确认"
        notify(
            recipients=organization_users([a.organization_id, a.evaluator_id]),
            kind="assessment.decided",
            title=f"{a.organization.name}规范化评估{verdict}",
            body=note[:500],
            url=f"/evaluations/assessments/{a.pk}/",
        )
    return a
