"""Grades, penalties, credit lists and the negative list of providers (民政部令第39号, 第60号).

Listings follow from the facts: recording a penalty lists the organization where the
rules say so; ``tick`` removes expired listings and escalates long abnormal listings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.perms import Perm
from caidan.common.tick import tick_job
from caidan.orgs.codes import Code

from .. import (
    permissions,  # noqa: F401 - registers the rules
    rules,
)
from ..inputs import CreditListingInput, PenaltyInput
from ..lifecycles import OrganizationAction, organization_lifecycle
from ..models import CreditRecord, Grade, Organization, Penalty, ProviderBar
from .directory import directory_recompute, grade_refresh


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise field_error(field, _("日期 %(day)s 不能晚于今天。") % {"day": day})


def grade_record(
    *,
    organization: Organization,
    level: int,
    assessed_on: dt.date,
    score: Decimal | str | None = None,
    assessor: str = "",
    note: str = "",
    actor: Actor,
) -> Grade:
    require(actor, Perm.ORGS_MANAGE)
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise field_error("level", _("评估等级应为 1 到 5（即 1A–5A）。")) from None
    if not 1 <= level <= 5:
        raise field_error("level", _("评估等级应为 1 到 5（即 1A–5A）。"))
    _not_future(assessed_on, "assessed_on")
    if score not in (None, ""):
        score = Decimal(str(score))
        if not Decimal(0) <= score <= Decimal(1000):
            raise field_error("score", _("评估得分应在 0 到 1000 之间。"))
    else:
        score = None
    with transaction.atomic():
        grade = Grade.objects.create(
            organization=organization,
            level=level,
            score=score,
            assessed_on=assessed_on,
            valid_until=rules.grade_valid_until(assessed_on),
            assessor=assessor,
            note=note,
            recorded_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.GRADE_RECORDED,
            actor=actor,
            target=organization,
            new={
                "level": level,
                "score": score,
                "assessed_on": assessed_on,
                "valid_until": grade.valid_until,
            },
        )
        grade_refresh(organization)
        directory_recompute(organization=organization, actor=actor)
    return grade


def _list(
    *,
    organization: Organization,
    list_kind: str,
    reason: str,
    listed_on: dt.date,
    detail: str = "",
    auto_remove_on: dt.date | None = None,
    penalty: Penalty | None = None,
    escalated_from: CreditRecord | None = None,
    actor: Actor,
) -> CreditRecord:
    record = CreditRecord.objects.create(
        organization=organization,
        list=list_kind,
        reason=reason,
        detail=detail,
        listed_on=listed_on,
        auto_remove_on=auto_remove_on,
        penalty=penalty,
        escalated_from=escalated_from,
        created_by=user_of(actor),
    )
    audit_record(
        kind=EventKind.CREDIT_LISTED,
        actor=actor,
        target=organization,
        new={
            "record": record.pk,
            "list": list_kind,
            "reason": reason,
            "listed_on": listed_on,
            "auto_remove_on": auto_remove_on,
        },
        note=detail,
    )
    return record


def penalty_record(*, organization: Organization, data: PenaltyInput, actor: Actor) -> Penalty:
    """Record an administrative penalty and apply its credit consequences:
    warning or fine < 5 万元 → abnormal list (removed after 6 months);
    fine ≥ 5 万元 → serious-violation list; revocation → serious list and status revoked;
    a second warning/small fine within 3 years → serious-violation list."""
    require(actor, Perm.ORGS_MANAGE)
    kind, amount, decided_on, reason = data.kind, data.amount, data.decided_on, data.reason
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        penalty = Penalty.objects.create(
            organization=org,
            **data.values("kind", "amount", "decided_on", "reason", "authority", "document_no"),
            recorded_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.PENALTY_RECORDED,
            actor=actor,
            target=org,
            new={"kind": kind, "amount": amount, "decided_on": decided_on, "reason": reason},
        )
        if rules.penalty_is_minor(kind, amount):
            _list(
                organization=org,
                list_kind=CreditRecord.List.ABNORMAL,
                reason=CreditRecord.Reason.MINOR_PENALTY,
                listed_on=decided_on,
                auto_remove_on=rules.add_months(decided_on, rules.ABNORMAL_AUTO_REMOVAL_MONTHS),
                penalty=penalty,
                detail=reason,
                actor=actor,
            )
            since = rules.add_years(decided_on, -rules.REPEATED_PENALTY_YEARS)
            minor = [
                p
                for p in org.penalties.filter(decided_on__gt=since, decided_on__lte=decided_on)
                if rules.penalty_is_minor(p.kind, p.amount)
            ]
            already = org.credit_records.filter(
                list=CreditRecord.List.SERIOUS,
                reason=CreditRecord.Reason.REPEATED_PENALTIES,
                removed_on__isnull=True,
            ).exists()
            if len(minor) >= rules.REPEATED_PENALTY_COUNT and not already:
                _list(
                    organization=org,
                    list_kind=CreditRecord.List.SERIOUS,
                    reason=CreditRecord.Reason.REPEATED_PENALTIES,
                    listed_on=decided_on,
                    penalty=penalty,
                    detail=f"3年内第 {len(minor)} 次受到警告或不满5万元罚款",
                    actor=actor,
                )
        elif kind in (Penalty.Kind.FINE, Penalty.Kind.REVOCATION):
            # A fine of 5 万元 or more, or revocation: the serious-violation list.
            _list(
                organization=org,
                list_kind=CreditRecord.List.SERIOUS,
                reason=CreditRecord.Reason.MAJOR_FINE
                if kind == Penalty.Kind.FINE
                else CreditRecord.Reason.REVOKED,
                listed_on=decided_on,
                penalty=penalty,
                detail=reason,
                actor=actor,
            )
            if kind == Penalty.Kind.REVOCATION and org.status == Organization.Status.ACTIVE:
                organization_lifecycle.apply(
                    org,
                    OrganizationAction.REVOKE,
                    actor=actor,
                    note=reason,
                    update_fields=["updated_at"],
                    audit_new={"penalty": penalty.pk},
                )
        directory_recompute(organization=org, actor=actor)
    return penalty


def credit_list_add(
    *, organization: Organization, data: CreditListingInput, actor: Actor
) -> CreditRecord:
    """List an organization by decision of the authority (e.g. annual report not filed)."""
    require(actor, Perm.ORGS_MANAGE)
    list_kind, reason = data.list_kind, data.reason
    with transaction.atomic():
        if organization.credit_records.filter(
            list=list_kind, reason=reason, removed_on__isnull=True
        ).exists():
            raise Conflict(
                _("该组织已因同一事由列入%(label)s。")
                % {"label": CreditRecord.List(list_kind).label}
            )
        record = _list(
            organization=organization,
            list_kind=list_kind,
            reason=reason,
            listed_on=data.listed_on,
            detail=data.detail,
            actor=actor,
        )
        directory_recompute(organization=organization, actor=actor)
    return record


def judgment_defaulter_set(
    *, organization: Organization, listed_on: dt.date, detail: str = "", actor: Actor
) -> CreditRecord:
    """Record a court's judgment-defaulter finding: the defaulter flag plus a listing on
    the serious-violation list (民政部令第60号)."""
    require(actor, Perm.ORGS_MANAGE)
    _not_future(listed_on, "listed_on")
    with transaction.atomic():
        if organization.credit_records.filter(
            list=CreditRecord.List.DEFAULTER, removed_on__isnull=True
        ).exists():
            raise Conflict(_("该组织已被标记为失信被执行人。"))
        flag = _list(
            organization=organization,
            list_kind=CreditRecord.List.DEFAULTER,
            reason=CreditRecord.Reason.JUDGMENT_DEFAULTER,
            listed_on=listed_on,
            detail=detail,
            actor=actor,
        )
        _list(
            organization=organization,
            list_kind=CreditRecord.List.SERIOUS,
            reason=CreditRecord.Reason.JUDGMENT_DEFAULTER,
            listed_on=listed_on,
            detail=detail,
            escalated_from=flag,
            actor=actor,
        )
        directory_recompute(organization=organization, actor=actor)
    return flag


def serious_removal_earliest(record: CreditRecord) -> dt.date:
    """A serious-violation listing may be removed once two years have passed since the
    listing and since the organization's last new event (penalty or listing)."""
    org = record.organization
    last_penalty = (
        org.penalties.exclude(pk=record.penalty_id)
        .order_by("-decided_on")
        .values_list("decided_on", flat=True)
        .first()
    )
    last_listing = (
        org.credit_records.exclude(pk=record.pk)
        .exclude(pk=record.escalated_from_id)
        .exclude(escalated_from=record)
        .filter(listed_on__gte=record.listed_on)
        .order_by("-listed_on")
        .values_list("listed_on", flat=True)
        .first()
    )
    anchor = max(d for d in (record.listed_on, last_penalty, last_listing) if d is not None)
    return rules.add_years(anchor, rules.SERIOUS_REMOVAL_YEARS)


