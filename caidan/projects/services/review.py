"""The review committee (审定委员会): sessions, agenda, recusal, votes, decisions, and the
budget ceilings that approvals must respect (DOMAIN.md §3.3)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.models import Membership, Role
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import Conflict, PermissionDenied, field_error
from caidan.common.money import format_yuan, to_money
from caidan.common.perms import Perm
from caidan.common.tick import tick_job
from caidan.jurisdiction.registry import parse_fraction
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import notifications_resolve, notify
from caidan.projects.codes import Code

from ..lifecycles import SessionAction, proposal_lifecycle, session_lifecycle
from ..models import (
    AgendaDecision,
    AgendaItem,
    BudgetCeiling,
    Proposal,
    ProposalAction,
    Recusal,
    ReviewSession,
    ReviewVote,
    SessionStatus,
    VoteChoice,
)
from ..totals import plan_totals_tracked
from .ceilings import approved_total, ceiling_refusal, ceiling_room
from .proposals import ask_to_schedule, schedule_task

# --- budget ceilings ----------------------------------------------------------------------


def budget_ceiling_set(*, unit, year: int, amount: Any, actor: Actor) -> BudgetCeiling:
    require(actor, Perm.PROJECTS_SET_CEILING)
    amount = to_money(amount, field="amount")
    if amount < 0:
        raise field_error("amount", _("预算控制数不能为负数。"))
    with transaction.atomic():
        ceiling = BudgetCeiling.objects.select_for_update().filter(unit=unit, year=year).first()
        used = approved_total(unit=unit, year=year)
        if amount < used:
            raise field_error(
                "amount",
                _("%(name)s%(year)s 年已立项 %(used)s，预算控制数不能低于该数。")
                % {"name": unit.name, "year": year, "used": format_yuan(used)},
                code=Code.BELOW_APPROVED,
            )
        old = ceiling.amount if ceiling else None
        if ceiling is None:
            ceiling = BudgetCeiling.objects.create(
                unit=unit, year=year, amount=amount, updated_by=user_of(actor)
            )
        else:
            ceiling.amount = amount
            ceiling.updated_by = user_of(actor)
            ceiling.save()
        audit_record(
            kind=EventKind.CEILING_SET,
            actor=actor,
            target=ceiling,
            old={"amount": old},
            new={"unit": unit.pk, "year": year, "amount": amount},
        )
    return ceiling


def _reserve_within_ceiling(proposal: Proposal) -> None:
    """Lock the purchaser's ceiling row for the year, so concurrent approvals (even from two
    sessions at the same moment) are serialised and cannot together exceed it."""
    room = ceiling_room(unit=proposal.unit, year=proposal.year, lock=True)
    if not room.fits(proposal.budget):
        raise ceiling_refusal(room, proposal.budget, step="不能通过")


# --- sessions -----------------------------------------------------------------------------


def _committee_members(users, unit) -> list:
    """Everyone must hold an active committee membership at the session's unit or above."""
    out = []
    for user in users:
        ok = any(
            m.unit and unit.is_within(m.unit)
            for m in Membership.objects.select_related("unit").filter(
                user=user, role=Role.COMMITTEE_MEMBER, is_active=True
            )
        )
        if not ok:
            raise field_error(
                "members",
                _("%(get_full_name)s 不是该审定委员会的委员。")
                % {"get_full_name": user.get_full_name()},
            )
        out.append(user)
    return out


def review_session_create(
    *, title: str, unit, meeting_at: dt.datetime, members, actor: Actor
) -> ReviewSession:
    require(actor, Perm.PROJECTS_ORGANIZE_REVIEW)
    if not (title or "").strip():
        raise field_error("title", _("请填写会议名称。"))
    members = _committee_members(list(members), unit)
    if not members:
        raise field_error("members", _("请选择出席会议的委员。"))
    with transaction.atomic():
        session = ReviewSession.objects.create(
            title=title.strip(),
            unit=unit,
            meeting_at=meeting_at,
            quorum=setting_value("review_quorum"),
            majority_percent=setting_value("review_majority_percent"),
            created_by=user_of(actor),
        )
        session.members.set(members)
        audit_record(
            kind=EventKind.SESSION_CREATED,
            actor=actor,
            target=session,
            new={
                "title": session.title,
                "members": [m.pk for m in members],
                "quorum": session.quorum,
                "majority_percent": session.majority_percent,
            },
        )
    return session


