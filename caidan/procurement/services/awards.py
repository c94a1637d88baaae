"""Award (确定中标), its notice, the challenge window (质疑) and the step to the contract.

Times (DOMAIN.md §4.1): the notice is published when the purchaser confirms (the law's
limit is 2 working days after the decision, ``notice_due``); the notice runs for
``award_notice_period_working_days`` (1); challenges may be filed from the notice until 7
working days after the notice period ends; each is answered within 7 working days; a
challenge that may change the result suspends the contract step until it is answered.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import Actor, user_of
from caidan.accounts.models import User
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.calendar import deadline_after_working_days, local_date
from caidan.common.codes import Common
from caidan.common.errors import Conflict, DomainError, field_error
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.common.tick import tick_job
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import due_day, notifications_resolve, notify
from caidan.procurement.codes import Code

from ..holds import Step, holds_on
from ..lifecycles import (
    AwardAction,
    BidAction,
    ChallengeAction,
    award_lifecycle,
    bid_lifecycle,
    challenge_lifecycle,
    tender_lifecycle,
)
from ..models import (
    Award,
    AwardStatus,
    Bid,
    BidStatus,
    Challenge,
    ChallengeStatus,
    Tender,
    TenderAction,
    TenderStatus,
)
from ..tasks import award_task, challenge_task
from .bids import bidder_problems
from .lifecycle import fail, lock


def _org_users(org_ids) -> list[User]:
    return organization_users(org_ids)


def _officers(tender: Tender) -> list[User]:
    return unit_officers(tender.unit)


def candidates(tender: Tender) -> list[Bid]:
    """Ranked valid bids not yet declined or revoked, best first (the recommended one and
    the next-ranked after it)."""
    ended = set(
        tender.awards.filter(status__in=[AwardStatus.DECLINED, AwardStatus.REVOKED]).values_list(
            "bid_id", flat=True
        )
    )
    bids = (
        Bid.objects.filter(tender=tender, status=BidStatus.VALID, rank__isnull=False)
        .select_related("organization")
        .order_by("rank", "price", "id")
    )
    return [b for b in bids if b.pk not in ended]


def recommended(tender: Tender) -> list[Bid]:
    """The first-ranked remaining bid(s): more than one when tied (并列). In a lot of a
    tender with a cap on lots per provider, a bidder that already won the cap is passed
    over (``lots.cap_passed_over``)."""
    from .lots import cap_passed_over

    rest, _skipped = cap_passed_over(tender, candidates(tender))
    if not rest:
        return []
    top = rest[0].rank
    return [b for b in rest if b.rank == top]


def award_confirm(
    *,
    tender: Tender,
    actor: Actor,
    bid: Bid | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Award:
    """The purchaser confirms the recommended bidder; the notice is published at once,
    naming the winner, the amount, the scores and the experts. The winner's eligibility is
    checked again on the day (DOMAIN §4.2, §4.7), and no hold may be in force."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.EVALUATED or not t.result:
            raise Conflict(_("评审结果尚未形成，不能确定中标人。"), code=Code.NOT_EVALUATED)
        held = holds_on(t, Step.AWARD, now=now)
        if held:
            raise Conflict("；".join(held), code=Code.PROCUREMENT_HELD, detail={"reasons": held})
        from .lots import award_order_problems, cap_passed_over

        order = award_order_problems(t)
        if order:
            raise Conflict("；".join(order), code=Code.LOT_ORDER, detail={"reasons": order})
        top = recommended(t)
        if not top:
            _rest, skipped = cap_passed_over(t, candidates(t))
            if skipped:
                raise Conflict(
                    _(
                        "排名供应商均已达到每个供应商最多中标分包数的上限，没有可确定的中标人；可依法废标后重新采购。"
                    ),
                    code=Code.NO_CANDIDATE,
                    detail={"skipped": skipped},
                )
            raise Conflict(_("没有可确定的排名供应商。"), code=Code.NO_CANDIDATE)
        _rest, cap_skipped = cap_passed_over(t, candidates(t))
        if bid is None:
            if len(top) > 1:
                raise field_error(
                    "bid",
                    _("排名第一的供应商并列（%(names)s），请选择其中一家并说明理由。")
                    % {"names": "、".join(b.organization.name for b in top)},
                )
            chosen = top[0]
        else:
            chosen = next((b for b in top if b.pk == bid.pk), None)
            if chosen is None:
                raise field_error(
                    "bid", _("只能确定评审委员会推荐的排名第一的供应商（87号令 §68）。")
                )
            if len(top) > 1 and not (note or "").strip():
                raise field_error("note", _("排名并列时确定其中一家须说明理由。"))
        problems = bidder_problems(t, chosen.organization, on=local_date(now))
        if problems:
            raise Conflict(
                _(
                    "%(name)s已不符合承接条件，不能确定其中标：%(reasons)s。"
                    "可将其认定为不合格（不合格的中标候选人）后确定排名其后的供应商。"
                )
                % {"name": chosen.organization.name, "reasons": "；".join(problems)},
                code=Code.WINNER_INELIGIBLE,
                detail={"field": "bid", "bid": chosen.pk, "reasons": problems},
            )
        notice_period_ends = deadline_after_working_days(
            now, setting_value("award_notice_period_working_days")
        )
        award = Award.objects.create(
            tender=t,
            bid=chosen,
            amount=chosen.price,
            status=AwardStatus.CONFIRMED,
            decided_at=now,
            decided_by=user_of(actor),
            notice_due=deadline_after_working_days(now, setting_value("award_notice_working_days")),
            notice_published_at=now,
            notice_period_ends=notice_period_ends,
            challenge_deadline=deadline_after_working_days(
                notice_period_ends, setting_value("challenge_working_days")
            ),
            note=(note or "").strip(),
            cap_skipped=cap_skipped,
        )
        tender_lifecycle.apply(t, TenderAction.AWARD, actor=actor, note=award.note)
        notifications_resolve(task=award_task(t), now=now)
        audit_record(
            kind=EventKind.AWARD_CONFIRMED,
            actor=actor,
            target=t,
            new={
                "award": award.pk,
                "bid": chosen.pk,
                "organization": chosen.organization_id,
                "amount": str(award.amount),
                "challenge_deadline": award.challenge_deadline.isoformat(),
                **({"cap_skipped": cap_skipped} if cap_skipped else {}),
            },
        )
        bidders = set(
            t.bids.exclude(status=BidStatus.WITHDRAWN).values_list("organization", flat=True)
        )
        notify(
            recipients=_org_users(bidders),
            kind="tender.awarded",
            title=f"中标结果公告：{t.title}",
            body=f"中标供应商：{chosen.organization.name}，中标金额 {format_yuan(award.amount)}。"
            f"对结果有异议的，可在 {timezone.localtime(award.challenge_deadline):%Y-%m-%d} 前提出质疑。",
            url=f"/procurement/tenders/{t.pk}/notice/",
        )
    return award


