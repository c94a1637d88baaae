"""Standardisation assessments of organizations, confirmed into the registry's grade
(DOMAIN.md §4.6)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Role
from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.identifiers import make_uscc
from caidan.evaluations.inputs import AssessmentInput
from caidan.evaluations.models import AssessmentStatus, OrgAssessment
from caidan.evaluations.services.assessments import assessment_decide, assessment_submit
from caidan.notifications.models import Notification
from caidan.orgs.inputs import OrganizationInput
from caidan.orgs.models import Grade, Organization

pytestmark = pytest.mark.django_db

PROVIDER_ORG = "52310105MJ0000001"  # 阳光家庭综合服务中心, 4A
EVALUATOR_ORG = "52310105MJ0000005"  # 上海申杰社会组织培育评估中心
HUB_ORG = "51310105MJ0000003"  # 区人民调解协会 (hub)
AFFILIATE_ORG = "51310105MJ0000004"  # 区医患纠纷人民调解委员会 (under the hub)


def org(prefix):
    return Organization.objects.get(uscc=make_uscc(prefix))


def submit(world, organization, actor=None, **overrides):
    data = {
        "score": "920.50",
        "proposed_level": 5,
        "report": "内部治理规范，财务管理健全，服务成效显著。",
        "assessed_on": timezone.localdate() - dt.timedelta(days=3),
    }
    data.update(overrides)
    return assessment_submit(
        organization=organization,
        actor=actor or world.actor("evaluator"),
        data=AssessmentInput.parse(**data),
    )


def evaluator_account(world, prefix, username, **org_kwargs):
    """A new organization registered by the authority, with a person in the evaluator role."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.services import organization_create

    hub = org_kwargs.pop("hub", None)
    organization = organization_create(
        hub=hub,
        actor=world.actor("registrar"),
        data=OrganizationInput.parse(
            name=f"测试评估机构{username}",
            uscc=make_uscc(prefix),
            legal_form="service_institution",
            registration_date=dt.date(2015, 1, 1),
            legal_representative="代表人",
            **org_kwargs,
        ),
    )
    user = user_create(username=username, password="x", actor=world.system, validate_password=False)
    membership = membership_grant(
        user=user, role=Role.EVALUATOR, organization=organization, actor=world.system
    )
    return organization, Actor(user=user, membership=membership)


def test_confirmation_records_the_grade_in_the_registry(world):
    target = org(PROVIDER_ORG)
    assert target.current_grade_level == 4
    assessment = submit(world, target)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.evaluator == org(EVALUATOR_ORG)
    assert assessment.score == Decimal("920.50")
    assert Notification.objects.filter(
        recipient=world.user("registrar"), kind="assessment.submitted"
    ).exists()
    target.refresh_from_db()
    assert target.current_grade_level == 4  # not before the authority confirms

    assessment_decide(assessment=assessment, confirm=True, actor=world.actor("registrar"))

    assessment.refresh_from_db()
    target.refresh_from_db()
    assert assessment.status == AssessmentStatus.CONFIRMED
    assert assessment.decided_by == world.user("registrar")
    assert target.current_grade_level == 5
    grade = Grade.objects.filter(organization=target).latest("id")
    assert (grade.level, grade.assessed_on, grade.score) == (
        5,
        assessment.assessed_on,
        Decimal("920.50"),
    )
    assert grade.assessor == org(EVALUATOR_ORG).name
    decided = AuditEvent.objects.filter(kind=EventKind.ASSESSMENT_DECIDED).latest("seq")
    assert decided.new["grade"] == grade.pk and decided.new["status"] == "confirmed"
    assert AuditEvent.objects.filter(
        kind=EventKind.GRADE_RECORDED, target_id=str(target.pk), seq__lt=decided.seq
    ).exists()
    assert Notification.objects.filter(
        recipient=world.user("provider"), kind="assessment.decided"
    ).exists()


def test_rejection_needs_a_reason_and_leaves_the_grade(world):
    target = org(PROVIDER_ORG)
    assessment = submit(world, target, proposed_level=2, score="610")
    grades = Grade.objects.filter(organization=target).count()
    with pytest.raises(ValidationError) as exc:
        assessment_decide(assessment=assessment, confirm=False, actor=world.actor("registrar"))
    assert exc.value.field == "note"

    assessment_decide(
        assessment=assessment,
        confirm=False,
        note="评估材料缺少财务审计报告。",
        actor=world.actor("registrar"),
    )

    assessment.refresh_from_db()
    target.refresh_from_db()
    assert assessment.status == AssessmentStatus.REJECTED
    assert assessment.decision_note == "评估材料缺少财务审计报告。"
    assert target.current_grade_level == 4
    assert Grade.objects.filter(organization=target).count() == grades


