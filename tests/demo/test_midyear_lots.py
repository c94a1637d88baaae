"""The mid-year demo's tender in lots (issue 21, ``caidan/demo/midyear/lots.py``): one
procurement in two lots with a cap of one; the demo provider, cheapest in both, wins lot 1
and is passed over for lot 2; each lot has its own drafted contract; the public API shows
the lots and the cap record."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_midyear_demo_has_a_tender_in_two_lots(world, client):
    from caidan.contracts.models import Contract
    from caidan.demo.midyear import seed_midyear
    from caidan.demo.midyear.lots import TITLE
    from caidan.procurement.models import Award, Tender

    seed_midyear()
    parent = Tender.objects.get(title=TITLE, parent__isnull=True)
    assert parent.has_lots and parent.max_lots_per_provider == 1
    one, two = parent.lots.order_by("lot_number")
    provider = world.actor("provider").organization
    first = Award.objects.get(tender=one, status="confirmed")
    second = Award.objects.get(tender=two, status="confirmed")
    assert first.bid.organization == provider and first.cap_skipped == []
    assert second.bid.organization != provider
    assert [row["organization"] for row in second.cap_skipped] == [provider.pk]
    contracts = Contract.objects.filter(tender__parent=parent).order_by("tender__lot_number")
    assert [c.award_id for c in contracts] == [first.pk, second.pk]

    body = client.get(f"/api/v1/procurement/tenders/{parent.pk}").json()
    assert [row["winner"] for row in body["lots"]] == [
        provider.name,
        second.bid.organization.name,
    ]
    notice = client.get(f"/api/v1/procurement/tenders/{two.pk}").json()["award_notice"]
    assert notice["award"]["cap_skipped"][0]["name"] == provider.name
