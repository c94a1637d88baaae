"""Review sessions that close when their agenda is decided, and that ask each member to
vote (issue 19, item 7)."""

import datetime as dt

import pytest
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict
from caidan.notifications.models import Notification
from caidan.notifications.selectors import unread_count
from caidan.projects.models import ReviewSession, SessionStatus
from caidan.projects.services import (
    agenda_item_decide,
    budget_ceiling_set,
    proposal_submit,
    proposal_withdraw,
    recusal_declare,
    review_session_add_proposal,
    review_session_close,
    review_session_open,
    review_session_remove_proposal,
    vote_cast,
)
from caidan.projects.services.review import (
    approved_total,
    review_sessions_close_decided,
    vote_task,
)


@pytest.fixture
def ceiling(world, next_year):
    unit = world.unit("310105-001")
    budget_ceiling_set(
        unit=unit,
        year=next_year,
        amount=str(approved_total(unit=unit, year=next_year) + 10_000_000),
        actor=world.actor("admin"),
    )


@pytest.fixture
def agenda(world, draft, session, ceiling):
    """Two proposals on the agenda of ``session`` (not yet open)."""
    items = []
    for title in ("独居老人探访服务", "社区助餐服务"):
        p = draft(title=title)
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
        items.append(
            review_session_add_proposal(session=session, proposal=p, actor=world.actor("admin"))
        )
    return items


def _reminders(item):
    return Notification.objects.filter(task=vote_task(item))


def _all_vote(item, committee, member_actor, choice="yes"):
    for user in committee:
        vote_cast(item=item, choice=choice, actor=member_actor(user))


def test_opening_asks_each_member_to_vote_on_each_item_with_the_due_day(
    world, session, agenda, committee
):
    meeting = timezone.localdate(session.meeting_at)
    review_session_open(session=session, actor=world.actor("admin"))
    for item in agenda:
        rows = _reminders(item)
        assert sorted(rows.values_list("recipient", flat=True)) == sorted(u.pk for u in committee)
        title = rows.first().title
        assert title.startswith(
            f"请对议程第{item.position}项表决，截止 {meeting.month}月{meeting.day}日："
        )
        assert item.proposal.title in title
        assert rows.first().url == f"/projects/sessions/{session.pk}/"
        assert not rows.filter(done_at__isnull=False).exists()


def test_the_due_day_is_the_meeting_day_or_today_when_opened_later(
    world, session, agenda, committee
):
    later = timezone.now() + dt.timedelta(days=9)
    ReviewSession.objects.filter(pk=session.pk).update(meeting_at=later)
    session.refresh_from_db()
    review_session_open(session=session, actor=world.actor("admin"))
    day = timezone.localdate(later)
    assert f"截止 {day.month}月{day.day}日" in _reminders(agenda[0]).first().title
    assert f"{day:%Y-%m-%d} 前表决" in _reminders(agenda[0]).first().body


def test_a_vote_resolves_only_the_voters_reminder_and_drops_the_unread_count(
    world, session, agenda, committee, member_actor
):
    review_session_open(session=session, actor=world.actor("admin"))
    voter, other = committee[0], committee[1]
    before = unread_count(user=voter)
    vote_cast(item=agenda[0], choice="yes", actor=member_actor(voter))
    assert unread_count(user=voter) == before - 1
    mine = _reminders(agenda[0]).get(recipient=voter)
    assert mine.done_at is not None and mine.read_at is None  # done, not merely read
    assert _reminders(agenda[0]).get(recipient=other).done_at is None
    assert _reminders(agenda[1]).get(recipient=voter).done_at is None


def test_a_recusal_resolves_that_members_reminder(world, session, agenda, committee, member_actor):
    review_session_open(session=session, actor=world.actor("admin"))
    recusal_declare(item=agenda[0], reason="曾为申报单位提供咨询", actor=member_actor(committee[2]))
    assert _reminders(agenda[0]).get(recipient=committee[2]).done_at is not None
    assert _reminders(agenda[0]).filter(done_at__isnull=True).count() == len(committee) - 1


