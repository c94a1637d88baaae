"""Tenders (采购项目): drafting from an approved project, the scoring sheet, the timeline,
publication, cancellation, re-tendering and the tender's documents.

The rules of the documents and the timeline are in ``tender_rules``; amendments and
clarifications of a published tender in ``amendments``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.jurisdiction.selectors import setting_value
from caidan.orgs.models import Organization
from caidan.procurement.codes import Code

from .. import (
    permissions,  # noqa: F401 - registers the rules
    sealing,
)
from ..inputs import TenderInput
from ..lifecycles import tender_lifecycle
from ..methods import config_for, default_committee_size
from ..models import (
    BIDS_CLOSED,
    EvaluationMethod,
    Method,
    Tender,
    TenderAction,
    TenderStatus,
)
from ._shared import _notify_prospective
from .amendments import lock_for_amendment, tender_amend
from .lifecycle import lock
from .tender_rules import check_jurisdiction_limits, validate_deadline

LIVE = (
    TenderStatus.DRAFT,
    TenderStatus.PUBLISHED,
    TenderStatus.EVALUATING,
    TenderStatus.EVALUATED,
    TenderStatus.AWARDED,
    TenderStatus.CONCLUDED,
)

EDITABLE_FIELDS = (
    "title",
    "method",
    "evaluation_method",
    "aggregate",
    "description",
    "budget",
    "bid_security",
    "grade_policy",
    "required_fields",
    "require_experience",
    "abnormal_excludes",
    "designer_organization",
    "price_points",
    "factors",
    "committee_size",
    "reserve_count",
    "invited_organization",
    "justification",
    "posts",
    "post_requirements",
    "post_price_cap",
    "deadline",
    "method_change_reason",
)


def _snapshot(t: Tender) -> dict[str, Any]:
    data = {}
    for f in EDITABLE_FIELDS:
        value = getattr(t, f)
        if isinstance(value, Organization):
            value = value.pk
        elif isinstance(value, Decimal | dt.datetime):
            value = str(value)
        data[f] = value
    return data


# --- drafting ------------------------------------------------------------------------------------


def tender_input(tender: Tender, **changes: Any) -> TenderInput:
    """The tender's documents as they stand, as an input (with ``changes``), checked again."""
    if "proposal" in changes:
        raise field_error("proposal", _("采购项目所属的立项项目不能修改。"))
    current = {f: getattr(tender, f) for f in EDITABLE_FIELDS}
    return TenderInput.parse({**current, **changes}, proposal=tender.proposal)


def _documents(data: TenderInput) -> dict[str, Any]:
    """The tender's fields from ``data``, the jurisdiction's settings for those left blank."""
    documents = data.documents()
    if documents["aggregate"] is None:
        documents["aggregate"] = setting_value("score_aggregate")
    if documents["reserve_count"] is None:
        documents["reserve_count"] = setting_value("expert_reserves")
    return documents


def tender_create(*, data: TenderInput, actor: Actor) -> Tender:
    """Draft the procurement of an approved project (``data.proposal``). What ``data``
    leaves out comes from the project and the jurisdiction's settings; the method defaults
    to the one the project was approved with (another needs the platform admin's approval
    before publication)."""
    require(actor, Perm.PROCUREMENT_CREATE, data.proposal)
    with transaction.atomic():
        from caidan.projects.models import Proposal

        proposal = (
            Proposal.objects.select_for_update().select_related("unit").get(pk=data.proposal.pk)
        )
        if proposal.status != "approved":
            raise Conflict(
                _("项目“%(title)s”尚未立项（当前：%(get_status_display)s），不能发起采购。")
                % {"title": proposal.title, "get_status_display": proposal.get_status_display()},
                code=Code.NOT_APPROVED,
            )
        if proposal.tenders.filter(status__in=LIVE).exists():
            raise Conflict(
                _("该项目已有进行中的采购，不能重复发起（废标或取消后可重新采购）。"),
                code=Code.TENDER_EXISTS,
            )
        if data.method != proposal.procurement_method and not data.method_change_reason:
            raise field_error(
                "method_change_reason",
                _(
                    "立项时确定的采购方式为“%(get_procurement_method_display)s”，改用其他方式须说明理由并经财政部门批准。"
                )
                % {"get_procurement_method_display": proposal.get_procurement_method_display()},
            )
        check_jurisdiction_limits(data)
        t = Tender(
            proposal=proposal,
            unit=proposal.unit,
            reference=f"tmp-{timezone.now().timestamp()}-{proposal.pk}",
            created_by=user_of(actor),
            **_documents(data),
        )
        t.save()
        t.reference = f"CD-{proposal.year}-{t.pk:06d}"
        t.save(update_fields=["reference"])
        audit_record(kind=EventKind.TENDER_CREATED, actor=actor, target=t, new=_snapshot(t))
    return t


