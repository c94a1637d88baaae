"""The award and its challenges: the purchaser reviews the recommended candidates, confirms
the award (the notice is published at once) and answers challenges; the winner may decline;
the other bidders may challenge and withdraw a challenge."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.permissions import require
from caidan.common.errors import NotFound, field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, AsSeen, renamed_fields

from .. import selectors, services
from .routing import router, tender_for
from .schemas import AwardOut, ChallengeOut
from .tenders import ReasonIn


class AwardIn(Schema):
    bid_id: int | None = None
    note: str = ""


@router.post(
    "/tenders/{tender_id}/award", response={201: AwardOut, **ERRORS}, summary="确定中标人并公告"
)
def confirm_award(request, tender_id: int, payload: AwardIn):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    bid = None
    if payload.bid_id is not None:
        bid = selectors.bid_of_tender(tender, payload.bid_id)
        if bid is None:
            raise field_error("bid_id", _("该投标不属于本采购项目。"))
    with renamed_fields(bid="bid_id"):
        award = services.award_confirm(tender=tender, actor=actor, bid=bid, note=payload.note)
    return Status(201, selectors.award_get(award.pk))


# Read from ``AsSeen(bid, reasons=…)``.
class CandidateProblemsOut(Schema):
    bid_id: int
    organization: str
    reasons: list[str]

    @staticmethod
    def resolve_bid_id(b) -> int:
        return b.pk

    @staticmethod
    def resolve_organization(b) -> str:
        return b.organization.name


@router.get(
    "/tenders/{tender_id}/award/candidate-problems",
    response={200: list[CandidateProblemsOut], **ERRORS},
    summary="确定中标前复核推荐中标候选人的承接资格",
)
def candidate_problems(request, tender_id: int):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    problems = services.candidate_problems(tender)
    return [
        AsSeen(b, reasons=problems[b.pk]) for b in services.recommended(tender) if b.pk in problems
    ]


@router.post(
    "/tenders/{tender_id}/bids/{bid_id}/disqualify",
    response={200: CandidateProblemsOut, **ERRORS},
    summary="认定不再符合承接条件的中标候选人不合格",
)
def disqualify_candidate(request, tender_id: int, bid_id: int):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    bid = selectors.bid_of_tender(tender, bid_id)
    if bid is None:
        raise NotFound(_("该投标不属于本采购项目。"))
    b = services.candidate_disqualify(tender=tender, bid=bid, actor=actor)
    return AsSeen(b, reasons=b.invalid_reasons)


@router.post(
    "/awards/{award_id}/decline", response={200: AwardOut, **ERRORS}, summary="中标人放弃中标"
)
def decline_award(request, award_id: int, payload: ReasonIn):
    actor = request.auth
    award = selectors.own_award_get_for(actor=actor, award_id=award_id)
    services.award_decline(award=award, reason=payload.reason, actor=actor)
    return selectors.award_get(award.pk)


class ChallengeIn(Schema):
    grounds: str
    may_change_result: bool = True


@router.post(
    "/awards/{award_id}/challenges",
    response={201: ChallengeOut, **ERRORS},
    summary="对中标结果提出质疑",
)
def file_challenge(request, award_id: int, payload: ChallengeIn):
    actor = request.auth
    c = services.challenge_file(
        award=selectors.award_get(award_id),
        organization=actor.organization,
        grounds=payload.grounds,
        may_change_result=payload.may_change_result,
        actor=actor,
    )
    return Status(201, selectors.challenge_get(c.pk))


class ChallengeAnswerIn(Schema):
    answer: str
    upheld: bool
    may_change_result: bool | None = None


@router.post(
    "/challenges/{challenge_id}/answer", response={200: ChallengeOut, **ERRORS}, summary="答复质疑"
)
def answer_challenge(request, challenge_id: int, payload: ChallengeAnswerIn):
    c = services.challenge_answer(
        challenge=selectors.challenge_get(challenge_id),
        answer=payload.answer,
        upheld=payload.upheld,
        may_change_result=payload.may_change_result,
        actor=request.auth,
    )
    return selectors.challenge_get(c.pk)


@router.post(
    "/challenges/{challenge_id}/withdraw",
    response={200: ChallengeOut, **ERRORS},
    summary="撤回质疑",
)
def withdraw_challenge(request, challenge_id: int):
    actor = request.auth
    c = selectors.own_challenge_get_for(actor=actor, challenge_id=challenge_id)
    services.challenge_withdraw(challenge=c, actor=actor)
    return selectors.challenge_get(c.pk)
