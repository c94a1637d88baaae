"""Grades and credit lists (民政部令第39号, 第60号; DOMAIN.md §4.6)."""

import datetime as dt

import pytest

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.tick import run_tick
from caidan.orgs import rules
from caidan.orgs.facts import OrgFacts
from caidan.orgs.inputs import CreditListingInput, PenaltyInput
from caidan.orgs.models import CreditRecord, Organization
from caidan.orgs.services import (
    credit_list_add,
    credit_record_remove,
    grade_record,
    judgment_defaulter_set,
    penalty_record,
    provider_bar_create,
    provider_bar_lift,
)


@pytest.fixture
def reg(world):
    return world.actor("registrar")


def active(org, list_kind, on):
    return OrgFacts.load(org, on).active(list_kind)


def test_grade_valid_five_years_then_counts_as_none(make_org, reg):
    org = make_org()
    grade = grade_record(organization=org, level=4, assessed_on=dt.date(2020, 3, 15), actor=reg)
    assert grade.valid_until == dt.date(2025, 3, 14)
    assert OrgFacts.load(org, dt.date(2025, 3, 14)).current_grade.level == 4
    assert OrgFacts.load(org, dt.date(2025, 3, 15)).current_grade is None
    assert OrgFacts.load(org, dt.date(2020, 3, 14)).current_grade is None  # before assessment


def test_grade_leap_day_and_latest_valid_grade_wins(make_org, reg):
    assert rules.grade_valid_until(dt.date(2024, 2, 29)) == dt.date(2029, 2, 27)
    org = make_org()
    grade_record(organization=org, level=3, assessed_on=dt.date(2022, 1, 1), actor=reg)
    grade_record(organization=org, level=5, assessed_on=dt.date(2024, 1, 1), actor=reg)
    assert OrgFacts.load(org, dt.date(2024, 6, 1)).current_grade.level == 5
    assert OrgFacts.load(org, dt.date(2023, 6, 1)).current_grade.level == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"level": 6}, "level"),
        ({"level": 0}, "level"),
        ({"level": "x"}, "level"),
        ({"level": 3, "score": "1001"}, "score"),
        ({"level": 3, "assessed_on": dt.date(2999, 1, 1)}, "assessed_on"),
    ],
)
def test_grade_validation(make_org, reg, kwargs, field):
    kwargs.setdefault("assessed_on", dt.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        grade_record(organization=make_org(), actor=reg, **kwargs)
    assert exc.value.field == field


def test_only_the_authority_records(make_org, world):
    with pytest.raises(PermissionDenied):
        grade_record(
            organization=make_org(),
            level=3,
            assessed_on=dt.date(2024, 1, 1),
            actor=world.actor("provider"),
        )


def test_warning_lists_abnormal_and_it_ends_after_six_months(make_org, reg, today):
    org = make_org()
    decided = today - dt.timedelta(days=10)
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="warning", decided_on=decided, reason="未按规定换届"),
    )
    (record,) = active(org, CreditRecord.List.ABNORMAL, today)
    assert record.reason == CreditRecord.Reason.MINOR_PENALTY
    assert record.auto_remove_on == rules.add_months(decided, 6)
    assert not active(org, CreditRecord.List.SERIOUS, today)
    # tick before the six months: nothing; at the date: removed, once.
    import datetime as _dt

    from django.utils import timezone

    def at(day):
        return timezone.make_aware(_dt.datetime.combine(day, _dt.time(9)))

    run_tick(
        now=at(record.auto_remove_on - dt.timedelta(days=1)), only=["orgs.abnormal_auto_removal"]
    )
    record.refresh_from_db()
    assert record.removed_on is None
    results = run_tick(now=at(record.auto_remove_on), only=["orgs.abnormal_auto_removal"])
    assert results[0].changed == 1
    assert (
        run_tick(now=at(record.auto_remove_on), only=["orgs.abnormal_auto_removal"])[0].changed == 0
    )
    record.refresh_from_db()
    assert record.removed_on == record.auto_remove_on
    assert "6 个月" in record.removal_reason


def test_small_fine_abnormal_large_fine_serious(make_org, reg, today):
    small, large = make_org("小额"), make_org("大额")
    penalty_record(
        organization=small,
        actor=reg,
        data=PenaltyInput.parse(kind="fine", amount="49999.99", decided_on=today, reason="x"),
    )
    penalty_record(
        organization=large,
        actor=reg,
        data=PenaltyInput.parse(kind="fine", amount="50000.00", decided_on=today, reason="x"),
    )
    assert active(small, CreditRecord.List.ABNORMAL, today)
    assert not active(small, CreditRecord.List.SERIOUS, today)
    (serious,) = active(large, CreditRecord.List.SERIOUS, today)
    assert serious.reason == CreditRecord.Reason.MAJOR_FINE
    assert not active(large, CreditRecord.List.ABNORMAL, today)


