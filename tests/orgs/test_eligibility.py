"""The eligibility matrix (DOMAIN.md §4.2): one service every later step uses."""

import datetime as dt

import pytest

from caidan.jurisdiction.services import setting_update
from caidan.orgs import rules
from caidan.orgs.eligibility import Requirements, eligibility
from caidan.orgs.inputs import CreditListingInput, PenaltyInput
from caidan.orgs.services import (
    credit_list_add,
    grade_record,
    judgment_defaulter_set,
    organization_update,
    penalty_record,
    provider_bar_create,
)


@pytest.fixture
def reg(world):
    return world.actor("registrar")


@pytest.fixture
def good(make_org, reg, today):
    org = make_org("合格机构", fields=("elderly", "disability"))
    grade_record(organization=org, level=4, assessed_on=today - dt.timedelta(days=100), actor=reg)
    return org


def test_good_org_is_eligible_and_unpacks_as_pair(good):
    ok, reasons = eligibility(good, Requirements(grade_policy="required"))
    assert ok is True and reasons == []


def _apply(state, org, reg, today):
    if state == "serious":
        penalty_record(
            organization=org,
            actor=reg,
            data=PenaltyInput.parse(
                kind="fine", amount="60000", decided_on=today, reason="大额罚款"
            ),
        )
    elif state == "defaulter":
        judgment_defaulter_set(organization=org, listed_on=today, actor=reg)
    elif state == "abnormal":
        credit_list_add(
            organization=org,
            actor=reg,
            data=CreditListingInput.parse(
                list_kind="abnormal", reason="annual_report", listed_on=today
            ),
        )
    elif state == "barred":
        provider_bar_create(
            organization=org,
            reason="终期评价为差",
            starts_on=today,
            ends_on=rules.add_years(today, 1),
            actor=reg,
        )
    elif state == "revoked":
        organization_update(organization=org, changes={"status": "revoked"}, actor=reg)
    elif state == "deregistered":
        organization_update(organization=org, changes={"status": "deregistered"}, actor=reg)
    elif state == "major_violation_2y":
        penalty_record(
            organization=org,
            actor=reg,
            data=PenaltyInput.parse(
                kind="suspension", decided_on=rules.add_years(today, -2), reason="限期停止活动"
            ),
        )
    elif state == "unregistered":
        organization_update(organization=org, changes={"registration_date": None}, actor=reg)


@pytest.mark.parametrize(
    ("state", "fragment"),
    [
        ("serious", "严重违法失信名单"),
        ("defaulter", "失信被执行人"),
        ("abnormal", "活动异常名录"),
        ("barred", "负面清单"),
        ("revoked", "已撤销登记"),
        ("deregistered", "已注销"),
        ("major_violation_2y", "近三年内有重大违法记录"),
        ("unregistered", "成立登记日期"),
    ],
)
def test_each_exclusion_with_its_reason(good, reg, today, state, fragment):
    _apply(state, good, reg, today)
    good.refresh_from_db()
    ok, reasons = eligibility(good, Requirements())
    assert ok is False
    assert any(fragment in r for r in reasons), reasons


def test_major_violation_older_than_three_years_does_not_exclude(good, reg, today):
    penalty_record(
        organization=good,
        actor=reg,
        data=PenaltyInput.parse(
            kind="suspension",
            decided_on=rules.add_years(today, -3) - dt.timedelta(days=1),
            reason="旧事",
        ),
    )
    ok, reasons = eligibility(good, Requirements())
    assert ok, reasons


def test_abnormal_list_exclusion_is_configurable(good, reg, today, world):
    _apply("abnormal", good, reg, today)
    setting_update(key="abnormal_list_excludes", value=False, actor=world.actor("admin"))
    result = eligibility(good, Requirements())
    assert result.eligible and any("活动异常名录" in n for n in result.notes)
    # …and per project.
    assert not eligibility(good, Requirements(abnormal_excludes=True)).eligible


@pytest.mark.parametrize(
    ("policy", "level", "eligible", "has_note"),
    [
        ("none", None, True, False),
        ("preferred", None, True, True),
        ("required", None, False, False),
        ("required", 2, False, False),
        ("required", 3, True, False),
        ("preferred", 2, True, True),
        ("preferred", 5, True, False),
    ],
)
def test_grade_policy(make_org, reg, today, policy, level, eligible, has_note):
    org = make_org()
    if level:
        grade_record(organization=org, level=level, assessed_on=today, actor=reg)
    result = eligibility(org, Requirements(grade_policy=policy))
    assert result.eligible is eligible, result.reasons
    assert bool(result.notes) is has_note


def test_expired_grade_counts_as_none(make_org, reg, today):
    org = make_org()
    grade_record(organization=org, level=5, assessed_on=rules.add_years(today, -5), actor=reg)
    ok, reasons = eligibility(org, Requirements(grade_policy="required"))
    assert not ok and "已于" in reasons[0] and "到期" in reasons[0]


def test_default_grade_policy_is_the_jurisdiction_setting(make_org, world):
    org = make_org()
    assert eligibility(org).eligible  # default "preferred": a note, not an exclusion
    setting_update(key="provider_grade_requirement", value="required", actor=world.actor("admin"))
    assert not eligibility(org).eligible


def test_fields_and_experience(good):
    assert eligibility(good, Requirements(fields=("elderly", "mediation"))).eligible
    ok, reasons = eligibility(good, Requirements(fields=("mediation",)))
    assert not ok and "专业调处" in reasons[0]
    ok, reasons = eligibility(good, Requirements(require_experience=True))
    assert not ok and "项目实施经验" in reasons[0]


def test_evaluated_on_a_date(good, reg, today):
    provider_bar_create(
        organization=good,
        reason="违约",
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20),
        actor=reg,
    )
    assert eligibility(good, on=today).eligible
    assert not eligibility(good, on=today + dt.timedelta(days=10)).eligible
    assert eligibility(good, on=today + dt.timedelta(days=21)).eligible


def test_eligibility_query_count_is_small(good, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        eligibility(good, Requirements(grade_policy="required"))
