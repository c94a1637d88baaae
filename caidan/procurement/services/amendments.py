"""Changes to a published tender: amendments (澄清修改, 实施条例 §31) and bidders' questions
with their published answers (答疑)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.accounts.selectors import unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.calendar import WorkingCalendar, local_date
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.jurisdiction.selectors import setting_value
from caidan.procurement.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..models import Amendment, Clarification, Tender, TenderStatus
from ..tasks import question_task
from ._shared import _notify_prospective
from .bids import accepting_bids
from .lifecycle import lock
from .tender_rules import validate_deadline


def _push_deadline(now: dt.datetime, old: dt.datetime, days: int) -> dt.datetime:
    """The old deadline's clock time on the first working day on which it is at least
    ``days`` calendar days after ``now`` (an amendment at 10:01 fifteen days before a 10:00
    deadline moves it to the next working day, not to the same 10:00)."""
    minimum = now + dt.timedelta(days=days)
    clock = timezone.localtime(old).time().replace(tzinfo=None)
    day = local_date(minimum)
    calendar = WorkingCalendar()
    while True:
        if calendar.is_working_day(day):
            naive = dt.datetime.combine(day, clock)
            candidate = timezone.make_aware(naive, timezone.get_current_timezone())
            if candidate >= minimum:
                return max(candidate, old)
        day += dt.timedelta(days=1)


def _locked(tenders: QuerySet[Tender]) -> QuerySet[Tender]:
    """The rows locked against every other writer (the opening tick's ``FOR UPDATE SKIP
    LOCKED``, bids, other amendments). ``FOR NO KEY UPDATE`` of the tenders only, on
    PostgreSQL: the tick locks a lot, opens it, and at commit PostgreSQL checks the lot's
    foreign keys (``FOR KEY SHARE`` of the tender in lots, its proposal and unit); a ``FOR
    UPDATE`` of those rows here, waiting meanwhile for the lot, would deadlock with it."""
    return tenders.select_for_update(no_key=True, of=("self",)).select_related("unit", "proposal")


def lock_for_amendment(tender: Tender) -> tuple[Tender | None, list[Tender], Tender]:
    """Lock what an amendment of ``tender`` writes: (the tender in lots or None, its lots,
    ``tender`` read again). The tender in lots first, then all its lots in pk order (the
    amended lot among them): every amendment of the procurement (and ``tender_document_add``,
    which amends) takes its locks in this order, and the opening tick (``skip_locked``) can
    no longer open a lot between our reading it and moving its deadline."""
    whole = _locked(Tender.objects.filter(pk=tender.parent_id or tender.pk)).get()
    lots = list(_locked(whole.lots.order_by("pk"))) if whole.has_lots else []
    t = next((lot for lot in lots if lot.pk == tender.pk), whole)
    return (whole if whole.has_lots else None), lots, t


def tender_amend(
    *,
    tender: Tender,
    summary: str,
    affects_bids: bool = True,
    new_deadline: dt.datetime | None = None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Amendment:
    """Publish a clarification or change (实施条例 §31). One that affects bids and comes
    less than ``late_amendment_days`` (15) days before the deadline pushes the deadline to
    at least that many days after the amendment.

    A tender in lots has one deadline (and opening) for itself and all its lots
    (docs/procurement.md, "Lots"): whether the tender or one lot is amended, a deadline that
    moves moves the tender's and every published lot's together, each recorded in the audit
    log, and everyone who asked or bid on any lot is told."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    if not (summary or "").strip():
        raise field_error("summary", _("请填写澄清或修改的内容。"))
    with transaction.atomic():
        whole, lots, t = lock_for_amendment(tender)
        if t.status != TenderStatus.PUBLISHED:
            raise Conflict(_("只有公告中的采购项目可以发布澄清修改。"), code=Code.NOT_PUBLISHED)
        if not t.phase_at(now).bidding_open:  # published: so the deadline has come
            raise Conflict(_("投标已截止，不能再修改采购文件。"), code=Code.DEADLINE_PASSED)
        # one deadline for all lots: a lot opened (by the tick at the deadline, while this
        # amendment was dated a moment before it) means bids have closed on every lot
        opened = [lot for lot in lots if lot.status not in _NOT_OPENED]
        if opened:
            raise Conflict(
                _("第 %(n)s 包已开标，投标已截止，不能再发布澄清修改。")
                % {"n": opened[0].lot_number},
                code=Code.LOT_OPENED,
            )
        old = t.deadline
        days = setting_value("late_amendment_days")
        minimum = now + dt.timedelta(days=days)
        deadline = new_deadline or old
        if deadline < old:
            raise field_error("new_deadline", _("澄清修改不能提前投标截止时间。"))
        if affects_bids and deadline < minimum:
            if new_deadline is not None:
                raise field_error(
                    "new_deadline",
                    _(
                        "影响投标文件编制的澄清修改距投标截止不足 %(days)s 日，截止时间须顺延至 %(localtime)s 之后（实施条例 §31）。"
                    )
                    % {
                        "days": days,
                        "localtime": format(timezone.localtime(minimum), "%Y-%m-%d %H:%M"),
                    },
                )
            deadline = _push_deadline(now, old, days)
        if deadline != old:
            t.deadline = deadline
            validate_deadline(t, now=now, field="new_deadline", period=False)
            t.save(update_fields=["deadline"])
        amendment = Amendment.objects.create(
            tender=t,
            summary=summary.strip(),
            affects_bids=affects_bids,
            old_deadline=old,
            new_deadline=t.deadline,
            created_by=user_of(actor),
        )
        # published at ``now`` (``auto_now_add`` would be the real clock under a fixed one)
        Amendment.objects.filter(pk=amendment.pk).update(created_at=now)
        amendment.created_at = now
        audit_record(
            kind=EventKind.TENDER_AMENDED,
            actor=actor,
            target=t,
            old={"deadline": old.isoformat()},
            new={
                "deadline": t.deadline.isoformat(),
                "summary": amendment.summary,
                "amendment": amendment.pk,
            },
        )
        body = amendment.summary
        if t.deadline != old:
            body += "\n" + _postponed(amendment, whole=whole, lot=None)
        # the askers and bidders of the lot amended (of every lot when the tender is) are
        # told once, the deadline's move with the change
        told = _notify_prospective(t, f"澄清修改：{t.title}", body)
        if whole is not None and t.deadline != old:
            _move_whole(whole, lots, amended=t, amendment=amendment, actor=actor, told=told)
    return amendment