def test_two_minor_penalties_in_three_years_is_serious(make_org, reg, today):
    org = make_org()
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(
            kind="warning", decided_on=today - dt.timedelta(days=700), reason="第一次"
        ),
    )
    assert not active(org, CreditRecord.List.SERIOUS, today)
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="fine", amount="1000", decided_on=today, reason="第二次"),
    )
    (serious,) = active(org, CreditRecord.List.SERIOUS, today)
    assert serious.reason == CreditRecord.Reason.REPEATED_PENALTIES


def test_minor_penalties_more_than_three_years_apart_are_not_serious(make_org, reg, today):
    org = make_org()
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="warning", decided_on=rules.add_years(today, -3), reason="早"),
    )
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="warning", decided_on=today, reason="晚"),
    )
    assert not active(org, CreditRecord.List.SERIOUS, today)


def test_revocation_is_serious_and_revokes_status(make_org, reg, today):
    org = make_org()
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="revocation", decided_on=today, reason="严重违法"),
    )
    org.refresh_from_db()
    assert org.status == Organization.Status.REVOKED
    assert active(org, CreditRecord.List.SERIOUS, today)[0].reason == CreditRecord.Reason.REVOKED


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "fine"}, "amount"),
        ({"kind": "fine", "amount": "0"}, "amount"),
        ({"kind": "fine", "amount": 1.5}, "amount"),
        ({"kind": "warning", "amount": "100"}, "amount"),
        ({"kind": "spanking"}, "kind"),
        ({"kind": "warning", "reason": " "}, "reason"),
    ],
)
def test_penalty_validation(make_org, reg, today, kwargs, field):
    kwargs.setdefault("reason", "事实")
    with pytest.raises(ValidationError) as exc:
        penalty_record(
            organization=make_org(), actor=reg, data=PenaltyInput.parse(decided_on=today, **kwargs)
        )
    assert exc.value.field == field


def test_abnormal_two_years_escalates_to_serious(make_org, reg, today):
    from django.utils import timezone

    org = make_org()
    listed = rules.add_years(today, -2) - dt.timedelta(days=1)
    record = credit_list_add(
        organization=org,
        actor=reg,
        data=CreditListingInput.parse(
            list_kind="abnormal", reason="annual_report", listed_on=listed
        ),
    )
    now = timezone.now()
    assert run_tick(now=now, only=["orgs.abnormal_escalation"])[0].changed == 1
    assert run_tick(now=now, only=["orgs.abnormal_escalation"])[0].changed == 0  # once only
    (serious,) = active(org, CreditRecord.List.SERIOUS, today)
    assert serious.reason == CreditRecord.Reason.ABNORMAL_TWO_YEARS
    assert serious.escalated_from == record
    assert serious.listed_on == rules.add_years(listed, 2)


def test_abnormal_under_two_years_does_not_escalate(make_org, reg, today):
    from django.utils import timezone

    org = make_org()
    credit_list_add(
        organization=org,
        actor=reg,
        data=CreditListingInput.parse(
            list_kind="abnormal",
            reason="unreachable",
            listed_on=rules.add_years(today, -2) + dt.timedelta(days=1),
        ),
    )
    run_tick(now=timezone.now(), only=["orgs.abnormal_escalation"])
    assert not active(org, CreditRecord.List.SERIOUS, today)


def test_abnormal_removed_after_rectification(make_org, reg, today):
    org = make_org()
    record = credit_list_add(
        organization=org,
        actor=reg,
        data=CreditListingInput.parse(
            list_kind="abnormal", reason="annual_report", listed_on=today - dt.timedelta(days=20)
        ),
    )
    with pytest.raises(ValidationError) as exc:
        credit_record_remove(record=record, reason=" ", actor=reg)
    assert exc.value.field == "reason"
    credit_record_remove(record=record, reason="已补报年度工作报告", actor=reg)
    assert not active(org, CreditRecord.List.ABNORMAL, today)
    with pytest.raises(Conflict):
        credit_record_remove(record=record, reason="again", actor=reg)
    # History is kept, never overwritten.
    assert org.credit_records.count() == 1


def test_manual_listing_rules(make_org, reg, today):
    org = make_org()
    with pytest.raises(ValidationError) as exc:
        credit_list_add(
            organization=org,
            actor=reg,
            data=CreditListingInput.parse(
                list_kind="abnormal", reason="major_fine", listed_on=today
            ),
        )
    assert exc.value.field == "reason"
    with pytest.raises(ValidationError) as exc:
        credit_list_add(
            organization=org,
            actor=reg,
            data=CreditListingInput.parse(list_kind="serious", reason="other", listed_on=today),
        )
    assert exc.value.field == "detail"
    credit_list_add(
        organization=org,
        actor=reg,
        data=CreditListingInput.parse(list_kind="abnormal", reason="unreachable", listed_on=today),
    )
    with pytest.raises(Conflict):
        credit_list_add(
            organization=org,
            actor=reg,
            data=CreditListingInput.parse(
                list_kind="abnormal", reason="unreachable", listed_on=today
            ),
        )


