"""Regression tests for what a security review found: scope of prefill sources, hidden
needs, drafts, the committee's votes, quorum arithmetic, the package endpoint."""

import pytest
from django.utils import timezone

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.needs.inputs import MenuInput, MenuItemInput, NeedModerationInput
from caidan.projects.models import ProposalStatus
from caidan.projects.services import (
    agenda_item_decide,
    proposal_submit,
    review_session_add_proposal,
    review_session_create,
    review_session_open,
    vote_cast,
)


@pytest.fixture
def draft_menu_item(world):
    from caidan.catalog.models import CatalogItem
    from caidan.needs.services import menu_create, menu_item_add

    actor = world.actor("purchaser")
    menu = menu_create(
        actor=actor,
        data=MenuInput.parse(
            community="测试居委会",
            title="草稿菜单",
            ordering_opens_at=timezone.now() + timezone.timedelta(days=3),
            ordering_closes_at=timezone.now() + timezone.timedelta(days=10),
        ),
    )
    item = CatalogItem.objects.filter(level=3, version__status="published").first()
    return menu_item_add(
        actor=actor,
        menu=menu,
        data=MenuItemInput.parse(
            catalog_item=item, title="草稿菜单项-未公开", description="内部测算说明XYZ"
        ),
    )


def test_prefill_only_from_sources_the_actor_may_draft_for(world, login, draft_menu_item):
    html = login("purchaser2").get(f"/projects/proposals/new/?menu_item={draft_menu_item.pk}")
    assert "内部测算说明XYZ" not in html.content.decode()
    html = login("purchaser").get(f"/projects/proposals/new/?menu_item={draft_menu_item.pk}")
    assert "内部测算说明XYZ" in html.content.decode()


def test_hidden_needs_cannot_be_linked_nor_shown(world, draft, client):
    from caidan.needs.models import Need
    from caidan.needs.services import need_hide

    need = Need.objects.filter(unit=world.unit("310105-001"), status="visible").first()
    p = draft(needs=[need])
    need_hide(
        actor=world.actor("purchaser"),
        need=need,
        data=NeedModerationInput.parse(reason="含个人电话"),
    )
    need.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        draft(needs=[need])
    assert exc.value.field == "needs"
    from caidan.projects.models import Proposal

    Proposal.objects.filter(pk=p.pk).update(status=ProposalStatus.APPROVED)
    assert need.text[:20] not in client.get(f"/projects/proposals/{p.pk}/").content.decode()
    assert client.get(f"/api/v1/projects/proposals/{p.pk}").json()["need_ids"] == []


@pytest.mark.parametrize("username", ["committee", "auditor", "admin", "purchaser2"])
def test_others_do_not_see_drafts(world, draft, token_for, client, username):
    p = draft()
    assert (
        client.get(f"/api/v1/projects/proposals/{p.pk}", **token_for(username)).status_code == 403
    )


def test_votes_stay_inside_the_committee(world, draft, committee, member_actor, login):
    p = draft()
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    s = review_session_create(
        title="会",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee,
        actor=world.actor("admin"),
    )
    item = review_session_add_proposal(session=s, proposal=p, actor=world.actor("admin"))
    review_session_open(session=s, actor=world.actor("admin"))
    vote_cast(
        item=item, choice="no", comment="预算偏高，建议压缩", actor=member_actor(committee[0])
    )
    owner_page = login("purchaser").get(f"/projects/proposals/{p.pk}/").content.decode()
    assert "预算偏高" not in owner_page and "审定表决" not in owner_page
    assert "列入审定议程" in owner_page  # the owner still sees its proposal's steps
    member_page = login("committee").get(f"/projects/proposals/{p.pk}/").content.decode()
    assert "审定表决" in member_page


def test_two_thirds_of_three_is_a_quorum(world, draft, committee, member_actor):
    p = draft()
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    s = review_session_create(
        title="三人会",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee[:3],
        actor=world.actor("admin"),
    )
    item = review_session_add_proposal(session=s, proposal=p, actor=world.actor("admin"))
    review_session_open(session=s, actor=world.actor("admin"))
    for user in committee[:2]:
        vote_cast(item=item, choice="yes", actor=member_actor(user))
    assert agenda_item_decide(item=item, actor=world.actor("admin")).decision == "approved"


def test_recused_member_cannot_preside_and_outsiders_cannot_organize(
    world, draft, committee, member_actor
):
    p = draft()
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    members = [*committee, world.user("purchaser")]
    s = review_session_create(
        title="会",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=members,
        actor=world.actor("admin"),
    )
    item = review_session_add_proposal(session=s, proposal=p, actor=world.actor("admin"))
    review_session_open(session=s, actor=world.actor("admin"))
    for user in committee[:3]:
        vote_cast(item=item, choice="yes", actor=member_actor(user))
    with pytest.raises(PermissionDenied) as exc:
        agenda_item_decide(item=item, actor=world.actor("purchaser", "committee_member"))
    assert exc.value.code == "recused"
    other = review_session_create(
        title="另一个会",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee[1:],
        actor=world.actor("admin"),
    )
    with pytest.raises(PermissionDenied):
        review_session_open(session=other, actor=member_actor(committee[0]))
    with pytest.raises(Conflict):
        review_session_open(session=other, actor=member_actor(committee[1]))  # empty agenda


def test_package_endpoint_is_reachable_for_hubs(world, client, token_for):
    resp = client.post(
        "/api/v1/projects/packages",
        data={"proposal_ids": [], "title": "x"},
        content_type="application/json",
        **token_for("hub"),
    )
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "parts"


def test_ceilings_page_lists_ceilings(world, login):
    html = login("admin").get("/projects/ceilings/").content.decode()
    assert "江苏路街道" in html and "尚未设置预算控制数" not in html


def test_session_page_queries_do_not_grow_with_the_agenda(
    world, draft, committee, login, django_assert_max_num_queries
):
    s = review_session_create(
        title="会",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee,
        actor=world.actor("admin"),
    )
    for n in range(6):
        p = draft(title=f"项目{n}")
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
        review_session_add_proposal(session=s, proposal=p, actor=world.actor("admin"))
    client = login("committee")
    with django_assert_max_num_queries(25):
        assert client.get(f"/projects/sessions/{s.pk}/").status_code == 200