def tender_update(*, tender: Tender, changes: dict[str, Any], actor: Actor) -> Tender:
    """Edit a draft: ``changes`` to some of its documents, checked again with the rest as
    one input. Published documents change only through ``tender_amend``."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.DRAFT:
            raise Conflict(
                _("采购公告已发布，只能通过澄清修改公告变更采购文件。"), code=Common.NOT_DRAFT
            )
        before = _snapshot(t)
        from .lots import check_lot_update

        check_lot_update(t, changes)
        if "method" in changes and "committee_size" not in changes:
            changes = {**changes, "committee_size": None}  # the new method's lawful minimum
        data = tender_input(t, **changes)
        method_changed = "method" in changes and data.method != t.proposal.procurement_method
        if method_changed and not data.method_change_reason:
            raise field_error(
                "method_change_reason", _("改用立项时确定以外的采购方式须说明理由并经批准。")
            )
        from .lots import check_lot_budgets

        check_jurisdiction_limits(data)
        for key, value in _documents(data).items():
            setattr(t, key, value)
        if method_changed:
            t.method_change_approved_by = None
            t.method_change_approved_at = None
        t.save()
        if t.has_lots or t.parent_id:
            check_lot_budgets(t if t.has_lots else t.parent)
        after = _snapshot(t)
        changed = {k for k in after if before.get(k) != after.get(k)}
        if changed:
            audit_record(
                kind=EventKind.TENDER_UPDATED,
                actor=actor,
                target=t,
                old={k: before[k] for k in changed},
                new={k: after[k] for k in changed},
            )
    return t


def method_change_needed(tender: Tender) -> bool:
    """The tender's method differs from the one the project was approved with (or, on a
    re-tender, from the failed tender's): the finance bureau must approve it before
    publication."""
    baseline = tender.previous.method if tender.previous_id else tender.proposal.procurement_method
    return tender.method != baseline


def tender_approve_method_change(*, tender: Tender, actor: Actor) -> Tender:
    """The finance bureau approves using a method other than the approved (or failed) one."""
    require(actor, Perm.PROCUREMENT_APPROVE_METHOD_CHANGE)
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.DRAFT:
            raise Conflict(_("只有草稿状态的采购项目需要批准变更采购方式。"))
        if not method_change_needed(t):
            raise Conflict(_("该采购项目未变更采购方式，无需批准。"))
        t.method_change_approved_by = user_of(actor)
        t.method_change_approved_at = timezone.now()
        t.save(update_fields=["method_change_approved_by", "method_change_approved_at"])
        audit_record(
            kind=EventKind.TENDER_METHOD_CHANGE_APPROVED,
            actor=actor,
            target=t,
            new={"method": t.method, "reason": t.method_change_reason},
        )
    return t


def tender_publish(*, tender: Tender, actor: Actor, now: dt.datetime | None = None) -> Tender:
    """Publish the announcement: everything is re-checked, the timeline against the
    calendar, and the tender's sealing key is created (wrapped by the deployment key)."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    with transaction.atomic():
        t = lock(tender)
        if t.parent_id is not None:
            raise Conflict(
                _("分包随所属采购项目一并发布，不能单独发布。"), code=Code.PUBLISHED_WITH_LOTS
            )
        tender_publish_one(t, actor=actor, now=now)
        if t.has_lots:
            from .lots import lots_publish

            lots_publish(t, actor=actor, now=now)
    return t


