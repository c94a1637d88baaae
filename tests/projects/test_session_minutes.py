"""The printable minutes of a review session: who voted how, recusals, the result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caidan.projects.services import agenda_item_decide, recusal_declare, vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(world, draft, session, committee, member_actor):
    from caidan.projects.services import (
        proposal_submit,
        review_session_add_proposal,
        review_session_open,
    )

    p = draft()
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    item = review_session_add_proposal(session=session, proposal=p, actor=world.actor("admin"))
    review_session_open(session=session, actor=world.actor("admin"))
    recusal_declare(item=item, reason="曾任该单位顾问", actor=member_actor(committee[3]))
    vote_cast(item=item, choice="yes", comment="", actor=member_actor(committee[0]))
    vote_cast(item=item, choice="yes", comment="方案可行", actor=member_actor(committee[1]))
    vote_cast(item=item, choice="no", comment="预算偏高", actor=member_actor(committee[2]))
    return item


def minutes(client, world, session):
    client.force_login(world.user("admin"))
    response = client.get(reverse("projects:session_minutes", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_votes_stay_hidden_until_the_item_is_decided(client, world, session, committee, decided):
    html = minutes(client, world, session)
    votes = html.split('data-testid="minutes-votes"', 1)[1].split("</table>", 1)[0]
    assert "预算偏高" not in votes and "方案可行" not in votes
    assert votes.count("已表决（审定后公布）") == 3
    assert "回避" in votes and "曾任该单位顾问" in votes  # a recusal is no secret
    assert "赞成 2，反对 1，弃权 0，回避 1" in html
    assert "待表决" in html


def test_the_minutes_name_each_vote_the_recusal_and_the_result(
    client, world, session, committee, decided
):
    agenda_item_decide(item=decided, reason="多数赞成", actor=world.actor("admin"))
    html = minutes(client, world, session)
    votes = html.split('data-testid="minutes-votes"', 1)[1].split("</table>", 1)[0]
    rows = votes.split("<tr>")[2:]  # after the head row
    assert len(rows) == 4
    joined = "".join(rows)
    for member, choice in ((committee[1], "赞成"), (committee[2], "反对")):
        row = next(r for r in rows if member.get_full_name() in r)
        assert choice in row
    assert "方案可行" in joined and "预算偏高" in joined
    recused = next(r for r in rows if committee[3].get_full_name() in r)
    assert "回避" in recused and "曾任该单位顾问" in recused
    result = html.split('data-testid="minutes-result"', 1)[1].split("</p>", 1)[0]
    assert "审定结果：通过" in result and "多数赞成" in result
    assert "data-print" in html and "caidan/print.css" in html
    assert f"¥{decided.proposal.budget:,.2f}" in html


def test_the_session_page_links_its_minutes(client, world, session, decided):
    client.force_login(world.user("admin"))
    html = client.get(reverse("projects:session", args=[session.pk])).content.decode()
    assert reverse("projects:session_minutes", args=[session.pk]) in html


def test_minutes_need_a_reviewer(client, world, session, decided):
    client.force_login(world.user("provider"))
    response = client.get(reverse("projects:session_minutes", args=[session.pk]))
    assert response.status_code in (403, 404)


def test_minutes_are_a_fixed_number_of_queries(
    client, world, session, committee, decided, django_assert_max_num_queries
):
    client.force_login(world.user("admin"))
    url = reverse("projects:session_minutes", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        client.get(url)
