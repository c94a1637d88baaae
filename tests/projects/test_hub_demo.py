"""The mid-year demo's hub bundle (issue 21): a submitted bundle of two members' parts, and
two member drafts waiting on the hub's page for the hub to bundle."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def test_midyear_demo_has_a_bundle_and_drafts_waiting_for_the_hub(world, login):
    from caidan.demo.midyear import seed_midyear
    from caidan.demo.midyear.bundles import BUNDLE_TITLE, WAITING
    from caidan.projects.models import Proposal

    seed_midyear()
    bundle = Proposal.objects.get(title=BUNDLE_TITLE)
    assert bundle.status == "submitted" and bundle.lead_organization.name == "区人民调解协会"
    parts = list(bundle.packaged_parts.order_by("id"))
    assert [p.budget for p in parts] == [Decimal("120000.00"), Decimal("80000.00")]
    assert len({p.proposing_organization_id for p in parts}) == 2
    html = login("hub").get("/projects/hub/").content.decode()
    for _i, title, _b, _d in WAITING:
        assert title in html
    assert BUNDLE_TITLE in html