def credit_record_remove(
    *, record: CreditRecord, reason: str, removed_on: dt.date | None = None, actor: Actor
) -> CreditRecord:
    """Remove a listing: abnormal after rectification; serious only after two years
    without a new event; a defaulter flag when the court lifts it."""
    require(actor, Perm.ORGS_MANAGE)
    removed_on = removed_on or timezone.localdate()
    if not (reason or "").strip():
        raise field_error("reason", _("请写明移出理由（如已整改的情况）。"))
    with transaction.atomic():
        record = (
            CreditRecord.objects.select_for_update()
            .select_related("organization")
            .get(pk=record.pk)
        )
        if record.removed_on is not None:
            raise Conflict(
                _("该记录已于 %(removed_on)s 移出。") % {"removed_on": record.removed_on}
            )
        if removed_on < record.listed_on:
            raise field_error("removed_on", _("移出日期不能早于列入日期。"))
        if record.list == CreditRecord.List.SERIOUS:
            earliest = serious_removal_earliest(record)
            if removed_on < earliest:
                raise ValidationError(
                    _(
                        "严重违法失信名单须满 2 年且期间无新的违法失信行为方可移出，最早可于 %(earliest)s 移出。"
                    )
                    % {"earliest": earliest},
                    code=Code.SERIOUS_TOO_EARLY,
                    detail={"field": "removed_on", "earliest": earliest.isoformat()},
                )
        record.removed_on = removed_on
        record.removal_reason = reason.strip()
        record.save(update_fields=["removed_on", "removal_reason"])
        audit_record(
            kind=EventKind.CREDIT_REMOVED,
            actor=actor,
            target=record.organization,
            old={"record": record.pk, "list": record.list, "removed_on": None},
            new={"removed_on": removed_on},
            note=reason,
        )
        directory_recompute(organization=record.organization, actor=actor)
    return record