def vote_task(item: AgendaItem) -> str:
    """The task of a member's vote reminder on one agenda item (done when that member has
    voted or stood aside, or for everyone when the item is decided or withdrawn)."""
    return f"review_vote:item:{item.pk}"


def vote_due(session: ReviewSession, *, now: dt.datetime | None = None) -> dt.date:
    """Votes are cast at the meeting: the meeting's day (today, if the session is opened
    after it)."""
    today = timezone.localdate(now)
    return max(timezone.localdate(session.meeting_at), today)


def _ask_for_votes(session: ReviewSession, items: list[AgendaItem]) -> None:
    """Each member not standing aside gets, per pending item, a reminder naming the item's
    number and the day the vote is due."""
    due = vote_due(session)
    members = list(session.members.all())
    recused: dict[int, set[int]] = {}
    for item_id, member_id in Recusal.objects.filter(item__in=items).values_list(
        "item_id", "member_id"
    ):
        recused.setdefault(item_id, set()).add(member_id)
    for item in items:
        notify(
            recipients=[m for m in members if m.pk not in recused.get(item.pk, set())],
            kind="review.vote_requested",
            title=f"请对议程第{item.position}项表决，截止 {due.month}月{due.day}日："
            f"{item.proposal.title}",
            body=f"{session.title}已开始表决。议程第{item.position}项“{item.proposal.title}”"
            f"（{item.proposal.unit.name}，预算 {format_yuan(item.proposal.budget)}）请于 "
            f"{due:%Y-%m-%d} 前表决；与申报单位有利害关系的，请先声明回避。",
            url=f"/projects/sessions/{session.pk}/",
            task=vote_task(item),
        )


def _close_if_decided(session: ReviewSession, actor: Actor) -> bool:
    """A session open for voting closes itself once no agenda item is left pending — through
    the session's lifecycle, so the closing is audited like a closing by hand."""
    if (
        session.status != SessionStatus.OPEN
        or not session.agenda.exists()
        or session.agenda.filter(decision=AgendaDecision.PENDING).exists()
    ):
        return False
    session_lifecycle.apply(
        session, SessionAction.CLOSE, actor=actor, update_fields=[], note="议程已全部审定"
    )
    return True


def review_session_open(*, session: ReviewSession, actor: Actor) -> ReviewSession:
    """Open the vote; each member is asked to vote on each item."""
    require(actor, Perm.PROJECTS_ORGANIZE_REVIEW, session)
    with transaction.atomic():
        session = ReviewSession.objects.select_for_update().get(pk=session.pk)
        if not session.agenda.exists():
            raise Conflict(_("议程为空，请先列入待审定的项目。"))
        session = session_lifecycle.apply(
            session, SessionAction.OPEN, actor=actor, update_fields=[]
        )
        pending = session.agenda.filter(decision=AgendaDecision.PENDING).select_related(
            "proposal__unit"
        )
        _ask_for_votes(session, list(pending))
        return session


@tick_job("projects.sessions_close_decided")
def review_sessions_close_decided(now: dt.datetime | None = None) -> int:
    """Close, through the lifecycle and audited, every session still open for voting whose
    agenda is all decided (sessions decided before sessions closed themselves). Idempotent;
    each session in its own transaction, locked rows skipped."""
    system = Actor.system()
    done = (
        ReviewSession.objects.filter(status=SessionStatus.OPEN, agenda__isnull=False)
        .exclude(agenda__decision=AgendaDecision.PENDING)
        .values_list("pk", flat=True)
        .distinct()
    )
    closed = 0
    for pk in list(done):
        with transaction.atomic():
            session = (
                ReviewSession.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            )
            if session is not None and _close_if_decided(session, system):
                closed += 1
    return closed


