"""Warn before the wall (issue 20): the budget ceiling is checked at submission and when a
proposal is put on an agenda, not only at the committee's decision; each refusal says who
can raise the ceiling and links to the page where it is raised."""

from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.common.errors import ValidationError
from caidan.projects.models import AgendaDecision, Proposal, ProposalStatus
from caidan.projects.services import (
    agenda_item_decide,
    budget_ceiling_set,
    proposal_submit,
    review_session_add_proposal,
    review_session_create,
    review_session_open,
    vote_cast,
)
from caidan.projects.services.ceilings import ceiling_room

FEN = Decimal("0.01")


@pytest.fixture
def room(world, next_year):
    """``room(amount)`` sets 江苏路街道's ceiling for next year so that exactly ``amount`` is
    left beyond what is already approved (the demo's projects); returns the unit."""

    def _set(amount: str):
        unit = world.unit("310105-001")
        approved = ceiling_room(unit=unit, year=next_year).approved
        budget_ceiling_set(
            unit=unit,
            year=next_year,
            amount=str(approved + Decimal(amount)),
            actor=world.actor("admin"),
        )
        return unit

    return _set


def test_submission_one_fen_over_the_room_is_refused(world, draft, room, next_year):
    unit = room("300000.00")
    p = draft(budget="300000.01")
    with pytest.raises(ValidationError) as exc:
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    refusal = exc.value
    assert refusal.code == "over_ceiling" and refusal.field == "budget"
    assert refusal.detail["remaining"] == "300000.00"
    assert refusal.detail["raised_by"] == "财政局（平台管理员）"
    assert refusal.detail["raise_url"] == f"/projects/ceilings/?unit={unit.pk}&year={next_year}"
    assert "不能申报" in refusal.message and "财政局" in refusal.message
    p.refresh_from_db()
    assert p.status == ProposalStatus.DRAFT


def test_submission_at_exactly_the_room_is_accepted(world, draft, room):
    room("300000.00")
    p = draft(budget="300000.00")
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED


def test_submission_with_nothing_left_is_refused(world, draft, room):
    room("0.00")
    p = draft(budget="0.01")
    with pytest.raises(ValidationError) as exc:
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    assert exc.value.code == "over_ceiling" and exc.value.detail["remaining"] == "0.00"


def test_submission_without_a_ceiling_enters_the_library(world, draft):
    """The library feeds the budget: a year without a ceiling yet takes proposals (they
    cannot be put on an agenda until it is set)."""
    import datetime as dt

    p = draft(period_start=dt.date(2031, 1, 1), period_end=dt.date(2031, 12, 31))
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    p.refresh_from_db()
    assert p.year == 2031 and p.status == ProposalStatus.SUBMITTED


def _approve(item, committee, member_actor, world):
    if item.session.status == "planned":
        review_session_open(session=item.session, actor=world.actor("admin"))
    for user in committee:
        vote_cast(item=item, choice="yes", actor=member_actor(user))
    return agenda_item_decide(item=item, actor=world.actor("admin"))


def test_agenda_refuses_one_fen_over_what_is_left_and_takes_exactly_it(
    world, draft, room, session, committee, member_actor
):
    """Two proposals fit at submission; once the first is approved, the second is refused
    at the agenda when it is a fen over what is left — before anyone votes on it — and
    taken at exactly what is left."""
    room("500000.00")
    first, over, exact = (
        draft(budget="300000.00", title="第一个项目"),
        draft(budget="200000.01", title="多一分"),
        draft(budget="200000.00", title="恰好"),
    )
    for p in (first, over, exact):
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    item = review_session_add_proposal(session=session, proposal=first, actor=world.actor("admin"))
    assert _approve(item, committee, member_actor, world).decision == AgendaDecision.APPROVED
    session = review_session_create(  # the first closed itself once its agenda was decided
        title="第二次审定会议",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee,
        actor=world.actor("admin"),
    )
    with pytest.raises(ValidationError) as exc:
        review_session_add_proposal(session=session, proposal=over, actor=world.actor("admin"))
    assert exc.value.code == "over_ceiling" and "不能列入议程" in exc.value.message
    assert exc.value.detail["remaining"] == "200000.00"
    assert Proposal.objects.get(pk=over.pk).status == ProposalStatus.SUBMITTED
    item = review_session_add_proposal(session=session, proposal=exact, actor=world.actor("admin"))
    assert _approve(item, committee, member_actor, world).decision == AgendaDecision.APPROVED


