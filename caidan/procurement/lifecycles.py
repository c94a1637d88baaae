"""Procurement's status tables: tender, bid, panel member, award and challenge.

Every status change in this app goes through one of these (``caidan.common.lifecycle``).
Events of a tender's parts are recorded against the tender, so its history and the rule
that keeps bidders secret until opening (``secrecy.py``) cover them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import (
    TRANSITIONS,
    AwardStatus,
    BidStatus,
    ChallengeStatus,
    MemberStatus,
    TenderAction,
    TenderStatus,
)

tender_lifecycle = Lifecycle(
    name="tender",
    model="procurement.Tender",
    table=TRANSITIONS,
    audit_kind=EventKind.TENDER_TRANSITION,
    noun="采购项目",
    actions=TenderAction,
    statuses=TenderStatus,
    initial=frozenset({TenderStatus.DRAFT}),
)


class BidAction(models.TextChoices):
    REPLACE = "replace", _("被新投标替换")
    WITHDRAW = "withdraw", _("撤回")
    ACCEPT = "accept", _("开标审查通过")
    REJECT = "reject", _("开标审查认定无效")
    DISQUALIFY = "disqualify", _("认定无效")
    RESTORE = "restore", _("恢复有效")


B = BidStatus
bid_lifecycle = Lifecycle(
    name="bid",
    model="procurement.Bid",
    table={
        BidAction.REPLACE: (frozenset({B.SUBMITTED}), B.REPLACED),
        BidAction.WITHDRAW: (frozenset({B.SUBMITTED}), B.WITHDRAWN),
        BidAction.ACCEPT: (frozenset({B.SUBMITTED}), B.VALID),
        BidAction.REJECT: (frozenset({B.SUBMITTED}), B.INVALID),
        # by the committee, by the scoring engine or at the eligibility re-check before award
        BidAction.DISQUALIFY: (frozenset({B.VALID}), B.INVALID),
        # the committee's later review passes a bid an earlier computation failed
        BidAction.RESTORE: (frozenset({B.INVALID}), B.VALID),
    },
    audit_kind={
        BidAction.REPLACE: EventKind.BID_REPLACED,
        BidAction.WITHDRAW: EventKind.BID_WITHDRAWN,
        BidAction.ACCEPT: EventKind.BID_CHECKED,
        BidAction.REJECT: EventKind.BID_CHECKED,
        BidAction.DISQUALIFY: EventKind.BID_DISQUALIFIED,
        BidAction.RESTORE: EventKind.BID_RESTORED,
    },
    noun="投标",
    actions=BidAction,
    statuses=BidStatus,
    initial=frozenset({B.SUBMITTED}),
    audit_on="tender",
    audit_key="bid",
)


class MemberAction(models.TextChoices):
    DECLARE = "declare", _("声明无利害关系")
    RECUSE = "recuse", _("回避")
    VOID = "void", _("评分作废")
    SEAT = "seat", _("递补入选")


M = MemberStatus
member_lifecycle = Lifecycle(
    name="panel_member",
    model="procurement.PanelMember",
    table={
        MemberAction.DECLARE: (frozenset({M.DRAWN}), M.ACTIVE),
        MemberAction.RECUSE: (frozenset({M.DRAWN, M.ACTIVE, M.RESERVE}), M.RECUSED),
        MemberAction.VOID: (frozenset({M.ACTIVE}), M.VOIDED),
        MemberAction.SEAT: (frozenset({M.RESERVE}), M.DRAWN),
    },
    audit_kind={
        MemberAction.DECLARE: EventKind.PANEL_DECLARED,
        MemberAction.RECUSE: EventKind.PANEL_RECUSED,
        MemberAction.VOID: EventKind.PANEL_VOIDED,
        MemberAction.SEAT: EventKind.PANEL_REPLACED,
    },
    noun="评审专家",
    actions=MemberAction,
    statuses=MemberStatus,
    initial=frozenset({M.DRAWN, M.RESERVE}),
    audit_on="tender",
    audit_key="member",
)


class AwardAction(models.TextChoices):
    DECLINE = "decline", _("中标人放弃")
    REVOKE = "revoke", _("撤销")


award_lifecycle = Lifecycle(
    name="award",
    model="procurement.Award",
    table={
        AwardAction.DECLINE: (frozenset({AwardStatus.CONFIRMED}), AwardStatus.DECLINED),
        AwardAction.REVOKE: (frozenset({AwardStatus.CONFIRMED}), AwardStatus.REVOKED),
    },
    audit_kind={
        AwardAction.DECLINE: EventKind.AWARD_DECLINED,
        AwardAction.REVOKE: EventKind.AWARD_REVOKED,
    },
    noun="中标结果",
    actions=AwardAction,
    statuses=AwardStatus,
    initial=frozenset({AwardStatus.CONFIRMED}),
    audit_on="tender",
    audit_key="award",
)


class ChallengeAction(models.TextChoices):
    ANSWER = "answer", _("答复")
    WITHDRAW = "withdraw", _("撤回")


challenge_lifecycle = Lifecycle(
    name="challenge",
    model="procurement.Challenge",
    table={
        ChallengeAction.ANSWER: (frozenset({ChallengeStatus.FILED}), ChallengeStatus.ANSWERED),
        ChallengeAction.WITHDRAW: (
            frozenset({ChallengeStatus.FILED}),
            ChallengeStatus.WITHDRAWN,
        ),
    },
    audit_kind={
        ChallengeAction.ANSWER: EventKind.CHALLENGE_ANSWERED,
        ChallengeAction.WITHDRAW: EventKind.CHALLENGE_WITHDRAWN,
    },
    noun="质疑",
    actions=ChallengeAction,
    statuses=ChallengeStatus,
    initial=frozenset({ChallengeStatus.FILED}),
    audit_on="tender",
    audit_key="challenge",
)
