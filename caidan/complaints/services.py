"""Writes for complaints (投诉): file, accept, reject, suspend, lift, decide, withdraw.

Each service is ``complaint_<action>(*, …, actor, now=None)``: one transaction, the row
locked, the lifecycle checked against ``TRANSITIONS``, one audit event with the true old and
new status, notices to the complainant, the purchaser and the finance bureau.

Deadlines come from the working-day calendar and are stored on the row:
* filing: within 15 working days after the challenge answer, or after the answer's due date
  passed without one (政府采购法 §55; 94号令 §17);
* accepting or rejecting: within 5 working days of receipt (94号令 §21) → ``accept_due``;
* deciding: within 30 working days of acceptance (政府采购法 §56; 94号令 §26–27) →
  ``decide_due``;
* suspension of the procurement: at most 30 calendar days, in writing (政府采购法 §57;
  94号令 §28); it ends by itself (``Complaint.suspended_at``), the tick records its end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role, Unit, User
from caidan.accounts.permissions import require
from caidan.accounts.selectors import finance_bureau as accounts_finance_bureau
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.calendar import (
    deadline_after_working_days,
    end_of_day,
    local_date,
    start_of_day,
)
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.common.tick import flag_once, tick_job
from caidan.complaints.codes import Code
from caidan.notifications.services import due_day, notifications_resolve, notify
from caidan.procurement.models import Challenge, ChallengeStatus

from . import permissions  # noqa: F401 - registers the rules
from .inputs import (
    ComplaintDecisionInput,
    ComplaintInput,
    ComplaintRejectInput,
    ComplaintSuspendInput,
)
from .lifecycles import complaint_lifecycle
from .models import (
    ACCEPT_WORKING_DAYS,
    DECIDE_WORKING_DAYS,
    FILE_WORKING_DAYS,
    MAX_SUSPENSION_DAYS,
    PENDING_STATUSES,
    Complaint,
    ComplaintAction,
    ComplaintOutcome,
    ComplaintStatus,
)

SIGNED_CONTRACT_STATUSES = ("active", "completed", "terminated")  # contracts.ContractStatus


# --- helpers -----------------------------------------------------------------------------


def finance_bureau() -> Unit:
    return accounts_finance_bureau(what="投诉")


def _bureau_officers(c: Complaint) -> list[User]:
    return unit_officers(c.bureau, role=Role.PLATFORM_ADMIN)


def _url(c: Complaint) -> str:
    return f"/complaints/{c.pk}/"


def _tell(
    recipients: Iterable[User], c: Complaint, kind: str, title: str, body: str, task: str = ""
) -> None:
    seen: dict[int, User] = {}
    for u in recipients:
        seen.setdefault(u.pk, u)
    if seen:
        notify(
            recipients=list(seen.values()),
            kind=kind,
            title=title,
            body=body,
            url=_url(c),
            task=task,
        )


def accept_task(c: Complaint) -> str:
    """The bureau decides whether to accept (受理) a complaint."""
    return f"complaint_accept:complaint:{c.pk}"


def decide_task(c: Complaint) -> str:
    """The bureau decides (处理决定) an accepted complaint."""
    return f"complaint_decide:complaint:{c.pk}"


def _complainant(c: Complaint) -> list[User]:
    return organization_users([c.organization_id])


def _purchaser(c: Complaint) -> list[User]:
    return unit_officers(c.tender.unit)


def _fmt(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def file_window(challenge: Challenge) -> tuple[dt.datetime, dt.datetime] | None:
    """(from, until) in which the challenger may complain about ``challenge``: after the
    answer (or, unanswered, after its due date passed) and until the end of the 15th working
    day after it (政府采购法 §55). None: a withdrawn challenge (nothing to complain about)."""
    if challenge.status == ChallengeStatus.ANSWERED and challenge.answered_at:
        base = challenge.answered_at
    elif challenge.status == ChallengeStatus.FILED:
        base = challenge.answer_due
    else:
        return None
    return base, deadline_after_working_days(base, FILE_WORKING_DAYS)


def can_complain_about(challenge: Challenge, now: dt.datetime) -> bool:
    window = file_window(challenge)
    if window is None:
        return False
    opens, closes = window
    if challenge.status == ChallengeStatus.FILED:
        return opens < now <= closes
    return opens <= now <= closes


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("tender__unit", "award", "organization", "bureau")
        .get(pk=complaint.pk)
    )


def _end_suspension(c: Complaint, now: dt.datetime) -> dict[str, Any]:
    """The suspension ends with the complaint (rejected, decided, withdrawn)."""
    if c.suspended_at(now):
        return {"suspension_lifted_at": now}
    return {}


# --- filing ------------------------------------------------------------------------------


def complaint_file(
    *, data: ComplaintInput, actor: Actor, now: dt.datetime | None = None
) -> Complaint:
    """The challenger complains to the finance department about matters it challenged."""
    now = now or timezone.now()
    items = data.challenges
    organization = items[0].organization
    require(actor, Perm.COMPLAINTS_FILE, organization)
    with transaction.atomic():
        locked = list(
            Challenge.objects.select_for_update()
            .select_related("tender__unit", "award")
            .filter(pk__in=[c.pk for c in items])
            .order_by("pk")
        )
        for ch in locked:
            window = file_window(ch)
            if window is None:
                raise Conflict(
                    _(
                        "该质疑已撤回，不能就其投诉（政府采购法 §55：质疑供应商对答复不满意或"
                        "逾期未答复的方可投诉）。"
                    ),
                    code=Code.CHALLENGE_WITHDRAWN,
                )
            opens, closes = window
            if ch.status == ChallengeStatus.FILED and now <= opens:
                raise Conflict(
                    _(
                        "质疑答复期限（%(fmt)s）尚未届满，采购人答复或逾期未答复后才能投诉（政府采购法 §55）。"
                    )
                    % {"fmt": _fmt(opens)},
                    code=Code.NOT_YET,
                )
            if now > closes:
                raise Conflict(
                    _(
                        "投诉期已于 %(fmt)s 届满：应在质疑答复期满后十五个工作日内投诉（政府采购法 §55）。"
                    )
                    % {"fmt": _fmt(closes)},
                    code=Common.WINDOW_CLOSED,
                )
        if Complaint.objects.filter(challenges__in=locked, status__in=PENDING_STATUSES).exists():
            raise Conflict(_("该质疑已有正在处理的投诉，不能重复投诉。"), code=Common.DUPLICATE)
        if Complaint.objects.filter(challenges__in=locked, status=ComplaintStatus.DECIDED).exists():
            raise Conflict(
                _(
                    "财政部门已对该质疑事项作出投诉处理决定；不服的，可依法申请行政复议或提起行政诉讼"
                    "（政府采购法 §58）。"
                ),
                code=Common.ALREADY_DECIDED,
            )
        tender = locked[0].tender
        c = Complaint.objects.create(
            tender=tender,
            award=locked[0].award,
            organization=organization,
            bureau=finance_bureau(),
            matters=data.matters,
            request=data.request,
            filed_at=now,
            filed_by=user_of(actor),
            accept_due=deadline_after_working_days(now, ACCEPT_WORKING_DAYS),
        )
        c.challenges.set(locked)
        audit_record(
            kind=EventKind.COMPLAINT_FILED,
            actor=actor,
            target=c,
            new={
                "status": c.status,
                "tender": tender.pk,
                "organization": organization.pk,
                "challenges": [ch.pk for ch in locked],
                "accept_due": c.accept_due.isoformat(),
            },
        )
        _tell(
            _bureau_officers(c),
            c,
            "complaint.filed",
            f"请决定是否受理投诉，截止 {due_day(c.accept_due)}：{tender.title}",
            f"{organization.name}提出投诉，请在 {_fmt(c.accept_due)} 前决定是否受理"
            "（94号令 §21）。",
            task=accept_task(c),
        )
        _tell(
            _purchaser(c),
            c,
            "complaint.filed",
            f"供应商向财政部门投诉：{tender.title}",
            f"{organization.name}就质疑答复向财政部门投诉。投诉处理期间不得签订合同。",
        )
        _tell(
            _complainant(c),
            c,
            "complaint.filed",
            f"投诉已提交：{tender.title}",
            f"财政部门应在 {_fmt(c.accept_due)} 前决定是否受理。",
        )
    return c


# --- the finance department ----------------------------------------------------------------


def complaint_accept(
    *, complaint: Complaint, actor: Actor, now: dt.datetime | None = None
) -> Complaint:
    """Accept (受理): the decision is due within 30 working days from today."""
    require(actor, Perm.COMPLAINTS_HANDLE, complaint)
    now = now or timezone.now()
    with transaction.atomic():
        c = _lock(complaint)
        complaint_lifecycle.apply(
            c,
            ComplaintAction.ACCEPT,
            actor=actor,
            handled_at=now,
            handled_by=user_of(actor),
            decide_due=deadline_after_working_days(now, DECIDE_WORKING_DAYS),
        )
        notifications_resolve(task=accept_task(c), now=now)
        body = f"财政部门已受理投诉，将在 {_fmt(c.decide_due)} 前作出处理决定（94号令 §26）。"
        _tell(_complainant(c), c, "complaint.accepted", f"投诉已受理：{c.tender.title}", body)
        _tell(_purchaser(c), c, "complaint.accepted", f"投诉已受理：{c.tender.title}", body)
    return c


def complaint_reject(
    *,
    complaint: Complaint,
    data: ComplaintRejectInput,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Complaint:
    """Reject (不予受理), in writing with the reasons (94号令 §21)."""
    require(actor, Perm.COMPLAINTS_HANDLE, complaint)
    now = now or timezone.now()
    reason = data.reason
    with transaction.atomic():
        c = _lock(complaint)
        complaint_lifecycle.apply(
            c,
            ComplaintAction.REJECT,
            actor=actor,
            handled_at=now,
            handled_by=user_of(actor),
            rejection_reason=reason,
            **_end_suspension(c, now),
        )
        notifications_resolve(task=accept_task(c), now=now)
        _tell(
            _complainant(c) + _purchaser(c),
            c,
            "complaint.rejected",
            f"投诉不予受理：{c.tender.title}",
            f"理由：{reason}（94号令 §21）",
        )
    return c


def complaint_suspend(
    *,
    complaint: Complaint,
    data: ComplaintSuspendInput,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Complaint:
    """Suspend the procurement in writing from ``start`` (default today) to the end of
    ``until``: at most 30 calendar days, both days counted (政府采购法 §57; 94号令 §28). While
    in force no award is confirmed and no contract drafted or signed (``holds.py``)."""
    require(actor, Perm.COMPLAINTS_HANDLE, complaint)
    now = now or timezone.now()
    reason, until = data.reason, data.until
    today = local_date(now)
    start = data.start or today
    if start < today:
        raise field_error("start", _("暂停起始日期不能早于今天。"))
    if until < start:
        raise field_error("until", _("暂停截止日期不能早于起始日期。"))
    days = (until - start).days + 1
    if days > MAX_SUSPENSION_DAYS:
        raise field_error(
            "until",
            _(
                "暂停采购活动最长不得超过 %(MAX_SUSPENSION_DAYS)s 日（政府采购法 §57，94号令 §28），所选期间为 %(days)s 日。"
            )
            % {"MAX_SUSPENSION_DAYS": MAX_SUSPENSION_DAYS, "days": days},
        )
    with transaction.atomic():
        c = _lock(complaint)
        if c.suspension_start is not None:
            raise Conflict(
                _("该投诉已作出过暂停采购的决定；暂停合计不得超过 30 日（政府采购法 §57）。"),
                code=Code.ALREADY_SUSPENDED,
            )
        complaint_lifecycle.apply(
            c,
            ComplaintAction.SUSPEND,
            actor=actor,
            suspension_start=now if start == today else start_of_day(start),
            suspension_end=end_of_day(until),
            suspension_reason=reason,
        )
        body = (
            f"财政部门书面通知：暂停采购活动，自 {start:%Y-%m-%d} 至 {until:%Y-%m-%d}"
            f"（政府采购法 §57，94号令 §28）。暂停期间不得确定中标人、起草或签订合同。理由：{reason}"
        )
        _tell(_purchaser(c), c, "complaint.suspended", f"暂停采购活动：{c.tender.title}", body)
        _tell(_complainant(c), c, "complaint.suspended", f"暂停采购活动：{c.tender.title}", body)
    return c


def complaint_lift_suspension(
    *, complaint: Complaint, actor: Actor, now: dt.datetime | None = None
) -> Complaint:
    """End the suspension early (the purchaser may continue)."""
    require(actor, Perm.COMPLAINTS_HANDLE, complaint)
    now = now or timezone.now()
    with transaction.atomic():
        c = _lock(complaint)
        if complaint_lifecycle.allowed(c.status, ComplaintAction.LIFT) and not c.suspended_at(now):
            raise Conflict(_("当前没有生效的暂停采购决定。"), code=Code.NOT_SUSPENDED)
        complaint_lifecycle.apply(c, ComplaintAction.LIFT, actor=actor, suspension_lifted_at=now)
        _tell(
            _purchaser(c) + _complainant(c),
            c,
            "complaint.suspension_lifted",
            f"解除暂停采购：{c.tender.title}",
            "财政部门已解除暂停采购活动的决定，采购活动可以继续。",
        )
    return c


def _has_signed_contract(c: Complaint) -> bool:
    # The reverse relation of contracts.Contract.award (complaints never imports contracts).
    related = getattr(c.award, "contracts", None)
    return bool(
        related is not None and related.filter(status__in=SIGNED_CONTRACT_STATUSES).exists()
    )


def complaint_decide(
    *,
    complaint: Complaint,
    data: ComplaintDecisionInput,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Complaint:
    """Decide (处理决定) and publish it (94号令 §35). Effects on the tender (94号令 §31–32):
    dismissed or upheld without effect: the award stands; upheld, award void: the award is
    revoked and the purchaser awards another ranked candidate, or (re-tender) the tender
    fails and is procured again; upheld after the contract was signed: recorded finding."""
    from caidan.procurement.services.awards import award_revoke

    require(actor, Perm.COMPLAINTS_HANDLE, complaint)
    now = now or timezone.now()
    outcome, reasoning = data.outcome, data.reasoning
    with transaction.atomic():
        c = _lock(complaint)
        revoke = outcome in (ComplaintOutcome.UPHELD_REAWARD, ComplaintOutcome.UPHELD_RETENDER)
        if revoke and c.status == ComplaintStatus.ACCEPTED and _has_signed_contract(c):
            raise field_error(
                "outcome",
                _(
                    "合同已经签订，不能再认定中标结果无效后另行确定或重新采购；请选择“投诉成立，"
                    "合同已经签订”（94号令 §32）。"
                ),
            )
        if outcome == ComplaintOutcome.UPHELD_CONTRACT_SIGNED and not _has_signed_contract(c):
            raise field_error("outcome", _("该项目尚未签订合同，不能选择“合同已经签订”。"))
        complaint_lifecycle.apply(
            c,
            ComplaintAction.DECIDE,
            actor=actor,
            outcome=outcome,
            reasoning=reasoning,
            decided_at=now,
            decided_by=user_of(actor),
            published_at=now,
            **_end_suspension(c, now),
        )
        notifications_resolve(task=decide_task(c), now=now)
        label = ComplaintOutcome(outcome).label
        audit_record(  # published with the decision (94号令 §35): moves the OCDS changes feed
            kind=EventKind.COMPLAINT_PUBLISHED,
            actor=actor,
            target=c,
            new={"outcome": outcome, "published_at": now.isoformat()},
        )
        if revoke:
            award_revoke(
                award=c.award,
                reason=f"投诉处理决定（{label}）：{reasoning}",
                actor=actor,
                retender=outcome == ComplaintOutcome.UPHELD_RETENDER,
                now=now,
            )
        body = f"处理结果：{label}。理由：{reasoning[:200]}"
        winner = organization_users([c.award.bid.organization_id]) if c.award_id else []
        _tell(
            _complainant(c) + _purchaser(c) + winner,
            c,
            "complaint.decided",
            f"投诉处理决定：{c.tender.title}",
            body,
        )
    return c


def complaint_withdraw(
    *, complaint: Complaint, actor: Actor, now: dt.datetime | None = None
) -> Complaint:
    """The complainant withdraws before the decision (94号令 §30): handling ends."""
    require(actor, Perm.COMPLAINTS_FILE, complaint.organization)
    now = now or timezone.now()
    with transaction.atomic():
        c = _lock(complaint)
        complaint_lifecycle.apply(
            c,
            ComplaintAction.WITHDRAW,
            actor=actor,
            withdrawn_at=now,
            **_end_suspension(c, now),
        )
        notifications_resolve(task=[accept_task(c), decide_task(c)], now=now)
        _tell(
            _bureau_officers(c) + _purchaser(c),
            c,
            "complaint.withdrawn",
            f"投诉已撤回：{c.tender.title}",
            f"{c.organization.name}撤回了投诉（94号令 §30）。",
        )
    return c


# --- the tick ------------------------------------------------------------------------------


@tick_job("complaints.deadlines")
def complaint_deadlines(now: dt.datetime) -> int:
    """Flag once each complaint not accepted/rejected within 5 working days, or not decided
    within 30; record the end of each suspension that ran out. Idempotent."""
    system = Actor.system()

    def overdue(which: str, due_field: str):
        def apply(c: Complaint) -> None:
            due = getattr(c, due_field)
            audit_record(
                kind=EventKind.COMPLAINT_OVERDUE,
                actor=system,
                target=c,
                new={"overdue": which, "due": due.isoformat()},
            )
            what = "决定是否受理" if which == "accept" else "作出处理决定"
            _tell(
                _bureau_officers(c),
                c,
                "complaint.overdue",
                f"投诉已逾期，请尽快{what}：{c.tender.title}",
                f"期限 {_fmt(due)} 已过（{'94号令 §21' if which == 'accept' else '政府采购法 §56'}）。",
                task=accept_task(c) if which == "accept" else decide_task(c),
            )

        return apply

    changed = flag_once(
        Complaint.objects.filter(status=ComplaintStatus.FILED, accept_due__lt=now),
        flag="accept_overdue_flagged_at",
        now=now,
        apply=overdue("accept", "accept_due"),
        select_related=("tender", "bureau"),
    )
    changed += flag_once(
        Complaint.objects.filter(status=ComplaintStatus.ACCEPTED, decide_due__lt=now),
        flag="decide_overdue_flagged_at",
        now=now,
        apply=overdue("decide", "decide_due"),
        select_related=("tender", "bureau"),
    )

    def ended(c: Complaint) -> None:
        audit_record(
            kind=EventKind.COMPLAINT_SUSPENSION_ENDED,
            actor=system,
            target=c,
            new={"suspension_end": c.suspension_end.isoformat()},
        )
        _tell(
            _purchaser(c) + _complainant(c),
            c,
            "complaint.suspension_ended",
            f"暂停采购期满：{c.tender.title}",
            f"暂停期已于 {_fmt(c.suspension_end)} 届满，采购活动可以继续（政府采购法 §57）。",
        )

    changed += flag_once(
        Complaint.objects.filter(suspension_end__lt=now, suspension_lifted_at__isnull=True),
        flag="suspension_expired_at",
        now=now,
        apply=ended,
        select_related=("tender__unit",),
    )
    return changed


__all__ = [
    "can_complain_about",
    "complaint_accept",
    "complaint_deadlines",
    "complaint_decide",
    "complaint_file",
    "complaint_lift_suspension",
    "complaint_reject",
    "complaint_suspend",
    "complaint_withdraw",
    "file_window",
    "finance_bureau",
]
