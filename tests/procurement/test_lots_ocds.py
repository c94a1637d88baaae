"""A tender in lots in OCDS (issue 21, the lots extension declared in /work/shared/ocds/): one
process (one ocid) whose tender has ``lots[]`` (an item per lot with ``relatedLot``) and
``lotDetails`` (the cap); each lot's opened bids and its award name the lot
(``relatedLots``); a failed lot is ``unsuccessful`` in ``lots[]``; every lot decided, the
tender is complete. The packages validate against the schema with the extensions."""

from __future__ import annotations

import json
import warnings

import pytest

from caidan.disclosure import ocds
from caidan.procurement.services import award_confirm

from .factories import make_bidders
from .lots_helpers import bid_and_open, lots_of, lotted_draft, publish

pytestmark = pytest.mark.django_db


def _valid(package: dict, kind: str) -> None:
    if not ocds.schema_available():
        warnings.warn("OCDS schema directory missing: lots package NOT VALIDATED", stacklevel=2)
        return
    errors = ocds.validation_errors(package, kind)
    assert not errors, errors[:20]


def test_lots_in_the_release_and_the_record(world):
    parent = publish(world, lotted_draft(world, cap=1, budgets=("300000.00",) * 3))
    one, two, three = lots_of(parent)
    bidders = make_bidders(world, 3)
    prices = ("250000.00", "260000.00", "270000.00")
    one = bid_and_open(world, one, prices, bidders)
    two = bid_and_open(world, two, prices, bidders)
    three = bid_and_open(world, three, prices[:2], bidders[:2])  # 2 valid bids: fails alone
    assert three.status == "failed"
    purchaser = world.actor("purchaser")
    first = award_confirm(tender=one, actor=purchaser)
    second = award_confirm(tender=two, actor=purchaser)

    releases = ocds.releases_for(parent.proposal)
    assert {r["ocid"] for r in releases} == {ocds.ocid_for(parent.proposal)}
    record = ocds.record_for(parent.proposal)
    tender = record["compiledRelease"]["tender"]
    assert tender["id"] == parent.reference  # one tender: the lots are not tenders of their own
    lots = {lot["id"]: lot for lot in tender["lots"]}
    assert list(lots) == [one.reference, two.reference, three.reference]
    assert lots[one.reference]["value"]["amount"] == 300000.0
    assert lots[three.reference]["status"] == "unsuccessful"
    assert lots[one.reference]["status"] == "active"
    assert [i["relatedLot"] for i in tender["items"]] == list(lots)
    assert tender["lotDetails"]["maximumLotsAwardedPerSupplier"] == 1
    assert "每个供应商最多中标 1 个分包" in tender["lotDetails"]["awardCriteriaDetails"]
    assert tender["status"] == "complete"  # every lot decided, two awarded

    details = record["compiledRelease"]["bids"]["details"]
    assert len(details) == 3 + 3 + 2
    by_lot = {}
    for bid in details:
        (lot,) = bid["relatedLots"]
        by_lot[lot] = by_lot.get(lot, 0) + 1
    assert by_lot == {one.reference: 3, two.reference: 3, three.reference: 2}

    awards = {a["id"]: a for a in record["compiledRelease"]["awards"]}
    assert awards[str(first.pk)]["relatedLots"] == [one.reference]
    assert awards[str(second.pk)]["relatedLots"] == [two.reference]
    assert awards[str(second.pk)]["suppliers"][0]["name"] == bidders[1].org.name
    assert bidders[0].org.name in awards[str(second.pk)]["description"]  # passed over, why

    _valid(ocds.release_package(releases), "release")
    _valid(ocds.record_package([record]), "record")
    # the sealed content never leaves
    assert "的服务方案" not in json.dumps(record, ensure_ascii=False)  # a bid's plan
