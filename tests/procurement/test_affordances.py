"""What a reader may do next on a tender (``caidan.procurement.affordances``): one answer for
the pages and the API, at each step of the lifecycle and for each kind of reader; and the
award notice's link to the signed contract, which contracts registers
(``caidan.procurement.links``)."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.urls import reverse

from caidan.procurement.affordances import tender_affordances
from caidan.procurement.links import tender_links
from caidan.procurement.services import award_confirm, challenge_file, tender_update

from .factories import (
    Bidder,
    committee_passes_all,
    draft_tender,
    make_bidders,
    open_now,
    published_tender,
    submit_bids,
)

pytestmark = pytest.mark.django_db

STEPS = (
    "edit",
    "publish",
    "add_document",
    "amend",
    "answer_questions",
    "cancel",
    "fail",
    "retender",
    "view_panel",
    "draw_panel",
    "manage_panel",
    "confirm_award",
    "approve_method",
    "submit_bid",
    "withdraw_bid",
    "ask_question",
    "request_recusal",
    "decline_award",
    "challenge",
    "review",
)


def open_steps(aff) -> set[str]:
    return {name for name in STEPS if getattr(aff, name)}


def test_a_draft_whose_method_changed(world):
    tender = draft_tender(world)
    tender_update(
        tender=tender,
        changes={"method": "consultation", "method_change_reason": "仅两家有效投标"},
        actor=world.actor("purchaser"),
    )
    tender.refresh_from_db()
    purchaser = tender_affordances(world.actor("purchaser"), tender)
    assert open_steps(purchaser) == {"edit", "publish", "add_document", "cancel"}
    assert purchaser.needs_method_approval and purchaser.managing
    admin = tender_affordances(world.actor("admin"), tender)
    assert open_steps(admin) == {"approve_method"}


def test_each_reader_through_bidding_evaluation_award_and_challenge(world, client, token_for):
    tender = published_tender(world, evaluation_method="lowest_price")
    provider = world.actor("provider")
    winner = Bidder(org=provider.organization, user=provider.user, actor=provider)
    loser, third = make_bidders(world, 2)

    assert open_steps(tender_affordances(world.actor("purchaser"), tender)) == {
        "add_document",
        "amend",
        "answer_questions",
        "cancel",
    }
    assert open_steps(tender_affordances(provider, tender)) == {"submit_bid", "ask_question"}
    assert open_steps(tender_affordances(world.actor("expert"), tender)) == set()

    submit_bids(
        world, tender, ["700000.00", "800000.00", "900000.00"], bidders=[winner, loser, third]
    )
    bidding = tender_affordances(provider, tender)
    assert open_steps(bidding) == {"submit_bid", "withdraw_bid", "ask_question", "request_recusal"}
    assert bidding.accepting_bids and bidding.bid_problems == ()

    open_now(tender)
    committee_passes_all(world, tender)
    assert tender.status == "evaluated"
    assert open_steps(tender_affordances(world.actor("purchaser"), tender)) == {
        "fail",
        "view_panel",
        "draw_panel",
        "manage_panel",
        "confirm_award",
    }
    assert open_steps(tender_affordances(provider, tender)) == set()
    assert open_steps(tender_affordances(world.actor("auditor"), tender)) == {"view_panel"}

    award = award_confirm(tender=tender, actor=world.actor("purchaser"))
    tender.refresh_from_db()
    assert open_steps(tender_affordances(provider, tender)) == {"decline_award"}
    assert open_steps(tender_affordances(loser.actor, tender)) == {"challenge"}

    c = challenge_file(award=award, organization=loser.org, grounds="评审不公", actor=loser.actor)
    assert tender_affordances(loser.actor, tender).withdraw_challenges == (c.pk,)
    assert tender_affordances(provider, tender).withdraw_challenges == ()
    assert tender_affordances(world.actor("purchaser"), tender).answer_challenges == (c.pk,)

    # The API's tender carries the same answer for the same reader.
    body = client.get(f"/api/v1/procurement/tenders/{tender.pk}", **token_for("purchaser")).json()
    expected = asdict(tender_affordances(world.actor("purchaser"), tender))
    assert body["affordances"] == {
        k: list(v) if isinstance(v, tuple) else v for k, v in expected.items()
    }
    anonymous = client.get(f"/api/v1/procurement/tenders/{tender.pk}").json()["affordances"]
    assert not any(anonymous[name] for name in STEPS)


def test_the_challenge_step_asks_the_rule_challenge_file_refuses_on(world):
    """``challenge`` is open exactly when ``challenge_problems`` finds nothing, and once the
    window has closed ``challenge_file`` refuses with the reason the predicate gives."""
    import datetime as dt

    from caidan.common.errors import Conflict
    from caidan.procurement.services import challenge_problems

    tender = published_tender(world, evaluation_method="lowest_price")
    winner, loser, third = make_bidders(world, 3)
    outsider = make_bidders(world, 1)[0]
    submit_bids(
        world, tender, ["700000.00", "800000.00", "900000.00"], bidders=[winner, loser, third]
    )
    open_now(tender)
    committee_passes_all(world, tender)
    award = award_confirm(tender=tender, actor=world.actor("purchaser"))
    tender.refresh_from_db()
    assert challenge_problems(award, loser.org, award.decided_at) == []
    assert tender_affordances(loser.actor, tender).challenge
    assert challenge_problems(award, outsider.org, award.decided_at) == [
        "只有参加本项目投标的供应商可以提出质疑。"
    ]
    assert not tender_affordances(outsider.actor, tender).challenge

    late = award.challenge_deadline + dt.timedelta(seconds=1)
    [closed] = challenge_problems(award, loser.org, late)
    assert not tender_affordances(loser.actor, tender, now=late).challenge
    with pytest.raises(Conflict) as exc:
        challenge_file(
            award=award, organization=loser.org, grounds="评审不公", actor=loser.actor, now=late
        )
    assert exc.value.code == "window_closed" and exc.value.message == closed


def test_the_notice_links_the_public_contract_contracts_registered(world):
    from tests.contracts.factories import draft_contract, signed_contract

    draft = draft_contract(world)
    assert tender_links(draft.award) == []  # a draft contract is not public
    contract = signed_contract(world)
    (link,) = tender_links(contract.award)
    assert link.text == contract.reference and link.url == reverse(
        "contracts:detail", args=[contract.pk]
    )
    assert link.testid == "notice-contract"
    assert tender_links(None) == []


def test_the_tender_page_renders_what_higher_apps_registered(world, client, login):
    """The tender page loads no higher app's template tags: it renders the sections and the
    lines under a challenge registered in ``links`` (complaints registers its own)."""
    from pathlib import Path

    from django.utils.html import format_html

    from caidan.complaints.tender_page import challenge_complaint, tender_decisions
    from caidan.procurement import links

    template = Path(links.__file__).parent / "templates" / "procurement" / "tender_detail.html"
    assert "{% load complaints" not in template.read_text(encoding="utf-8")
    assert tender_decisions in links._TENDER_SECTIONS
    assert challenge_complaint in links._CHALLENGE_SECTIONS

    def section(request, tender):
        return format_html('<p data-testid="extra-section">{}</p>', tender.reference)

    def under_challenge(request, challenge):
        return format_html('<p data-testid="extra-line">{}</p>', challenge.pk)

    tender = published_tender(world, evaluation_method="lowest_price")
    winner, loser, third = make_bidders(world, 3)
    submit_bids(
        world, tender, ["700000.00", "800000.00", "900000.00"], bidders=[winner, loser, third]
    )
    open_now(tender)
    committee_passes_all(world, tender)
    award = award_confirm(tender=tender, actor=world.actor("purchaser"))
    c = challenge_file(award=award, organization=loser.org, grounds="评审不公", actor=loser.actor)
    links.register_tender_section(section)
    links.register_challenge_section(under_challenge)
    links.register_tender_section(section)  # again: a no-op
    try:
        login("purchaser")
        html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
        assert html.count('data-testid="extra-section"') == 1 and tender.reference in html
        assert f'<p data-testid="extra-line">{c.pk}</p>' in html
    finally:
        links.unregister_tender_section(section)
        links.unregister_challenge_section(under_challenge)
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert "extra-section" not in html and "extra-line" not in html