def test_decision_refusal_names_who_raises_the_ceiling(
    world, draft, room, session, committee, member_actor
):
    """Two items on one agenda that together exceed the room: the second approval is still
    refused at the decision, and the refusal says who can raise the ceiling and where."""
    room("500000.00")
    a, b = draft(budget="300000.00", title="甲"), draft(budget="300000.00", title="乙")
    items = []
    for p in (a, b):
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
        items.append(
            review_session_add_proposal(session=session, proposal=p, actor=world.actor("admin"))
        )
    _approve(items[0], committee, member_actor, world)
    for user in committee:
        vote_cast(item=items[1], choice="yes", actor=member_actor(user))
    with pytest.raises(ValidationError) as exc:
        agenda_item_decide(item=items[1], actor=world.actor("admin"))
    assert exc.value.code == "over_ceiling" and "财政局" in exc.value.message
    assert exc.value.detail["raise_url"].startswith("/projects/ceilings/?unit=")


# --- pages -------------------------------------------------------------------------------------


def test_submit_page_links_to_where_the_ceiling_is_raised(world, draft, room, login, next_year):
    unit = room("1000.00")
    p = draft(budget="1000.01")
    client = login("purchaser")
    response = client.post(f"/projects/proposals/{p.pk}/submit/", follow=True)
    html = response.content.decode()
    url = f"/projects/ceilings/?unit={unit.pk}&amp;year={next_year}"
    assert "不能申报" in html and "财政局（平台管理员）" in html
    assert f'<a href="{url}" data-testid="raise-ceiling">' in html
    # the proposal's page itself warns, before anyone presses 申报
    page = client.get(f"/projects/proposals/{p.pk}/").content.decode()
    assert 'data-testid="ceiling-warning"' in page and "余额 ¥1,000.00" in page


def test_proposal_page_has_no_warning_when_the_budget_fits(world, draft, room, login):
    room("1000.00")
    p = draft(budget="1000.00")
    page = login("purchaser").get(f"/projects/proposals/{p.pk}/").content.decode()
    assert 'data-testid="ceiling-warning"' not in page


def test_session_page_marks_waiting_proposals_that_do_not_fit(world, draft, room, session, login):
    room("1000.00")
    fits, short = draft(budget="1000.00", title="放得下"), draft(budget="900.00", title="放不下")
    proposal_submit(proposal=fits, actor=world.actor("purchaser"))
    proposal_submit(proposal=short, actor=world.actor("purchaser"))
    room("800.00")  # the ceiling is lowered after submission
    html = login("admin").get(f"/projects/sessions/{session.pk}/").content.decode()
    rows = html.split("<tr>")
    short_row = next(r for r in rows if "放不下" in r)
    fits_row = next(r for r in rows if "放得下" in r)
    assert 'data-testid="short-of-room"' in short_row and "余额 ¥800.00" in short_row
    assert 'data-testid="short-of-room"' in fits_row  # 1000 > 800 too
    room("1000.00")
    html = login("admin").get(f"/projects/sessions/{session.pk}/").content.decode()
    assert 'data-testid="short-of-room"' not in html


def test_ceiling_page_is_filled_in_from_the_link(world, login, next_year):
    unit = world.unit("310105-002")
    html = (
        login("admin").get(f"/projects/ceilings/?unit={unit.pk}&year={next_year}").content.decode()
    )
    assert f'<option value="{unit.pk}" selected>' in html
    assert f'name="year" value="{next_year}"' in html


@pytest.mark.parametrize(
    ("language", "said"),
    [("zh-hans", "已申报，等待审定委员会列入议程。"), ("en", "Submitted; waiting for the review")],
)
def test_the_message_after_submitting_is_in_the_pages_language(
    world, draft, room, login, language, said
):
    from django.conf import settings

    room("1000.00")
    p = draft(budget="1000.00")
    client = login("purchaser")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(f"/projects/proposals/{p.pk}/submit/", follow=True)
    assert response.status_code == 200
    assert said in response.content.decode()
