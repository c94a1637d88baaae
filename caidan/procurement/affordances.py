"""What a reader may do next on a tender: one answer for the procurement pages and the API
(``affordances`` in the tender's JSON).

Each answer comes from the rule the services enforce: the permissions they ``require``, the
status tables in ``lifecycles.py`` (``tender_lifecycle`` and the bid, award and challenge
tables) and the predicates the services themselves refuse on (``accepting_bids`` for bidding
and asking, the phase ``Tender.phase_at`` for amending, adding documents and cancelling,
``bidder_problems``, ``method_change_needed``, ``scoring_open``, ``challenge_problems``). A flag says the step is open to this reader now; the service still
decides, with a message, when the reader tries (e.g. ``publish`` is open on a draft, and
``needs_method_approval`` says why publication will be refused until the finance bureau
approves the change of method).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from caidan.accounts.models import Role
from caidan.accounts.permissions import can
from caidan.common.calendar import local_date
from caidan.common.perms import Perm

from . import selectors
from .lifecycles import (
    AwardAction,
    BidAction,
    ChallengeAction,
    award_lifecycle,
    bid_lifecycle,
    challenge_lifecycle,
    tender_lifecycle,
)
from .methods import committee_needed
from .models import BIDS_CLOSED, Bid, Tender, TenderAction, TenderStatus
from .services import (
    accepting_bids,
    bidder_problems,
    challenge_problems,
    method_change_needed,
    scoring_open,
)

# Between the opening and the award (the table's ranking step may run): the committee works
# and the purchaser may still declare the tender failed (``tender_fail_manual``).
BEFORE_AWARD = tender_lifecycle.sources(TenderAction.RANK)
# A bidder may ask the purchaser to recuse an expert until the review ends (``recusal_request``).
RECUSAL_OPEN = (TenderStatus.PUBLISHED, TenderStatus.EVALUATING)
# The purchaser may attach documents to a draft or to a published announcement (until the
# deadline: ``tender_document_add`` refuses once the phase is ``BIDS_CLOSED``).
DOCUMENTS_OPEN = (TenderStatus.DRAFT, TenderStatus.PUBLISHED)


def is_bidder(actor) -> bool:
    """The reader acts for an organization that may bid (a provider or a hub)."""
    return actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None


def bid_withdrawable(bid: Bid, *, now: dt.datetime | None = None) -> bool:
    """``bid`` may still be withdrawn (a live bid, before the deadline)."""
    return bid_lifecycle.allowed(bid.status, BidAction.WITHDRAW) and accepting_bids(
        bid.tender, now or timezone.now()
    )


def needs_method_approval(tender: Tender) -> bool:
    """A draft whose method differs from the approved (or failed) one and is not yet
    approved: ``tender_publish`` refuses it until the finance bureau approves."""
    return (
        tender_lifecycle.allowed(tender.status, TenderAction.PUBLISH)
        and tender.method_change_approved_by_id is None
        and method_change_needed(tender)
    )


@dataclass(frozen=True)
class TenderAffordances:
    """Who the reader is to the tender (``managing``: the purchaser; ``overseeing``: the
    platform admin and auditors; ``bidder``: a provider or hub; ``on_panel``: a drawn
    expert) and which next steps are open to the reader now."""

    managing: bool
    overseeing: bool
    bidder: bool
    on_panel: bool
    # the purchaser
    edit: bool
    publish: bool
    add_document: bool
    amend: bool
    answer_questions: bool
    cancel: bool
    # bidding has closed (the phase ``BIDS_CLOSED``): ``amend``, ``add_document`` and
    # ``cancel`` are shut by the deadline, as their services refuse; the page says why
    deadline_passed: bool
    fail: bool
    retender: bool
    view_panel: bool
    draw_panel: bool
    manage_panel: bool  # record recusals, void scores
    confirm_award: bool
    answer_challenges: tuple[int, ...]
    # the finance bureau (platform admin)
    needs_method_approval: bool
    approve_method: bool
    # bidders
    accepting_bids: bool
    bid_problems: tuple[str, ...]  # why the reader's organization may not bid (when it may ask)
    submit_bid: bool
    withdraw_bid: bool
    ask_question: bool
    request_recusal: bool
    decline_award: bool
    challenge: bool
    withdraw_challenges: tuple[int, ...]
    # experts
    scoring_open: bool
    review: bool


def tender_affordances(actor, tender: Tender, *, now: dt.datetime | None = None):
    """What ``actor`` may do next on ``tender`` (see :class:`TenderAffordances`)."""
    now = now or timezone.now()
    status = tender.status
    managing = can(actor, Perm.PROCUREMENT_MANAGE, tender)
    overseeing = can(actor, Perm.PROCUREMENT_OVERSEE)
    bidder = is_bidder(actor)
    on_panel = can(actor, Perm.PROCUREMENT_SCORE, tender)
    accepting = accepting_bids(tender, now)
    # the one rule for "bidding is open" (``Tender.phase_at``), which ``tender_amend``,
    # ``tender_document_add`` and ``tender_cancel`` refuse on
    phase = tender.phase_at(now)
    bids_closed = phase.phase == BIDS_CLOSED
    experts = committee_needed(tender)
    before_award = status in BEFORE_AWARD
    method_approval = needs_method_approval(tender)

    my_bid = None
    award = selectors.current_award(tender)
    if bidder:
        mine = selectors.bids_of(actor=actor, organization=actor.organization, tender=tender)
        my_bid = next((b for b in mine if b.status not in ("replaced", "withdrawn")), None)
    problems = (
        bidder_problems(tender, actor.organization, on=local_date(now))
        if bidder and accepting
        else []
    )
    winner = bool(award and bidder and award.bid.organization_id == actor.organization.pk)
    challenges = selectors.challenges_for(tender, actor) if managing or bidder else []
    own_org = actor.organization.pk if bidder else None

    return TenderAffordances(
        managing=managing,
        overseeing=overseeing,
        bidder=bidder,
        on_panel=on_panel,
        edit=managing and status == TenderStatus.DRAFT,
        publish=managing and tender_lifecycle.allowed(status, TenderAction.PUBLISH),
        add_document=managing and status in DOCUMENTS_OPEN and not bids_closed,
        amend=managing and phase.bidding_open,  # published and before the deadline
        answer_questions=managing and status == TenderStatus.PUBLISHED,
        cancel=managing
        and tender_lifecycle.allowed(status, TenderAction.CANCEL)
        and not bids_closed,
        deadline_passed=managing and bids_closed,
        fail=managing and before_award,
        retender=managing and status == TenderStatus.FAILED,
        view_panel=experts
        and (
            (managing and before_award)
            or (not managing and overseeing and tender.opened_at is not None)
        ),
        draw_panel=managing and before_award and experts,
        manage_panel=managing and before_award,
        confirm_award=managing
        and tender_lifecycle.allowed(status, TenderAction.AWARD)
        and bool(tender.result),
        answer_challenges=tuple(
            c.pk
            for c in challenges
            if managing and challenge_lifecycle.allowed(c.status, ChallengeAction.ANSWER)
        ),
        needs_method_approval=method_approval,
        approve_method=method_approval and can(actor, Perm.PROCUREMENT_APPROVE_METHOD_CHANGE),
        accepting_bids=accepting,
        bid_problems=tuple(problems),
        submit_bid=bidder and accepting and not problems,
        withdraw_bid=my_bid is not None and bid_withdrawable(my_bid, now=now),
        ask_question=bidder and accepting,
        request_recusal=my_bid is not None and status in RECUSAL_OPEN,
        decline_award=winner and award_lifecycle.allowed(award.status, AwardAction.DECLINE),
        challenge=bool(
            award
            and bidder
            and not winner
            and not challenge_problems(award, actor.organization, now)
        ),
        withdraw_challenges=tuple(
            c.pk
            for c in challenges
            if c.organization_id == own_org
            and challenge_lifecycle.allowed(c.status, ChallengeAction.WITHDRAW)
        ),
        scoring_open=scoring_open(tender),
        review=on_panel,
    )