def provider_bar_create(
    *,
    organization: Organization,
    reason: str,
    starts_on: dt.date,
    ends_on: dt.date,
    source: str = "",
    actor: Actor,
) -> ProviderBar:
    """Bar a provider from bidding until ``ends_on`` (poor evaluation, breach …)."""
    require(actor, Perm.ORGS_MANAGE)
    if not (reason or "").strip():
        raise field_error("reason", _("请写明列入负面清单的理由。"))
    if ends_on < starts_on:
        raise field_error("ends_on", _("截止日期不能早于起始日期。"))
    with transaction.atomic():
        bar = ProviderBar.objects.create(
            organization=organization,
            reason=reason.strip(),
            source=source,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.PROVIDER_BARRED,
            actor=actor,
            target=organization,
            new={"bar": bar.pk, "starts_on": starts_on, "ends_on": ends_on, "source": source},
            note=reason,
        )
        directory_recompute(organization=organization, actor=actor)
    return bar


def provider_bar_lift(
    *, bar: ProviderBar, reason: str, lifted_on: dt.date | None = None, actor: Actor
) -> ProviderBar:
    require(actor, Perm.ORGS_MANAGE)
    lifted_on = lifted_on or timezone.localdate()
    if not (reason or "").strip():
        raise field_error("reason", _("请写明提前解除的理由。"))
    with transaction.atomic():
        bar = ProviderBar.objects.select_for_update().select_related("organization").get(pk=bar.pk)
        if bar.lifted_on is not None:
            raise Conflict(_("该负面清单记录已解除。"))
        if lifted_on < bar.starts_on:
            raise field_error("lifted_on", _("解除日期不能早于起始日期。"))
        bar.lifted_on = lifted_on
        bar.save(update_fields=["lifted_on"])
        audit_record(
            kind=EventKind.PROVIDER_BAR_LIFTED,
            actor=actor,
            target=bar.organization,
            new={"bar": bar.pk, "lifted_on": lifted_on},
            note=reason,
        )
        directory_recompute(organization=bar.organization, actor=actor)
    return bar


