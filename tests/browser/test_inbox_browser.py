"""Issue 19, items 2 and 7: a committee member finds "请对议程第1项表决" in the inbox (on a
desk and on a phone), follows it, votes, and the reminder shows as done; the inbox does not
scroll sideways at 390 × 844."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_session(db):
    """A session of the district's committee open for voting on one proposal."""
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Unit, User
    from caidan.catalog.models import CatalogItem
    from caidan.demo.data import seed
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import (
        proposal_create,
        proposal_submit,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
    )

    seed()

    def actor(username):
        user = User.objects.get(username=username)
        return Actor(user=user, membership=Membership.objects.filter(user=user).first())

    year = timezone.localdate().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    proposal = proposal_create(
        actor=actor("purchaser"),
        unit=Unit.objects.get(code="310105-001"),
        data=ProposalInput.parse(
            title="社区长者助浴服务",
            catalog_item=item,
            budget="200000.00",
            funding=[{"source": "fiscal", "amount": str(Decimal("200000.00"))}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "助浴", "target": "600", "unit": "人次"}],
        ),
    )
    proposal_submit(proposal=proposal, actor=actor("purchaser"))
    session = review_session_create(
        title="助浴项目审定会议",
        unit=Unit.objects.get(code="310105"),
        meeting_at=timezone.now() + dt.timedelta(days=2),
        members=[User.objects.get(username="committee")],
        actor=actor("admin"),
    )
    review_session_add_proposal(session=session, proposal=proposal, actor=actor("admin"))
    review_session_open(session=session, actor=actor("admin"))
    return session


def _no_sideways_scroll(page):
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"horizontal overflow: {width}"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_member_follows_the_vote_reminder_votes_and_sees_it_done(
    browser, live_server, open_session, phone
):
    base = live_server.url
    day = timezone.localdate(open_session.meeting_at)
    page = staff(browser, base, "committee", phone=phone)
    page.goto(base + "/notifications/")
    reminder = page.locator("li.group", has_text="请对议程第1项表决").first
    assert f"截止 {day.month}月{day.day}日" in reminder.inner_text()
    assert "社区长者助浴服务" in reminder.inner_text()
    assert "待办" in reminder.inner_text()
    _no_sideways_scroll(page)
    box = reminder.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]

    reminder.get_by_role("button").first.click()
    page.wait_for_url(f"**/projects/sessions/{open_session.pk}/")
    page.get_by_role("button", name="赞成").first.click()
    page.wait_for_load_state()
    assert "您的表决" in page.content()

    page.goto(base + "/notifications/")
    done = page.locator("li.group", has_text="请对议程第1项表决").first
    assert "已办结" in done.inner_text()
    _no_sideways_scroll(page)
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_url("**/notifications/")
    assert page.locator("li.group.unread").count() == 0
    page.context.close()