def _postponed(amendment: Amendment, *, whole: Tender | None, lot: Tender | None) -> str:
    """The sentence telling that the deadline moved: "因第 1 包的澄清修改，" when ``lot``'s
    amendment moved it; of the tender and all its lots when there is a ``whole``."""
    return (
        (f"因第 {lot.lot_number} 包的澄清修改，" if lot is not None else "")
        + ("本项目全部分包的" if whole is not None else "")
        + "投标截止（开标）时间由 "
        f"{timezone.localtime(amendment.old_deadline):%Y-%m-%d %H:%M} 顺延至 "
        f"{timezone.localtime(amendment.new_deadline):%Y-%m-%d %H:%M}。"
    )


# A lot in one of these has not been opened (a cancelled lot is simply left out).
_NOT_OPENED = (TenderStatus.PUBLISHED, TenderStatus.CANCELLED)


def _move_whole(
    whole: Tender,
    lots: list[Tender],
    *,
    amended: Tender,
    amendment: Amendment,
    actor: Actor,
    told: set[int],
) -> None:
    """The deadline of ``amended`` (the tender in lots ``whole`` or one of its lots) moved:
    the tender and its published lots keep one deadline, so each still before it moves to it,
    each move recorded on the tender or lot moved (``tender.amended``, naming the amendment
    and, when a lot's forced it, the lot). A lot's amendment is also told to those who asked
    or bid on the other lots (``told``: the amended lot's, already told)."""
    deadline = amendment.new_deadline
    # ``lots``: every lot, locked by ``tender_amend``, none opened
    moved = [whole] if whole.pk != amended.pk else []
    moved += [
        lot
        for lot in lots
        if lot.pk != amended.pk and lot.status == TenderStatus.PUBLISHED and lot.deadline < deadline
    ]
    for t in moved:
        audit_record(
            kind=EventKind.TENDER_AMENDED,
            actor=actor,
            target=t,
            old={"deadline": t.deadline.isoformat()},
            new={
                "deadline": deadline.isoformat(),
                "summary": amendment.summary,
                "lot": amended.lot_number,
                "amendment": amendment.pk,
            },
        )
        t.deadline = deadline
        t.save(update_fields=["deadline", "updated_at"])
    if whole.pk != amended.pk:
        _notify_prospective(
            whole,
            f"投标截止时间顺延：{whole.title}",
            _postponed(amendment, whole=whole, lot=amended),
            told=told,
        )