def review_session_close(*, session: ReviewSession, actor: Actor) -> ReviewSession:
    """Close the meeting; items not decided go back to the library (submitted)."""
    require(actor, Perm.PROJECTS_ORGANIZE_REVIEW, session)
    with transaction.atomic():
        session = ReviewSession.objects.select_for_update().get(pk=session.pk)
        for item in session.agenda.filter(decision=AgendaDecision.PENDING).select_related(
            "proposal"
        ):
            _unschedule(item, actor, "会议结束时未作出审定决定")
        return session_lifecycle.apply(session, SessionAction.CLOSE, actor=actor, update_fields=[])


def _auto_recusals(item: AgendaItem, members) -> None:
    """Members who work in the proposing unit stand aside (回避)."""
    unit = item.proposal.unit
    for member in members:
        units = [
            m.unit
            for m in Membership.objects.select_related("unit")
            .filter(user=member, is_active=True, unit__isnull=False)
            .exclude(role=Role.COMMITTEE_MEMBER)
        ]
        if any(u.is_within(unit) for u in units):
            Recusal.objects.create(
                item=item,
                member=member,
                reason=f"委员任职于申报单位{unit.name}",
                automatic=True,
            )


def review_session_add_proposal(
    *, session: ReviewSession, proposal: Proposal, actor: Actor
) -> AgendaItem:
    require(actor, Perm.PROJECTS_ORGANIZE_REVIEW, session)
    with transaction.atomic():
        session = ReviewSession.objects.select_for_update().get(pk=session.pk)
        if session.status == SessionStatus.CLOSED:
            raise Conflict(_("会议已结束，不能再列入议程。"))
        proposal = Proposal.objects.select_for_update().select_related("unit").get(pk=proposal.pk)
        if not proposal.unit.is_within(session.unit):
            raise field_error(
                "proposal",
                _("“%(title)s”不在本审定委员会的管辖范围内。") % {"title": proposal.title},
            )
        room = ceiling_room(unit=proposal.unit, year=proposal.year)
        if not room.fits(proposal.budget):  # the committee would vote on what cannot pass
            raise ceiling_refusal(room, proposal.budget, step="不能列入议程")
        proposal_lifecycle.apply(proposal, ProposalAction.SCHEDULE, actor=actor, note=session.title)
        notifications_resolve(task=schedule_task(proposal))
        item = AgendaItem.objects.create(
            session=session, proposal=proposal, position=session.agenda.count() + 1
        )
        _auto_recusals(item, session.members.all())
        if session.status == SessionStatus.OPEN:  # added while the vote is on
            _ask_for_votes(session, [item])
        audit_record(
            kind=EventKind.AGENDA_ADDED,
            actor=actor,
            target=session,
            new={"proposal": proposal.pk, "item": item.pk},
        )
    return item


def _unschedule(item: AgendaItem, actor: Actor, reason: str) -> None:
    proposal = Proposal.objects.select_for_update().get(pk=item.proposal_id)
    proposal_lifecycle.apply(proposal, ProposalAction.UNSCHEDULE, actor=actor, note=reason)
    item.decision = AgendaDecision.WITHDRAWN
    item.reason = reason
    item.decided_at = timezone.now()
    item.save()
    notifications_resolve(task=vote_task(item))
    ask_to_schedule(proposal, again=True)
    audit_record(
        kind=EventKind.AGENDA_REMOVED,
        actor=actor,
        target=item.session,
        new={"proposal": proposal.pk, "item": item.pk},
        note=reason,
    )


