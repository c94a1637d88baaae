"""The recommended directory (推荐目录), recomputed whenever its inputs change.

Criteria (seed 003, 市社团局 2017): grade 3A or above, no administrative penalty, purchase
experience recognised by a purchaser; plus, naturally, in good standing (registered, not
on a credit list, not barred). One entry per service field the organization works in.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.tick import tick_job

from .. import rules
from ..facts import OrgFacts
from ..models import CreditRecord, DirectoryEntry, Grade, Organization


def grade_refresh(organization: Organization, on: dt.date | None = None) -> None:
    """Store the organization's grade valid on ``on`` (an expired grade counts as none)."""
    grade = OrgFacts.load(organization, on).current_grade
    level = grade.level if grade else None
    until = grade.valid_until if grade else None
    if (organization.current_grade_level, organization.current_grade_until) != (level, until):
        Organization.objects.filter(pk=organization.pk).update(
            current_grade_level=level, current_grade_until=until
        )
        organization.current_grade_level, organization.current_grade_until = level, until


def directory_criteria(org: Organization, on: dt.date | None = None) -> tuple[bool, list[str]]:
    facts = OrgFacts.load(org, on)
    reasons = []
    if org.status != Organization.Status.ACTIVE:
        reasons.append("登记状态不正常")
    grade = facts.current_grade
    if grade is None or grade.level < rules.DIRECTORY_MIN_GRADE:
        reasons.append(f"无 {rules.DIRECTORY_MIN_GRADE}A 及以上有效评估等级")
    if facts.penalties_within(rules.DIRECTORY_PENALTY_FREE_YEARS):
        reasons.append("近三年有行政处罚记录")
    if facts.recognised_projects == 0:
        reasons.append("无经购买主体认可的项目实施经验")
    for kind in CreditRecord.List.values:
        if facts.active(kind):
            reasons.append(f"列入{CreditRecord.List(kind).label}")
    if facts.active_bars:
        reasons.append("列入承接主体负面清单")
    if not facts.fields:
        reasons.append("未登记服务领域")
    return not reasons, reasons


def directory_recompute(
    *, organization: Organization, actor: Actor | None = None, on: dt.date | None = None
) -> tuple[set[str], set[str]]:
    """Bring the organization's directory entries in line with the criteria. Returns the
    fields added and removed. Call inside the service that changed an input."""
    on = on or timezone.localdate()
    ok, _ = directory_criteria(organization, on)
    facts_fields = set(organization.field_rows.values_list("field", flat=True))
    wanted = facts_fields if ok else set()
    current = set(organization.directory_entries.values_list("field", flat=True))
    added, removed = wanted - current, current - wanted
    if not (added or removed):
        if wanted:
            grade = OrgFacts.load(organization, on).current_grade
            organization.directory_entries.exclude(grade_level=grade.level).update(
                grade_level=grade.level
            )
        return added, removed
    with transaction.atomic():
        if removed:
            organization.directory_entries.filter(field__in=removed).delete()
        if added:
            level = OrgFacts.load(organization, on).current_grade.level
            DirectoryEntry.objects.bulk_create(
                [
                    DirectoryEntry(
                        organization=organization, field=f, grade_level=level, listed_since=on
                    )
                    for f in sorted(added)
                ]
            )
            organization.directory_entries.update(grade_level=level)
        audit_record(
            kind=EventKind.DIRECTORY_CHANGED,
            actor=actor,
            target=organization,
            old={"fields": sorted(current)},
            new={"fields": sorted(wanted)},
        )
    return added, removed


@tick_job("orgs.directory_refresh")
def directory_refresh(now: dt.datetime) -> int:
    """Grades expire with time: clear expired current grades and drop directory entries
    whose grade is no longer valid."""
    today = timezone.localdate(now)
    for org in Organization.objects.filter(current_grade_until__lt=today).iterator(chunk_size=500):
        grade_refresh(org, today)
    stale = (
        Organization.objects.filter(directory_entries__isnull=False)
        .exclude(
            grades__in=Grade.objects.filter(
                assessed_on__lte=today,
                valid_until__gte=today,
                level__gte=rules.DIRECTORY_MIN_GRADE,
            )
        )
        .distinct()
    )
    changed = 0
    for org in stale.iterator(chunk_size=500):
        with transaction.atomic():
            locked = Organization.objects.select_for_update(skip_locked=True).filter(pk=org.pk)
            org = locked.first()
            if org is None:
                continue
            added, removed = directory_recompute(organization=org, on=today)
            changed += bool(added or removed)
    return changed