def test_serious_removal_needs_two_clean_years(make_org, reg, today):
    org = make_org()
    listed = rules.add_years(today, -3)
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="fine", amount="80000", decided_on=listed, reason="大额罚款"),
    )
    (serious,) = active(org, CreditRecord.List.SERIOUS, today)
    # A new event one year ago restarts the two years.
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(
            kind="warning", decided_on=rules.add_years(today, -1), reason="新违法"
        ),
    )
    with pytest.raises(ValidationError) as exc:
        credit_record_remove(record=serious, reason="申请信用修复", actor=reg)
    assert exc.value.code == "serious_too_early"
    assert exc.value.detail["earliest"] == rules.add_years(today, 1).isoformat()
    # Without the new event, three years after listing it may be removed.
    other = make_org("另一家")
    penalty_record(
        organization=other,
        actor=reg,
        data=PenaltyInput.parse(kind="fine", amount="80000", decided_on=listed, reason="大额罚款"),
    )
    (serious2,) = active(other, CreditRecord.List.SERIOUS, today)
    credit_record_remove(record=serious2, reason="满两年无新违法", actor=reg)
    assert not active(other, CreditRecord.List.SERIOUS, today)


def test_serious_removal_exactly_at_two_years(make_org, reg, today):
    org = make_org()
    record = credit_list_add(
        organization=org,
        actor=reg,
        data=CreditListingInput.parse(
            list_kind="serious",
            reason="other",
            detail="情节严重",
            listed_on=rules.add_years(today, -2),
        ),
    )
    credit_record_remove(record=record, reason="期满", removed_on=today, actor=reg)
    record2 = credit_list_add(
        organization=make_org("b"),
        actor=reg,
        data=CreditListingInput.parse(
            list_kind="serious",
            reason="other",
            detail="情节严重",
            listed_on=rules.add_years(today, -2) + dt.timedelta(days=1),
        ),
    )
    with pytest.raises(ValidationError):
        credit_record_remove(record=record2, reason="期满", removed_on=today, actor=reg)


def test_judgment_defaulter_flag_and_serious(make_org, reg, today):
    org = make_org()
    judgment_defaulter_set(
        organization=org, listed_on=today, detail="(2026)沪0105执123号", actor=reg
    )
    facts = OrgFacts.load(org, today)
    assert facts.active(CreditRecord.List.DEFAULTER)
    assert (
        facts.active(CreditRecord.List.SERIOUS)[0].reason == CreditRecord.Reason.JUDGMENT_DEFAULTER
    )
    with pytest.raises(Conflict):
        judgment_defaulter_set(organization=org, listed_on=today, actor=reg)


def test_provider_bar_and_lift(make_org, reg, today):
    org = make_org()
    bar = provider_bar_create(
        organization=org,
        reason="终期评价为差",
        starts_on=today,
        ends_on=rules.add_years(today, 2),
        source="evaluation",
        actor=reg,
    )
    assert OrgFacts.load(org, today).active_bars == [bar]
    assert not OrgFacts.load(org, rules.add_years(today, 2) + dt.timedelta(days=1)).active_bars
    with pytest.raises(ValidationError):
        provider_bar_create(
            organization=org,
            reason="x",
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
            actor=reg,
        )
    provider_bar_lift(bar=bar, reason="复议撤销", lifted_on=today + dt.timedelta(days=5), actor=reg)
    assert OrgFacts.load(org, today + dt.timedelta(days=4)).active_bars
    assert not OrgFacts.load(org, today + dt.timedelta(days=5)).active_bars
    with pytest.raises(Conflict):
        provider_bar_lift(bar=bar, reason="again", actor=reg)


def test_current_grade_is_kept_for_indexed_filtering(make_org, reg, today):
    """The registry's "3A and above" filter reads a stored current grade, refreshed when a
    grade is recorded and by tick when it expires."""
    from django.utils import timezone

    from caidan.orgs.selectors import organization_list

    org = make_org("即将到期的机构")
    grade_record(
        organization=org,
        level=4,
        assessed_on=rules.add_years(today, -5) + dt.timedelta(days=1),
        actor=reg,
    )
    org.refresh_from_db()
    assert (org.current_grade_level, org.current_grade_until) == (4, today)
    assert org in organization_list(search="即将到期", min_grade=3).items
    # Tomorrow the grade has expired: tick clears the stored grade.
    tomorrow = timezone.now() + dt.timedelta(days=1)
    run_tick(now=tomorrow, only=["orgs.directory_refresh"])
    org.refresh_from_db()
    assert org.current_grade_level is None and org.current_grade_until is None
    assert org not in organization_list(search="即将到期", min_grade=3).items