def _require_organizer_not_recused(item: AgendaItem, actor: Actor) -> None:
    require(actor, Perm.PROJECTS_ORGANIZE_REVIEW, item.session)
    if actor.user is not None and item.recusals.filter(member=actor.user).exists():
        raise PermissionDenied(_("您已回避此议程，不能主持其审定。"), code=Code.RECUSED)


def review_session_remove_proposal(*, item: AgendaItem, reason: str, actor: Actor) -> None:
    _require_organizer_not_recused(item, actor)
    if not (reason or "").strip():
        raise field_error("reason", _("请写明移出议程的理由。"))
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().select_related("session").get(pk=item.pk)
        if item.decision != AgendaDecision.PENDING:
            raise Conflict(_("该议程已有审定结果。"))
        if item.votes.exists():
            raise Conflict(_("已有委员表决，不能移出议程。"))
        _unschedule(item, actor, reason)
        _close_if_decided(item.session, actor)


def _is_member(session: ReviewSession, actor) -> bool:
    return actor.user is not None and session.members.filter(pk=actor.user.pk).exists()


def recusal_declare(*, item: AgendaItem, reason: str, actor: Actor) -> Recusal:
    """A member declares a conflict of interest on one agenda item before voting."""
    require(actor, Perm.PROJECTS_VOTE, item.session)
    if not (reason or "").strip():
        raise field_error("reason", _("请说明回避理由。"))
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if item.votes.filter(member=actor.user).exists():
            raise Conflict(_("您已表决，回避须在表决前声明。"))
        recusal, created = Recusal.objects.get_or_create(
            item=item, member=actor.user, defaults={"reason": reason.strip()}
        )
        if not created:
            raise Conflict(_("您已在此议程回避。"))
        notifications_resolve(task=vote_task(item), recipients=[actor.user])
        audit_record(
            kind=EventKind.RECUSAL_RECORDED,
            actor=actor,
            target=item.proposal,
            new={"item": item.pk, "member": actor.user.pk, "reason": reason},
        )
    return recusal


def vote_cast(*, item: AgendaItem, choice: str, comment: str = "", actor: Actor) -> ReviewVote:
    require(actor, Perm.PROJECTS_VOTE, item.session)
    if choice not in VoteChoice.values:
        raise field_error("choice", _("表决只能是赞成、反对或弃权。"))
    if choice == VoteChoice.NO and not (comment or "").strip():
        raise field_error("comment", _("投反对票请写明意见。"))
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().select_related("session").get(pk=item.pk)
        if item.session.status != SessionStatus.OPEN:
            raise Conflict(_("会议尚未开始表决或已结束。"))
        if item.decision != AgendaDecision.PENDING:
            raise Conflict(_("该议程已有审定结果。"))
        if item.recusals.filter(member=actor.user).exists():
            raise PermissionDenied(_("您已回避此议程，不能表决。"), code=Code.RECUSED)
        try:
            with transaction.atomic():
                vote = ReviewVote.objects.create(
                    item=item, member=actor.user, choice=choice, comment=comment.strip()
                )
        except IntegrityError:
            raise Conflict(
                _("您已对此议程表决，每位委员只能表决一次。"), code=Code.ALREADY_VOTED
            ) from None
        notifications_resolve(task=vote_task(item), recipients=[actor.user])
        audit_record(
            kind=EventKind.VOTE_CAST,
            actor=actor,
            target=item.proposal,
            new={"item": item.pk, "choice": choice},
            note=comment,
        )
    return vote


def tally(item: AgendaItem) -> dict[str, int]:
    return tally_from(
        list(item.votes.values_list("choice", flat=True)),
        members=item.session.members.count(),
        recused=item.recusals.count(),
    )


def tally_from(votes: list[str], *, members: int, recused: int) -> dict[str, int]:
    eligible = members - recused
    return {
        "yes": votes.count(VoteChoice.YES),
        "no": votes.count(VoteChoice.NO),
        "abstain": votes.count(VoteChoice.ABSTAIN),
        "present": len(votes),
        "eligible": eligible,
        "recused": recused,
    }