def tender_publish_one(t: Tender, *, actor: Actor, now: dt.datetime) -> None:
    """Publish one tender (``t`` locked, inside the caller's transaction)."""
    check_jurisdiction_limits(tender_input(t))
    if t.status == TenderStatus.DRAFT:
        validate_deadline(t, now=now)
    if method_change_needed(t) and t.method_change_approved_by_id is None:
        raise Conflict(
            _("变更采购方式尚未经财政部门（平台管理员）批准，不能发布。"),
            code=Code.METHOD_CHANGE_UNAPPROVED,
        )
    t.wrapped_key, t.key_id = sealing.wrap_new_key(t.pk)
    # The expert draw's seed is fixed now, before any bid exists: only its commitment
    # is published (the seed itself with the award), so nobody can choose the panel.
    from .draw import new_draw_seed

    t.draw_seed, t.draw_commitment = new_draw_seed()
    tender_lifecycle.apply(
        t,
        TenderAction.PUBLISH,
        actor=actor,
        published_at=now,
        draw_commitment=t.draw_commitment,
    )
    from caidan.notifications.services import due_day, notify

    from ..tasks import respond_task

    if t.invited_organization_id:
        invitees = organization_users([t.invited_organization_id])
        notify(
            recipients=invitees,
            kind="tender.invited",
            title=f"请递交响应文件，截止 {due_day(t.deadline)}："
            f"{t.title}（{t.get_method_display()}邀请）",
            body=f"{t.unit.name}拟以{t.get_method_display()}方式向贵组织采购“{t.title}”，"
            f"请在 {timezone.localtime(t.deadline):%Y-%m-%d %H:%M} 前递交响应文件。",
            url=f"/procurement/tenders/{t.pk}/",
            task=respond_task(t),
        )


def tender_cancel(
    *, tender: Tender, reason: str, actor: Actor, now: dt.datetime | None = None
) -> Tender:
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    if not (reason or "").strip():
        raise field_error("reason", _("请填写取消理由（将公开）。"))
    with transaction.atomic():
        t = lock(tender)
        if t.phase_at(now).phase == BIDS_CLOSED:  # published, deadline come
            raise Conflict(
                _("投标已截止，等待开标，不能取消；可在开标后按规定废标。"),
                code=Code.DEADLINE_PASSED,
            )
        tender_lifecycle.apply(
            t, TenderAction.CANCEL, actor=actor, note=reason, cancelled_reason=reason
        )
        for lot in t.lots.filter(status__in=(TenderStatus.DRAFT, TenderStatus.PUBLISHED)):
            tender_lifecycle.apply(
                lot, TenderAction.CANCEL, actor=actor, note=reason, cancelled_reason=reason
            )
        from caidan.notifications.services import notifications_resolve

        from ..tasks import respond_task

        notifications_resolve(task=respond_task(t))
        if t.published_at:
            _notify_prospective(t, f"采购取消：{t.title}", reason)
    return t


def tender_fail_manual(*, tender: Tender, reason: str, actor: Actor) -> Tender:
    """The purchaser declares the tender failed after evaluation (e.g. a challenge was
    upheld and the result cannot stand)."""
    from .lifecycle import fail

    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    if not (reason or "").strip():
        raise field_error("reason", _("请填写废标理由（将公开）。"))
    with transaction.atomic():
        t = lock(tender)
        if t.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                _("采购项目处于“%(get_status_display)s”状态，不能废标。")
                % {"get_status_display": t.get_status_display()}
            )
        fail(t, reason=reason.strip(), actor=actor)
    return t