def test_the_decision_resolves_everyones_reminder_even_without_a_vote(
    world, session, agenda, committee, member_actor
):
    review_session_open(session=session, actor=world.actor("admin"))
    _all_vote(agenda[0], committee[:3], member_actor)  # the fourth member never votes
    agenda_item_decide(item=agenda[0], actor=world.actor("admin"))
    assert not _reminders(agenda[0]).filter(done_at__isnull=True).exists()
    assert _reminders(agenda[1]).filter(done_at__isnull=True).count() == len(committee)


def test_the_session_closes_itself_when_the_last_item_is_decided_not_before(
    world, session, agenda, committee, member_actor
):
    review_session_open(session=session, actor=world.actor("admin"))
    for item in agenda:
        _all_vote(item, committee, member_actor)
    agenda_item_decide(item=agenda[0], actor=world.actor("admin"))
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN  # one item still pending
    agenda_item_decide(
        item=agenda[1], if_not_approved="return", reason="x", actor=world.actor("admin")
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    closing = AuditEvent.objects.filter(
        target_type="projects.reviewsession", target_id=str(session.pk)
    ).order_by("-id")[0]
    assert closing.new.get("status") == SessionStatus.CLOSED  # through the lifecycle, audited
    with pytest.raises(Conflict):  # closing by hand now refuses: it is closed
        review_session_close(session=session, actor=world.actor("admin"))


def test_removing_the_last_pending_item_closes_an_open_session(
    world, session, agenda, committee, member_actor
):
    review_session_open(session=session, actor=world.actor("admin"))
    _all_vote(agenda[0], committee, member_actor)
    agenda_item_decide(item=agenda[0], actor=world.actor("admin"))
    review_session_remove_proposal(item=agenda[1], reason="材料不全", actor=world.actor("admin"))
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    assert not _reminders(agenda[1]).filter(done_at__isnull=True).exists()


def test_an_item_added_to_an_open_session_is_put_to_the_vote(
    world, draft, session, agenda, committee
):
    review_session_open(session=session, actor=world.actor("admin"))
    p = draft(title="第三个项目")
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    item = review_session_add_proposal(session=session, proposal=p, actor=world.actor("admin"))
    assert _reminders(item).count() == len(committee)
    assert "请对议程第3项表决" in _reminders(item).first().title


def test_a_planned_session_does_not_ask_for_votes(world, session, agenda):
    assert not Notification.objects.filter(
        kind="review.vote_requested", url=f"/projects/sessions/{session.pk}/"
    ).exists()


def test_the_tick_closes_open_sessions_whose_agenda_is_all_decided(
    world, session, agenda, committee, member_actor
):
    """Sessions decided before they closed themselves: the tick closes them, audited,
    and leaves alone a session with an item pending."""
    from caidan.projects.models import AgendaDecision, AgendaItem

    review_session_open(session=session, actor=world.actor("admin"))
    # an old session: every item decided, the session left open (as before this rule)
    AgendaItem.objects.filter(pk__in=[i.pk for i in agenda]).update(
        decision=AgendaDecision.REJECTED
    )
    assert review_sessions_close_decided(timezone.now()) >= 1
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    assert review_sessions_close_decided(timezone.now()) == 0  # idempotent


def test_the_tick_leaves_a_session_with_a_pending_item_open(world, session, agenda):
    review_session_open(session=session, actor=world.actor("admin"))
    review_sessions_close_decided(timezone.now())
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN


def test_a_submitted_proposal_asks_the_agenda_setters_not_every_member(world, draft, committee):
    p = draft()
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    rows = Notification.objects.filter(task=f"proposal_schedule:proposal:{p.pk}")
    told = set(rows.values_list("recipient__username", flat=True))
    assert "admin" in told
    assert not told & {u.username for u in committee}  # the members vote later
    assert rows.first().title == f"请将“{p.title}”列入审定议程"


def test_scheduling_or_withdrawing_resolves_the_agenda_request(world, draft, session):
    first, second = draft(title="甲"), draft(title="乙")
    for p in (first, second):
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    review_session_add_proposal(session=session, proposal=first, actor=world.actor("admin"))
    proposal_withdraw(proposal=second, reason="重复申报", actor=world.actor("purchaser"))
    for p in (first, second):
        rows = Notification.objects.filter(task=f"proposal_schedule:proposal:{p.pk}")
        assert rows.exists() and not rows.filter(done_at__isnull=True).exists()