def _reopen(
    t: Tender,
    award: Award,
    *,
    action: str,
    reason: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> None:
    award.tender = t
    award_lifecycle.apply(
        award,
        action,
        actor=actor,
        note=reason,
        update_fields=[],
        ended_at=now or timezone.now(),
        end_reason=reason,
        audit_old={"organization": award.bid.organization_id},
    )
    tender_lifecycle.apply(t, TenderAction.REOPEN_AWARD, actor=actor, note=reason)
    rest = candidates(t)
    if not rest:
        fail(
            t,
            reason=f"中标结果已{award.get_status_display()}，且无其他排名供应商：{reason}",
            actor=actor,
        )
        return
    notify(
        recipients=_officers(t),
        kind="tender.next_ranked",
        title=f"请重新确定中标人：{t.title}",
        body=f"原中标人{award.bid.organization.name}：{award.get_status_display()}。"
        f"排名其后的供应商为{rest[0].organization.name}，可确定其中标或依法重新采购。",
        url=f"/procurement/tenders/{t.pk}/",
        task=award_task(t),
    )


def award_decline(*, award: Award, reason: str, actor: Actor) -> Award:
    """The winner declines to sign (实施条例 §49): the next-ranked may be awarded."""
    require(actor, Perm.PROCUREMENT_BID, award.bid.organization)
    if not (reason or "").strip():
        raise field_error("reason", _("请填写放弃中标的理由。"))
    with transaction.atomic():
        t = lock(award.tender)
        a = Award.objects.select_for_update().select_related("bid__organization").get(pk=award.pk)
        if a.status != AwardStatus.CONFIRMED or t.status not in (
            TenderStatus.AWARDED,
            TenderStatus.CONCLUDED,
        ):
            raise Conflict(_("该中标结果已不在有效状态。"))
        _reopen(
            t,
            a,
            action=AwardAction.DECLINE,
            reason=reason.strip(),
            actor=actor,
        )
    return a


def candidate_problems(tender: Tender, *, now: dt.datetime | None = None) -> dict[int, list[str]]:
    """The recommended bids whose bidder is no longer eligible on ``now``'s date: bid id →
    the reasons (shown to the purchaser before it confirms the award)."""
    day = local_date(now or timezone.now())
    out = {}
    for b in recommended(tender):
        problems = bidder_problems(tender, b.organization, on=day)
        if problems:
            out[b.pk] = problems
    return out


def candidate_disqualify(
    *, tender: Tender, bid: Bid, actor: Actor, now: dt.datetime | None = None
) -> Bid:
    """The first-ranked bidder no longer meets the conditions on the day of the award
    (DOMAIN §4.2: eligibility is checked at every step): the purchaser records it as not
    qualified, with the reasons the platform finds; the bidder is told why, and the award
    passes to the next-ranked (or the tender fails when none is left, 政府采购法 §36)."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.EVALUATED:
            raise Conflict(_("只能在确定中标人之前认定中标候选人不合格。"), code=Code.NOT_EVALUATED)
        b = Bid.objects.select_for_update().select_related("organization").get(pk=bid.pk)
        if b.tender_id != t.pk or b.status != BidStatus.VALID or b.rank is None:
            raise field_error("bid", _("该投标不是本项目的有效中标候选人。"))
        problems = bidder_problems(t, b.organization, on=local_date(now))
        if not problems:
            raise Conflict(
                _("%(name)s目前符合承接条件，不能认定为不合格。") % {"name": b.organization.name},
                code=Code.STILL_ELIGIBLE,
            )
        b.tender = t
        bid_lifecycle.apply(
            b,
            BidAction.DISQUALIFY,
            actor=actor,
            update_fields=[],
            invalid_reasons=[*b.invalid_reasons, *(f"确定中标前资格复核：{p}" for p in problems)],
            audit_new={"reasons": problems},
        )
        notify(
            recipients=_org_users([b.organization_id]),
            kind="tender.candidate_disqualified",
            title=f"中标候选资格未通过复核：{t.title}",
            body="确定中标前复核承接条件，发现：" + "；".join(problems),
            url=f"/procurement/tenders/{t.pk}/",
        )
        if not candidates(t):
            fail(
                t,
                reason="排名供应商均已不符合承接条件或放弃，无可确定的中标人。",
                actor=actor,
            )
    return b


# --- challenges -----------------------------------------------------------------------------------


def _challenge_refusals(award: Award, organization, now: dt.datetime) -> list[DomainError]:
    refusals: list[DomainError] = []
    if award.status != AwardStatus.CONFIRMED:
        refusals.append(Conflict(_("该中标结果已不在有效状态，不能质疑。")))
    bids = award.tender.bids.filter(organization=organization)
    if not bids.exclude(status=BidStatus.WITHDRAWN).exists():
        refusals.append(field_error("organization", _("只有参加本项目投标的供应商可以提出质疑。")))
    if now > award.challenge_deadline:
        refusals.append(
            Conflict(
                _(
                    "质疑期已于 %(localtime)s 届满（公告期满后 %(setting_value)s 个工作日，政府采购法 §52）。"
                )
                % {
                    "localtime": format(
                        timezone.localtime(award.challenge_deadline), "%Y-%m-%d %H:%M"
                    ),
                    "setting_value": setting_value("challenge_working_days"),
                },
                code=Common.WINDOW_CLOSED,
            )
        )
    return refusals


def challenge_problems(award: Award, organization, now: dt.datetime) -> list[str]:
    """Why ``organization`` may not challenge ``award`` at ``now`` (empty: it may): the
    award is no longer confirmed, the organization did not bid, or the window (7 working
    days after the notice period, 政府采购法 §52) has closed. ``challenge_file`` refuses
    with the first."""
    return [refusal.message for refusal in _challenge_refusals(award, organization, now)]


def challenge_file(
    *,
    award: Award,
    organization,
    grounds: str,
    actor: Actor,
    may_change_result: bool = True,
    now: dt.datetime | None = None,
) -> Challenge:
    """A bidder challenges the award (质疑), within the window."""
    require(actor, Perm.PROCUREMENT_BID, organization)
    if not (grounds or "").strip():
        raise field_error("grounds", _("请写明质疑事项、事实依据和请求。"))
    with transaction.atomic():
        t = lock(award.tender)
        a = Award.objects.select_for_update().get(pk=award.pk)
        a.tender = t
        now = now or timezone.now()
        refusals = _challenge_refusals(a, organization, now)
        if refusals:
            raise refusals[0]
        c = Challenge.objects.create(
            tender=t,
            award=a,
            organization=organization,
            grounds=grounds.strip(),
            may_change_result=may_change_result,
            filed_at=now,
            filed_by=user_of(actor),
            answer_due=deadline_after_working_days(
                now, setting_value("challenge_answer_working_days")
            ),
        )
        audit_record(
            kind=EventKind.CHALLENGE_FILED,
            actor=actor,
            target=t,
            new={"challenge": c.pk, "organization": organization.pk, "suspends": may_change_result},
        )
        notify(
            recipients=_officers(t),
            kind="tender.challenged",
            title=f"请答复质疑，截止 {due_day(c.answer_due)}：{t.title}",
            body=f"{organization.name}提出质疑，请在 "
            f"{timezone.localtime(c.answer_due):%Y-%m-%d} 前书面答复（政府采购法 §53）。",
            url=f"/procurement/tenders/{t.pk}/",
            task=challenge_task(c),
        )
    return c


def challenge_answer(
    *,
    challenge: Challenge,
    answer: str,
    upheld: bool,
    actor: Actor,
    may_change_result: bool | None = None,
    now: dt.datetime | None = None,
) -> Challenge:
    """The purchaser answers. An upheld challenge that may change the result revokes the
    award: the purchaser then awards the next-ranked bidder or declares the tender failed."""
    require(actor, Perm.PROCUREMENT_MANAGE, challenge.tender)
    if not (answer or "").strip():
        raise field_error("answer", _("请填写答复内容。"))
    with transaction.atomic():
        t = lock(challenge.tender)
        c = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if c.status != ChallengeStatus.FILED:
            raise Conflict(_("该质疑已答复或撤回。"))
        if may_change_result is not None:
            c.may_change_result = may_change_result
        c.tender = t
        answered_at = now or timezone.now()
        challenge_lifecycle.apply(
            c,
            ChallengeAction.ANSWER,
            actor=actor,
            answer=answer.strip(),
            upheld=bool(upheld),
            answered_at=answered_at,
            answered_by=user_of(actor),
            audit_new={"late": answered_at > c.answer_due},
        )
        notifications_resolve(task=challenge_task(c), now=answered_at)
        notify(
            recipients=_org_users([c.organization_id]),
            kind="tender.challenge_answered",
            title=f"质疑答复：{t.title}",
            body=c.answer[:300],
            url=f"/procurement/tenders/{t.pk}/",
        )
        if c.upheld and c.may_change_result:
            a = (
                Award.objects.select_for_update()
                .select_related("bid__organization")
                .get(pk=c.award_id)
            )
            if a.status == AwardStatus.CONFIRMED:
                _reopen(
                    t,
                    a,
                    action=AwardAction.REVOKE,
                    reason=f"质疑成立：{c.answer}",
                    actor=actor,
                    now=c.answered_at,
                )
    return c


def challenge_withdraw(*, challenge: Challenge, actor: Actor) -> Challenge:
    require(actor, Perm.PROCUREMENT_BID, challenge.organization)
    with transaction.atomic():
        c = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if c.status != ChallengeStatus.FILED:
            raise Conflict(_("该质疑已答复或撤回。"))
        challenge_lifecycle.apply(c, ChallengeAction.WITHDRAW, actor=actor, update_fields=[])
        notifications_resolve(task=challenge_task(c))
    return c


def award_blockers(award: Award, *, now: dt.datetime | None = None) -> list[str]:
    """Why no contract may be drafted or signed on ``award`` at ``now`` (empty: it may).

    The one place for the rule (DOMAIN §4.7), used by contract drafting, by both parties'
    signatures and by the tick that concludes the award:
    * the award is still confirmed;
    * the challenge window has closed (7 working days after the notice period, 政府采购法 §52,
      实施条例 §53) — the last instant of its last day still belongs to the window;
    * every challenge has been answered or withdrawn (政府采购法 §53, 实施条例 §54);
    * no app holds the contract step (a complaint pending with the finance department,
      a suspension it ordered: 政府采购法 §57, 94号令 §28);
    * the winner is still eligible (DOMAIN §4.2, checked again at each step).
    """
    now = now or timezone.now()
    tender = award.tender
    if award.status != AwardStatus.CONFIRMED:
        return [_("中标结果%(status)s，不再有效。") % {"status": award.get_status_display()}]
    reasons = []
    if now <= award.challenge_deadline:
        reasons.append(
            _("质疑期至 %(deadline)s 届满，届满前不得签订合同（政府采购法 §52，实施条例 §53）。")
            % {"deadline": f"{timezone.localtime(award.challenge_deadline):%Y-%m-%d %H:%M}"}
        )
    pending = tender.challenges.filter(status=ChallengeStatus.FILED).select_related("organization")
    for c in pending:
        reasons.append(
            _(
                "%(name)s于 %(filed)s 提出的质疑尚未答复，"
                "答复前不得签订合同（政府采购法 §53，实施条例 §54）。"
            )
            % {"name": c.organization.name, "filed": f"{timezone.localtime(c.filed_at):%Y-%m-%d}"}
        )
    reasons += holds_on(tender, Step.CONTRACT, now=now)
    reasons += winner_problems(award, now=now)
    return reasons


def winner_problems(award: Award, *, now: dt.datetime) -> list[str]:
    """Why the awarded organization is no longer eligible for this tender on ``now``."""
    org = award.bid.organization
    problems = bidder_problems(award.tender, org, on=local_date(now))
    return [
        _("中标供应商%(name)s已不符合承接条件：%(problem)s") % {"name": org.name, "problem": p}
        for p in problems
    ]


def contract_blockers(tender: Tender, *, now: dt.datetime | None = None) -> list[str]:
    """``award_blockers`` of the tender's confirmed award (or why there is none)."""
    award = (
        tender.awards.filter(status=AwardStatus.CONFIRMED)
        .select_related("tender", "bid__organization")
        .first()
    )
    if award is None:
        return [str(_("尚未确定中标人。"))]
    return award_blockers(award, now=now)


def award_revoke(
    *,
    award: Award,
    reason: str,
    actor: Actor,
    retender: bool = False,
    now: dt.datetime | None = None,
) -> Award:
    """The finance department finds the award void on a complaint (政府采购法 §56, 94号令
    §32). The tender goes back to the award step: the purchaser confirms the next-ranked
    bidder, or — with ``retender``, or when no ranked bidder is left — the tender fails
    (废标) and is procured again (``tender_retender``)."""
    require(actor, Perm.PROCUREMENT_REVOKE_AWARD)
    if not (reason or "").strip():
        raise field_error("reason", _("请写明认定中标结果无效的理由。"))
    with transaction.atomic():
        t = lock(award.tender)
        a = Award.objects.select_for_update().select_related("bid__organization").get(pk=award.pk)
        if a.status != AwardStatus.CONFIRMED:
            raise Conflict(_("该中标结果已不在有效状态。"), code=Code.AWARD_NOT_CONFIRMED)
        _reopen(
            t,
            a,
            action=AwardAction.REVOKE,
            reason=reason.strip(),
            actor=actor,
            now=now,
        )
        if retender and t.status == TenderStatus.EVALUATED:
            fail(t, reason=f"责令重新开展采购活动：{reason.strip()}", actor=actor)
    return a


@tick_job("procurement.conclude_awards")
def conclude_due_awards(now: dt.datetime) -> int:
    """Awards whose challenge window has ended with no suspending challenge: the tender may
    go to contract. Idempotent; skips rows another server holds."""
    due = list(
        Award.objects.filter(
            status=AwardStatus.CONFIRMED,
            challenge_deadline__lt=now,
            tender__status=TenderStatus.AWARDED,
        ).values_list("tender_id", flat=True)[:500]
    )
    changed = 0
    for pk in due:
        with transaction.atomic():
            t = (
                Tender.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=TenderStatus.AWARDED)
                .first()
            )
            if t is None or contract_blockers(t, now=now):
                continue
            tender_lifecycle.apply(t, TenderAction.CONCLUDE, actor=Actor.system(), concluded_at=now)
            changed += 1
    return changed