def tender_retender(
    *, tender: Tender, actor: Actor, method: str | None = None, reason: str = ""
) -> Tender:
    """After a failed tender: a new draft with the same documents, possibly by another
    method (which then needs approval before publication)."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    with transaction.atomic():
        old = lock(tender)
        if old.status != TenderStatus.FAILED:
            raise Conflict(_("只有废标的采购项目可以重新采购。"), code=Code.NOT_FAILED)
        if Tender.objects.filter(previous=old).exclude(status=TenderStatus.CANCELLED).exists():
            raise Conflict(_("已就该废标项目发起重新采购。"), code=Code.TENDER_EXISTS)
        method = method or old.method
        if method not in Method.values:
            raise field_error("method", _("采购方式“%(method)s”无效。") % {"method": method})
        if method != old.method and not (reason or "").strip():
            raise field_error("reason", _("变更采购方式须说明理由（如公开招标只有两家有效投标）。"))
        copy = {f: getattr(old, f) for f in EDITABLE_FIELDS if f not in ("deadline", "method")}
        copy["method_change_reason"] = reason.strip() if method != old.method else ""
        new = Tender(
            proposal=old.proposal,
            unit=old.unit,
            reference=f"tmp-{timezone.now().timestamp()}-{old.pk}",
            previous=old,
            created_by=user_of(actor),
            **copy,
        )
        new.method = method
        new.committee_size = default_committee_size(method, new.budget)
        if not config_for(method).lowest_price_allowed:  # 财库〔2014〕214号 §23
            new.evaluation_method = EvaluationMethod.COMPREHENSIVE
        if not config_for(method).invited_only:
            new.invited_organization = None
        if not config_for(method).posts:
            new.posts = 0
        new.save()
        new.reference = f"{old.reference.split('-R')[0]}-R{Tender.objects.filter(proposal=old.proposal).count() - 1}"
        new.save(update_fields=["reference"])
        audit_record(
            kind=EventKind.TENDER_CREATED,
            actor=actor,
            target=new,
            new={**_snapshot(new), "previous": old.pk},
            note=reason,
        )
    return new


# --- documents ------------------------------------------------------------------------------------

DOCUMENT_TARGET = "procurement.tender"


def tender_document_add(
    *,
    tender: Tender,
    file: Any,
    description: str = "",
    actor: Actor,
    now: dt.datetime | None = None,
):
    """Attach a public document (招标文件, drawings, forms) to a tender. On a draft it is
    simply attached; once published it is an amendment (实施条例 §31): published with a
    notice, and a late one pushes the deadline like any other."""
    from caidan.documents.services import document_upload

    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    with transaction.atomic():
        # checked on the locked rows (locked as the amendment below will: the tender in lots
        # first), so that no opening or other change slips in between the check and the upload
        t = lock_for_amendment(tender)[2]
        if t.status not in (TenderStatus.DRAFT, TenderStatus.PUBLISHED):
            raise Conflict(_("投标截止后不能再补充采购文件。"), code=Code.NOT_OPEN)
        if t.phase_at(now).phase == BIDS_CLOSED:
            raise Conflict(_("投标已截止，不能再补充采购文件。"), code=Code.DEADLINE_PASSED)
        document = document_upload(
            file=file,
            actor=actor,
            description=description,
            is_public=True,
            target_type=DOCUMENT_TARGET,
            target_id=str(t.pk),
        )
        if t.status == TenderStatus.PUBLISHED:
            summary = f"发布补充采购文件“{document.original_name}”"
            if (description or "").strip():
                summary += f"：{description.strip()}"
            # published once the file is there: the release lists documents uploaded at or
            # before the amendment, and §31's fifteen days count from its publication
            tender_amend(
                tender=t,
                summary=summary,
                affects_bids=True,
                actor=actor,
                now=max(now, document.uploaded_at),
            )
    return document


def tender_documents(tender: Tender, *, actor: Actor):
    from caidan.documents.selectors import document_list_for_target

    return document_list_for_target(actor=actor, target_type=DOCUMENT_TARGET, target_id=tender.pk)
