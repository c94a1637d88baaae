"""A hub's member group gains standing to bid on its own (issue 21): the jurisdiction's rule
(default: two parts delivered through a hub with a final grade of 良 or better, and
registration complete), counted from the published final evaluations' part results."""

from __future__ import annotations

import datetime as dt

import pytest

from caidan.orgs.standing import standing_of, standings_of
from tests.projects.hubs import bundle_contract, make_hub, published_final

pytestmark = pytest.mark.django_db


def test_two_parts_graded_good_give_standing_one_does_not_and_fair_never_counts(world, client):
    hw = make_hub(world)
    a, b = (m.org for m in hw.members)
    assert not standing_of(a).has_standing and standing_of(a).parts_done == 0
    # first bundle: A's part at the 良 boundary (80), B's just under it (79.99: 中)
    published_final(world, bundle_contract(world, hw), {1: "80", 2: "79.99"})
    first = standings_of([a, b])
    assert (first[a.pk].parts_done, first[a.pk].has_standing) == (1, False)
    assert (first[b.pk].parts_done, first[b.pk].has_standing) == (0, False)
    assert first[a.pk].percent == 67  # 1 of 2 parts + registration: 2 of 3 steps
    # second bundle: A 良 again → two parts, standing; B 良 → one part, not yet
    published_final(world, bundle_contract(world, hw), {1: "85", 2: "80"})
    second = standings_of([a, b])
    assert (second[a.pk].parts_done, second[a.pk].has_standing) == (2, True)
    assert (second[b.pk].parts_done, second[b.pk].has_standing) == (1, False)
    assert second[a.pk].percent == 100
    # the registry shows the path and how far each member is along it
    html = client.get(f"/orgs/{b.pk}/").content.decode()
    assert 'data-testid="standing"' in html and "1 / 2" in html
    assert "尚未具备独立投标资格" in html
    html = client.get(f"/orgs/{a.pk}/").content.decode()
    assert "已具备独立投标资格" in html
    hub_page = client.get(f"/orgs/{hw.hub.org.pk}/").content.decode()
    assert "可独立投标" in hub_page and "1 / 2 个部分" in hub_page


def test_the_rule_is_the_jurisdictions_setting(world):
    from caidan.jurisdiction.services import setting_update

    hw = make_hub(world)
    a, b = (m.org for m in hw.members)
    published_final(world, bundle_contract(world, hw), {1: "95", 2: "79.99"})
    assert not standing_of(a).has_standing
    setting_update(key="hub_member_standing_parts", value=1, actor=world.actor("admin"))
    assert standing_of(a).has_standing and not standing_of(b).has_standing
    setting_update(key="hub_member_standing_grade", value="fair", actor=world.actor("admin"))
    assert standing_of(b).has_standing  # 中 counts only when the rule says so
    setting_update(key="hub_member_standing_grade", value="excellent", actor=world.actor("admin"))
    assert standing_of(a).has_standing  # 95: 优
    assert not standing_of(b).has_standing


def test_registration_must_be_complete(world):
    from caidan.orgs.models import Organization
    from caidan.orgs.standing import StandingRule, _standing

    org = Organization(name="x", uscc="x", status="active", registration_date=None, hub_id=1)
    rule = StandingRule(parts=2, grade="good")
    assert not _standing(org, rule, 5).has_standing
    org.registration_date = dt.date(2020, 1, 1)
    assert _standing(org, rule, 2).has_standing
    org.status = "deregistered"
    assert not _standing(org, rule, 2).has_standing


def test_a_member_without_standing_cannot_bid_on_its_own_until_it_has_it(world):
    from caidan.jurisdiction.services import setting_update
    from caidan.orgs.eligibility import eligibility

    hw = make_hub(world)
    a = hw.members[0].org
    result = eligibility(a)
    assert not result.eligible
    assert any("尚未具备独立投标资格" in r and "0 / 2" in r for r in result.reasons)
    assert eligibility(hw.hub.org).eligible  # the hub itself is not a member
    published_final(world, bundle_contract(world, hw), {1: "80"})
    assert any("1 / 2" in r for r in eligibility(a).reasons)
    setting_update(key="hub_member_standing_parts", value=1, actor=world.actor("admin"))
    assert eligibility(a).eligible