# --- clarifications ------------------------------------------------------------------------------


def clarification_ask(
    *,
    tender: Tender,
    organization,
    question: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Clarification:
    """A prospective bidder asks a question before the deadline. Who asked stays secret
    from everyone, the purchaser included (招标投标法 §22): the notification and the
    purchaser's views show the question only."""
    require(actor, Perm.PROCUREMENT_BID, organization)
    now = now or timezone.now()
    if not (question or "").strip():
        raise field_error("question", _("请填写问题。"))
    if len(question) > 2000:
        raise field_error("question", _("问题不超过 2000 字。"))
    with transaction.atomic():
        t = lock(tender)
        if not accepting_bids(t, now):
            raise Conflict(_("只能在投标截止前就公告中的采购项目提问。"))
        c = Clarification.objects.create(tender=t, question=question.strip(), asked_by=organization)
        Clarification.objects.filter(pk=c.pk).update(asked_at=now)
        audit_record(
            kind=EventKind.CLARIFICATION_ASKED, actor=actor, target=t, new={"clarification": c.pk}
        )
        from caidan.notifications.services import due_day, notify

        officers = unit_officers(t.unit)
        notify(
            recipients=officers,
            kind="tender.question",
            title=f"请答复供应商提问，截止 {due_day(t.deadline)}：{t.title}",
            body=f"有供应商提问（提问人不公开）：{c.question[:200]}\n"
            f"请在投标截止（{timezone.localtime(t.deadline):%Y-%m-%d %H:%M}）前答复，"
            "答复向所有潜在供应商公开。",
            url=f"/procurement/tenders/{t.pk}/",
            task=question_task(c.pk),
        )
    return c


def clarification_answer(
    *,
    clarification: Clarification,
    answer: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Clarification:
    """Answers are published to everyone (the asker is not named)."""
    require(actor, Perm.PROCUREMENT_MANAGE, clarification.tender)
    now = now or timezone.now()
    if not (answer or "").strip():
        raise field_error("answer", _("请填写答复。"))
    with transaction.atomic():
        c = Clarification.objects.select_for_update().get(pk=clarification.pk)
        if c.answered_at:
            raise Conflict(_("该问题已答复；如需更正请发布澄清修改公告。"))
        if c.tender.status != TenderStatus.PUBLISHED:
            raise Conflict(_("投标已截止或采购已结束，不能再答复。"))
        c.answer = answer.strip()
        c.answered_at = now
        c.answered_by = user_of(actor)
        c.save()
        from caidan.notifications.services import notifications_resolve

        notifications_resolve(task=question_task(c.pk), now=now)
        audit_record(
            kind=EventKind.CLARIFICATION_ANSWERED,
            actor=actor,
            target=c.tender,
            new={"clarification": c.pk, "answer": c.answer},
        )
    return c