@tick_job("orgs.abnormal_auto_removal")
def abnormal_auto_removal(now: dt.datetime) -> int:
    """Penalty-based abnormal listings end six months after the penalty."""
    today = timezone.localdate(now)
    changed = 0
    due = CreditRecord.objects.filter(
        list=CreditRecord.List.ABNORMAL, removed_on__isnull=True, auto_remove_on__lte=today
    ).values_list("pk", flat=True)
    for pk in list(due[:5000]):
        with transaction.atomic():
            record = (
                CreditRecord.objects.select_for_update(skip_locked=True)
                .select_related("organization")
                .filter(pk=pk, removed_on__isnull=True)
                .first()
            )
            if record is None:
                continue
            record.removed_on = record.auto_remove_on
            record.removal_reason = "列入活动异常名录届满 6 个月，自动移出"
            record.save(update_fields=["removed_on", "removal_reason"])
            audit_record(
                kind=EventKind.CREDIT_REMOVED,
                actor=Actor.system(),
                target=record.organization,
                old={"record": record.pk, "list": record.list, "removed_on": None},
                new={"removed_on": record.removed_on},
                note=record.removal_reason,
            )
            directory_recompute(organization=record.organization, actor=Actor.system())
            changed += 1
    return changed


@tick_job("orgs.abnormal_escalation")
def abnormal_escalation(now: dt.datetime) -> int:
    """An organization on the abnormal list for two years goes on the serious list."""
    today = timezone.localdate(now)
    cutoff = rules.add_years(today, -rules.ABNORMAL_ESCALATION_YEARS)
    due = CreditRecord.objects.filter(
        list=CreditRecord.List.ABNORMAL,
        listed_on__lte=cutoff,
        removed_on__isnull=True,
        escalations__isnull=True,
    ).values_list("pk", flat=True)
    changed = 0
    for pk in list(due[:5000]):
        with transaction.atomic():
            record = (
                CreditRecord.objects.select_for_update(skip_locked=True)
                .select_related("organization")
                .filter(pk=pk, removed_on__isnull=True)
                .exclude(Exists(CreditRecord.objects.filter(escalated_from=OuterRef("pk"))))
                .first()
            )
            if record is None:
                continue
            listed_on = rules.add_years(record.listed_on, rules.ABNORMAL_ESCALATION_YEARS)
            _list(
                organization=record.organization,
                list_kind=CreditRecord.List.SERIOUS,
                reason=CreditRecord.Reason.ABNORMAL_TWO_YEARS,
                listed_on=listed_on,
                escalated_from=record,
                detail=f"自 {record.listed_on} 起列入活动异常名录满 2 年",
                actor=Actor.system(),
            )
            directory_recompute(organization=record.organization, actor=Actor.system())
            changed += 1
    return changed