def test_an_assessment_is_decided_once_and_one_is_pending_at_a_time(world):
    target = org(PROVIDER_ORG)
    assessment = submit(world, target)
    with pytest.raises(Conflict) as exc:
        submit(world, target, proposed_level=3)
    assert exc.value.code == "assessment_pending"

    assessment_decide(assessment=assessment, confirm=True, actor=world.actor("registrar"))
    with pytest.raises(Conflict) as exc:
        assessment_decide(
            assessment=assessment, confirm=False, note="再议", actor=world.actor("registrar")
        )
    assert exc.value.code == "already_decided"
    assert Grade.objects.filter(organization=target, level=5).count() == 1
    submit(world, target, proposed_level=4)  # a new one may follow the decision


def test_who_may_submit_and_decide(world):
    target = org(PROVIDER_ORG)
    with pytest.raises(PermissionDenied) as exc:
        submit(world, target, actor=world.actor("provider"))
    assert exc.value.code == "permission_denied"
    # The evaluator role at an organization that is not an evaluator organization.
    _, not_evaluator = evaluator_account(world, "52310105MJT900001", "notevaluator")
    with pytest.raises(PermissionDenied) as exc:
        submit(world, target, actor=not_evaluator)
    assert exc.value.code == "out_of_scope"
    assert not OrgAssessment.objects.filter(organization=target).exists()

    assessment = submit(world, target)
    for username in ("evaluator", "purchaser", "provider"):
        with pytest.raises(PermissionDenied):
            assessment_decide(assessment=assessment, confirm=True, actor=world.actor(username))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    target.refresh_from_db()
    assert target.current_grade_level == 4


def test_bad_input_names_the_field(world):
    target = org(PROVIDER_ORG)
    cases = [
        ({"score": 920.5}, "score"),
        ({"score": "abc"}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "1000.01"}, "score"),
        ({"score": "90.123"}, "score"),
        ({"proposed_level": 6}, "proposed_level"),
        ({"proposed_level": 0}, "proposed_level"),
        ({"proposed_level": "x"}, "proposed_level"),
        ({"report": " "}, "report"),
        ({"assessed_on": timezone.localdate() + dt.timedelta(days=1)}, "assessed_on"),
        ({"assessed_on": "not a date"}, "assessed_on"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as exc:
            submit(world, target, **overrides)
        assert exc.value.field == field, overrides
    assert not OrgAssessment.objects.filter(organization=target).exists()
    assert submit(world, target, proposed_level="3A").proposed_level == 3


def test_an_evaluator_may_not_assess_itself(world):
    with pytest.raises(ValidationError) as exc:
        submit(world, org(EVALUATOR_ORG))
    assert (exc.value.field, exc.value.code) == ("organization", "conflict_of_interest")
    assert "本机构" in exc.value.message
    assert not OrgAssessment.objects.filter(organization=org(EVALUATOR_ORG)).exists()


def test_an_evaluator_may_not_assess_its_hub_family(world):
    hub, affiliate = org(HUB_ORG), org(AFFILIATE_ORG)
    _, member = evaluator_account(
        world, "52310105MJT900002", "hubmember", is_evaluator=True, hub=hub
    )
    for target, reason in ((hub, "所属的枢纽型社会组织"), (affiliate, "同一枢纽型社会组织")):
        with pytest.raises(ValidationError) as exc:
            submit(world, target, actor=member)
        assert exc.value.code == "conflict_of_interest"
        assert reason in exc.value.message

    evaluating_hub, hub_actor = evaluator_account(
        world, "51310105MJT900003", "evaluatinghub", is_evaluator=True, is_hub=True
    )
    from caidan.orgs.services import organization_create

    own_affiliate = organization_create(
        hub=evaluating_hub,
        actor=world.actor("registrar"),
        data=OrganizationInput.parse(
            name="测试所属组织", uscc=make_uscc("51310105MJT900004"), legal_form="social_group"
        ),
    )
    with pytest.raises(ValidationError) as exc:
        submit(world, own_affiliate, actor=hub_actor)
    assert "所属组织" in exc.value.message
    assert not OrgAssessment.objects.filter(
        organization__in=[hub, affiliate, own_affiliate]
    ).exists()

    # Outside its family the same evaluator may assess.
    assert submit(world, org(PROVIDER_ORG), actor=member).status == AssessmentStatus.SUBMITTED