def quorum_needed(session: ReviewSession, eligible: int) -> int:
    """Members who must vote (abstaining counts) for a decision: the quorum share of the
    members not recused, rounded up — two-thirds of 3 is 2, of 6 is 4."""
    return math.ceil(eligible * parse_fraction(session.quorum))


def agenda_item_decide(
    *, item: AgendaItem, if_not_approved: str = "reject", reason: str = "", actor: Actor
) -> AgendaItem:
    """Record the committee's decision from the votes. Quorum: voters (abstentions count as
    present) ≥ the quorum share of members not recused. Approval: yes votes above the
    majority share of those present; approval must also fit the budget ceiling."""
    _require_organizer_not_recused(item, actor)
    if if_not_approved not in ("reject", "return"):
        raise field_error("if_not_approved", _("未通过时只能“不通过”或“退回修改”。"))
    with transaction.atomic():
        item = (
            AgendaItem.objects.select_for_update()
            .select_related("session", "proposal", "proposal__unit")
            .get(pk=item.pk)
        )
        session = item.session
        if session.status != SessionStatus.OPEN:
            raise Conflict(_("会议尚未开始表决或已结束。"))
        if item.decision != AgendaDecision.PENDING:
            raise Conflict(_("该议程已有审定结果。"))
        t = tally(item)
        if t["eligible"] <= 0:
            raise Conflict(_("没有可表决的委员（全部回避），请调整出席委员。"))
        needed = quorum_needed(session, t["eligible"])
        if t["present"] < needed:
            raise Conflict(
                _(
                    "未达法定人数：需 %(needed)s 名委员表决（有表决权委员 %(eligible)s 名的 %(quorum)s），目前 %(present)s 名。"
                )
                % {
                    "needed": needed,
                    "eligible": t["eligible"],
                    "quorum": session.quorum,
                    "present": t["present"],
                },
                code=Code.NO_QUORUM,
                detail=t,
            )
        approved = t["yes"] * 100 > session.majority_percent * t["present"]
        proposal = Proposal.objects.select_for_update().get(pk=item.proposal_id)
        now = timezone.now()
        if approved:
            _reserve_within_ceiling(proposal)
            decision, action = AgendaDecision.APPROVED, ProposalAction.APPROVE
        elif if_not_approved == "return":
            decision, action = AgendaDecision.RETURNED, ProposalAction.RETURN
        else:
            decision, action = AgendaDecision.REJECTED, ProposalAction.REJECT
        if decision != AgendaDecision.APPROVED and not (reason or "").strip():
            raise field_error("reason", _("未通过或退回修改时请写明理由。"))
        with plan_totals_tracked(proposal.pk):  # an approval enters the plan's totals
            proposal_lifecycle.apply(
                proposal,
                action,
                actor=actor,
                note=reason,
                decided_at=now,
                decision_reason=reason.strip(),
                decision_reference=session.title,
            )
        item.decision = decision
        item.reason = reason.strip()
        item.yes, item.no, item.abstain, item.eligible = (
            t["yes"],
            t["no"],
            t["abstain"],
            t["eligible"],
        )
        item.decided_at = now
        item.decided_by = user_of(actor)
        item.save()
        notifications_resolve(task=vote_task(item), now=now)
        audit_record(
            kind=EventKind.AGENDA_DECIDED,
            actor=actor,
            target=proposal,
            new={"item": item.pk, "decision": decision, **t},
            note=reason,
        )
        if proposal.created_by:
            notify(
                recipients=[proposal.created_by],
                kind="proposal.decided",
                title=f"审定结果：{proposal.title} — {item.get_decision_display()}",
                body=f"赞成 {t['yes']}，反对 {t['no']}，弃权 {t['abstain']}。{reason}",
                url=f"/projects/proposals/{proposal.pk}/",
            )
        _close_if_decided(session, actor)
    return item
