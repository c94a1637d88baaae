"""The review committee: quorum and majority, recusal, votes, budget ceilings."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.jurisdiction.services import setting_update
from caidan.projects.models import AgendaDecision, Proposal, ProposalStatus, ReviewVote
from caidan.projects.services import (
    agenda_item_decide,
    budget_ceiling_set,
    proposal_submit,
    recusal_declare,
    review_session_add_proposal,
    review_session_close,
    review_session_create,
    review_session_open,
    review_session_remove_proposal,
    vote_cast,
)
from caidan.projects.services.review import approved_total


@pytest.fixture
def scheduled(world, draft, session):
    """``scheduled(**draft_overrides)`` → an agenda item of an open session."""

    def _make(open_session=True, **overrides):
        p = draft(**overrides)
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
        item = review_session_add_proposal(session=session, proposal=p, actor=world.actor("admin"))
        if open_session and session.status == "planned":
            review_session_open(session=session, actor=world.actor("admin"))
            session.refresh_from_db()
        return item

    return _make


def _vote(item, committee, member_actor, choices):
    for user, choice in zip(committee, choices, strict=False):
        if choice:
            vote_cast(
                item=item,
                choice=choice,
                comment="意见" if choice == "no" else "",
                actor=member_actor(user),
            )


def test_session_snapshots_the_jurisdiction_rules(world, committee):
    setting_update(key="review_quorum", value="3/4", actor=world.actor("admin"))
    from django.utils import timezone

    s = review_session_create(
        title="t",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee,
        actor=world.actor("admin"),
    )
    assert s.quorum == "3/4" and s.majority_percent == 50


def test_members_must_be_committee_members(world):
    from django.utils import timezone

    with pytest.raises(ValidationError) as exc:
        review_session_create(
            title="t",
            unit=world.unit("310105"),
            meeting_at=timezone.now(),
            members=[world.user("provider")],
            actor=world.actor("admin"),
        )
    assert exc.value.field == "members"


def test_purchaser_of_the_proposing_unit_is_recused_automatically(
    world, scheduled, session, member_actor
):
    session.members.add(world.user("purchaser"))  # 江苏路 officer, also a committee member
    item = scheduled()
    assert item.recusals.get().member == world.user("purchaser")
    with pytest.raises(PermissionDenied) as exc:
        vote_cast(item=item, choice="yes", actor=member_actor(world.user("purchaser")))
    assert exc.value.code == "recused"


def test_declared_recusal_before_voting_only(world, scheduled, committee, member_actor):
    item = scheduled()
    recusal_declare(item=item, reason="配偶在申报单位任职", actor=member_actor(committee[0]))
    with pytest.raises(PermissionDenied):
        vote_cast(item=item, choice="yes", actor=member_actor(committee[0]))
    vote_cast(item=item, choice="yes", actor=member_actor(committee[1]))
    with pytest.raises(Conflict):
        recusal_declare(item=item, reason="x", actor=member_actor(committee[1]))


def test_each_vote_recorded_once(world, scheduled, committee, member_actor):
    item = scheduled()
    vote_cast(item=item, choice="abstain", actor=member_actor(committee[0]))
    with pytest.raises(Conflict) as exc:
        vote_cast(item=item, choice="yes", actor=member_actor(committee[0]))
    assert exc.value.code == "already_voted"
    assert ReviewVote.objects.filter(item=item).count() == 1
    with pytest.raises(ValidationError):
        vote_cast(item=item, choice="no", comment="", actor=member_actor(committee[1]))


def test_non_member_cannot_vote(world, scheduled):
    item = scheduled()
    with pytest.raises(PermissionDenied):
        vote_cast(item=item, choice="yes", actor=world.actor("purchaser", "committee_member"))


def test_voting_only_while_open(world, scheduled, committee, member_actor):
    item = scheduled(open_session=False)
    with pytest.raises(Conflict):
        vote_cast(item=item, choice="yes", actor=member_actor(committee[0]))


# 4 members, quorum 67 % → 3 present needed; majority: yes > 50 % of present.
@pytest.mark.parametrize(
    ("choices", "outcome"),
    [
        (["yes", "yes", "yes", "yes"], "approved"),
        (["yes", "yes", "no", None], "approved"),  # 2 of 3 present
        (["yes", "no", "abstain", None], "rejected"),  # 1 of 3: not a majority
        (["yes", "yes", "no", "no"], "rejected"),  # a tie is not a majority
        (["yes", "yes", "abstain", "abstain"], "rejected"),  # abstentions count as present
        (["yes", "yes", None, None], "no_quorum"),  # 2 < 3
    ],
)
def test_quorum_and_majority(world, scheduled, committee, member_actor, choices, outcome):
    item = scheduled()
    _vote(item, committee, member_actor, choices)
    if outcome == "no_quorum":
        with pytest.raises(Conflict) as exc:
            agenda_item_decide(item=item, reason="x", actor=world.actor("admin"))
        assert exc.value.code == "no_quorum"
        return
    item = agenda_item_decide(item=item, reason="不符合优先领域", actor=world.actor("admin"))
    assert item.decision == outcome
    proposal = Proposal.objects.get(pk=item.proposal_id)
    assert proposal.status == {"approved": "approved", "rejected": "rejected"}[outcome]


def test_majority_is_configurable(world, scheduled, committee, member_actor):
    setting_update(key="review_majority_percent", value=67, actor=world.actor("admin"))
    from django.utils import timezone

    s = review_session_create(
        title="严格",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee,
        actor=world.actor("admin"),
    )
    item = scheduled(open_session=False)
    # move the item to the strict session: remove from the default one first
    review_session_remove_proposal(item=item, reason="改期", actor=world.actor("admin"))
    item = review_session_add_proposal(
        session=s, proposal=item.proposal, actor=world.actor("admin")
    )
    review_session_open(session=s, actor=world.actor("admin"))
    _vote(item, committee, member_actor, ["yes", "yes", "no", None])  # 66.7 % < 67 %
    item = agenda_item_decide(item=item, reason="未达三分之二", actor=world.actor("admin"))
    assert item.decision == AgendaDecision.REJECTED


def test_recused_members_do_not_count_for_quorum(
    world, scheduled, committee, member_actor, session
):
    """4 members, 2 recused: 2 eligible, 67 % quorum → 2 present needed, not 3."""
    item = scheduled()
    recusal_declare(item=item, reason="利害关系", actor=member_actor(committee[2]))
    recusal_declare(item=item, reason="利害关系", actor=member_actor(committee[3]))
    _vote(item, committee, member_actor, ["yes", "yes", None, None])
    item = agenda_item_decide(item=item, actor=world.actor("admin"))
    assert item.decision == AgendaDecision.APPROVED and item.eligible == 2


def test_return_for_revision_then_resubmit(world, scheduled, committee, member_actor):
    item = scheduled()
    _vote(item, committee, member_actor, ["no", "no", "yes", None])
    with pytest.raises(ValidationError):
        agenda_item_decide(
            item=item, if_not_approved="return", reason="", actor=world.actor("admin")
        )
    agenda_item_decide(
        item=item, if_not_approved="return", reason="请细化产出指标", actor=world.actor("admin")
    )
    p = Proposal.objects.get(pk=item.proposal_id)
    assert p.status == ProposalStatus.RETURNED
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED


def test_approval_must_fit_the_budget_ceiling(world, scheduled, committee, member_actor, next_year):
    # Whatever is already approved for the year (the demo's projects) counts against it.
    already = approved_total(unit=world.unit("310105-001"), year=next_year)
    budget_ceiling_set(
        unit=world.unit("310105-001"),
        year=next_year,
        amount=str(already + Decimal("500000.00")),
        actor=world.actor("admin"),
    )
    first = scheduled(budget="300000.00")
    second = scheduled(budget="200000.01", title="第二个项目")
    for item in (first, second):
        _vote(item, committee, member_actor, ["yes", "yes", "yes", "yes"])
    agenda_item_decide(item=first, actor=world.actor("admin"))
    with pytest.raises(ValidationError) as exc:
        agenda_item_decide(item=second, actor=world.actor("admin"))
    assert exc.value.code == "over_ceiling"
    assert Proposal.objects.get(pk=second.proposal_id).status == ProposalStatus.UNDER_REVIEW
    # The ceiling cannot be lowered below what is approved.
    with pytest.raises(ValidationError) as exc:
        budget_ceiling_set(
            unit=world.unit("310105-001"),
            year=next_year,
            amount=str(already + Decimal("299999.99")),
            actor=world.actor("admin"),
        )
    assert exc.value.code == "below_approved"


def test_no_ceiling_no_agenda(world, scheduled, session):
    """Without a ceiling the proposal enters the library but not an agenda: the committee
    would vote on what cannot be approved (the refusal says who sets ceilings and where)."""
    import datetime as dt

    with pytest.raises(ValidationError) as exc:
        scheduled(period_start=dt.date(2030, 1, 1), period_end=dt.date(2030, 12, 31))
    assert exc.value.code == "no_ceiling"
    assert exc.value.detail["raise_url"].endswith("&year=2030")
    assert "财政局" in exc.value.message
    p = Proposal.objects.get(year=2030, title="独居老人探访服务")
    assert p.status == ProposalStatus.SUBMITTED and not session.agenda.exists()


def test_close_returns_undecided_items_to_the_library(world, scheduled, session):
    item = scheduled()
    review_session_close(session=session, actor=world.actor("admin"))
    item.refresh_from_db()
    assert item.decision == AgendaDecision.WITHDRAWN
    assert Proposal.objects.get(pk=item.proposal_id).status == ProposalStatus.SUBMITTED
    with pytest.raises(Conflict):
        review_session_close(session=session, actor=world.actor("admin"))


def test_only_organizers_schedule_and_decide(world, scheduled, session, draft):
    p = draft()
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    with pytest.raises(PermissionDenied):
        review_session_add_proposal(session=session, proposal=p, actor=world.actor("purchaser"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_cannot_exceed_the_ceiling(
    world, draft, committee, member_actor, next_year
):
    """Two sessions approve at the same moment: the ceiling row lock serialises them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    from django.db import connections
    from django.utils import timezone

    already = approved_total(unit=world.unit("310105-001"), year=next_year)  # the demo's
    budget_ceiling_set(
        unit=world.unit("310105-001"),
        year=next_year,
        amount=str(already + Decimal("500000.00")),
        actor=world.actor("admin"),
    )
    items = []
    for n in range(2):
        s = review_session_create(
            title=f"会议{n}",
            unit=world.unit("310105"),
            meeting_at=timezone.now(),
            members=committee,
            actor=world.actor("admin"),
        )
        p = draft(budget="300000.00", title=f"并发项目{n}")
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
        item = review_session_add_proposal(session=s, proposal=p, actor=world.actor("admin"))
        review_session_open(session=s, actor=world.actor("admin"))
        _vote(item, committee, member_actor, ["yes", "yes", "yes", "yes"])
        items.append(item)
    barrier = threading.Barrier(2)
    results = []

    def decide(item):
        try:
            barrier.wait()
            agenda_item_decide(item=item, actor=world.actor("admin"))
            results.append("approved")
        except ValidationError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["approved", "over_ceiling"]
    approved = Proposal.objects.filter(
        unit=world.unit("310105-001"), year=next_year, status="approved"
    )
    assert sum((p.budget for p in approved), Decimal("0")) <= already + Decimal("500000.00")


def test_demo_changning_series(world):
    from caidan.projects.selectors import annual_totals

    totals = {t["year"]: (t["count"], t["total"]) for t in annual_totals()}
    assert totals[2012] == (31, Decimal("3846000.00"))
    assert totals[2013] == (59, Decimal("19000000.00"))
    assert totals[2014] == (65, Decimal("23809000.00"))
    assert totals[2015] == (83, Decimal("36030000.00"))
