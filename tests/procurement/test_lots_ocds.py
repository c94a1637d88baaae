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


def test_an_amendment_to_one_lot_is_released_in_the_tenders_amendments(world):
    """An amendment (澄清修改) to one lot is a tenderAmendment of the one tender, like an
    amendment to the tender itself: ``tender.amendments[]`` lists it with the lot named in
    its description and rationale (the lots extension has no ``relatedLots`` on
    amendments); a document added to a lot (an amendment too) carries ``relatedLots``; a
    lot's amendment that moves the deadline moves the one deadline of the tender and all its
    lots, so its release sets the tender's period, as the tender's own amendment does; every
    release lists all amendments so far, the tender's and the lots', in order."""
    import copy
    import datetime as dt

    import ocdsmerge
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.procurement.services import tender_amend
    from caidan.procurement.services.tenders import tender_document_add

    from .factories import next_working_deadline

    purchaser = world.actor("purchaser")
    parent = publish(world, lotted_draft(world))
    one, two = lots_of(parent)
    first = tender_amend(
        tender=one, summary="第1包服务人数由 200 人调整为 240 人。", actor=purchaser
    )
    whole = tender_amend(
        tender=parent, summary="补充投标文件格式要求。", affects_bids=False, actor=purchaser
    )
    lot_deadline = next_working_deadline(two.deadline + dt.timedelta(days=6))
    moved = tender_amend(
        tender=two,
        summary="第2包延长投标截止时间。",
        affects_bids=False,
        new_deadline=lot_deadline,
        actor=purchaser,
    )
    tender_document_add(
        tender=one,
        file=SimpleUploadedFile("第1包服务清单.pdf", b"%PDF-1.4\n%x\n"),
        description="服务清单",
        actor=purchaser,
    )
    document_amendment = one.amendments.order_by("id").last()

    releases = ocds.releases_for(parent.proposal)
    amended = [r for r in releases if r["tag"] == ["tenderAmendment"]]
    assert len(amended) == 4
    assert {r["tender"]["id"] for r in amended} == {parent.reference}  # no lot is a tender
    # cumulative, in order: each release lists every amendment so far
    order = [str(a.pk) for a in (first, whole, moved, document_amendment)]
    assert [[a["id"] for a in r["tender"]["amendments"]] for r in amended] == [
        order[: n + 1] for n in range(4)
    ]
    listed = {a["id"]: a for a in amended[-1]["tender"]["amendments"]}
    lot_one = f"第 1 包（{one.reference}）"
    assert listed[str(first.pk)]["description"] == f"{lot_one}：{first.summary}"
    assert listed[str(first.pk)]["rationale"] == f"仅涉及{lot_one}，其他分包不变"
    assert listed[str(moved.pk)]["description"].startswith(f"第 2 包（{two.reference}）：")
    assert ocds.when(lot_deadline) in listed[str(moved.pk)]["rationale"]
    assert "全部分包" in listed[str(moved.pk)]["rationale"]
    assert listed[str(whole.pk)]["description"] == whole.summary  # the tender's own: no lot
    assert "rationale" not in listed[str(whole.pk)]  # its deadline did not move
    # a lot's amendment that keeps the deadline leaves the tender's period alone; the
    # tender's own sets it, and so does a lot's that moved the one deadline of all
    announced = parent.deadline
    parent.refresh_from_db()
    assert parent.deadline == lot_deadline != announced
    assert "tenderPeriod" not in amended[0]["tender"]
    assert amended[1]["tender"]["tenderPeriod"]["endDate"] == ocds.when(announced)
    assert amended[2]["tender"]["tenderPeriod"]["endDate"] == ocds.when(lot_deadline)
    # the lot's document, from its amendment on, names the lot
    (document,) = amended[-1]["tender"]["documents"]
    assert document["title"] == "第1包服务清单.pdf"
    assert document["relatedLots"] == [one.reference]
    assert all(not r["tender"]["documents"] for r in amended[:-1] if "documents" in r["tender"])

    record = ocds.record_for(parent.proposal)
    compiled = record["compiledRelease"]["tender"]
    assert [a["id"] for a in compiled["amendments"]] == order
    assert compiled["tenderPeriod"]["endDate"] == ocds.when(parent.deadline)
    assert {lot["id"] for lot in compiled["lots"]} == {one.reference, two.reference}
    # arrays are cumulative: merging by id and replacing whole lists agree
    plain = ocdsmerge.Merger(merge_rules={}).create_compiled_release(copy.deepcopy(releases))
    assert plain["tender"]["amendments"] == compiled["amendments"]
    assert plain["tender"]["documents"] == compiled["documents"]
    _valid(ocds.release_package(releases), "release")
    _valid(ocds.record_package([record]), "record")


def test_every_release_carries_its_arrays_whole(world):
    """Arrays are cumulative in every release (docs/disclosure.md): a failed lot's release
    lists every lot (the others as they stand), a complaint decision's release lists the
    tender's documents with the decision (naming its lot) on the one tender, and each
    release's arrays hold every object of the earlier releases' — so compiling by identifier
    and by replacing whole arrays agree."""
    import copy

    import ocdsmerge
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership
    from caidan.complaints import services as complaints
    from caidan.complaints.inputs import ComplaintDecisionInput, ComplaintInput
    from caidan.disclosure.ocds.builder import CUMULATIVE
    from caidan.procurement.models import Bid
    from caidan.procurement.services import challenge_answer, challenge_file
    from caidan.procurement.services.tenders import tender_document_add

    purchaser = world.actor("purchaser")
    parent = publish(world, lotted_draft(world, budgets=("300000.00",) * 3))
    tender_document_add(  # published with an amendment
        tender=parent,
        file=SimpleUploadedFile("采购文件.pdf", b"%PDF-1.4\n%x\n"),
        description="采购文件",
        actor=purchaser,
    )
    one, two, three = lots_of(parent)
    bidders = make_bidders(world, 3)
    prices = ("250000.00", "260000.00", "270000.00")
    one = bid_and_open(world, one, prices, bidders)
    two = bid_and_open(world, two, prices, bidders)
    three = bid_and_open(world, three, prices[:2], bidders[:2])
    assert three.status == "failed"
    award = award_confirm(tender=one, actor=purchaser)
    award_confirm(tender=two, actor=purchaser)
    second = Bid.objects.get(tender=one, rank=2)
    membership = Membership.objects.filter(organization=second.organization).first()
    loser = Actor(user=membership.user, membership=membership)
    challenge = challenge_file(
        award=award, organization=second.organization, grounds="资质不符。", actor=loser
    )
    challenge = challenge_answer(
        challenge=challenge, answer="资质符合要求。", upheld=False, actor=purchaser
    )
    admin = world.actor("admin")
    complaint = complaints.complaint_file(
        actor=loser,
        now=timezone.now(),
        data=ComplaintInput.parse(
            challenges=[challenge], matters="答复未核实资质。", request="请求认定中标无效。"
        ),
    )
    complaints.complaint_accept(complaint=complaint, actor=admin)
    complaints.complaint_decide(
        complaint=complaint,
        actor=admin,
        data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning="资质证书有效。"),
    )

    releases = ocds.releases_for(parent.proposal)
    assert {r["tender"]["id"] for r in releases if "tender" in r} == {parent.reference}
    ended = next(
        r
        for r in releases
        if any(lot.get("status") == "unsuccessful" for lot in r.get("tender", {}).get("lots", []))
    )
    assert {lot["id"]: lot["status"] for lot in ended["tender"]["lots"]} == {
        one.reference: "active",
        two.reference: "active",
        three.reference: "unsuccessful",
    }
    decided = [r for r in releases if "complaints" in r][-1]
    documents = {d["title"]: d for d in decided["tender"]["documents"]}
    assert "采购文件.pdf" in documents  # the tender's documents stay with the decision
    (decision,) = [d for d in documents.values() if d["documentType"] == "complaints"]
    assert decision["relatedLots"] == [one.reference]
    assert [c["id"] for c in decided["complaints"]] == [str(complaint.pk)]

    def ids(release, path):
        value = release
        for key in path:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return [o["id"] for o in value] if isinstance(value, list) else None

    seen: dict = {}
    for release in releases:
        for path in CUMULATIVE:
            listed = ids(release, path)
            if listed is None:
                continue
            assert set(seen.get(path, ())) <= set(listed), (release["id"], path)
            seen[path] = listed
    assert len(seen[("awards",)]) == 2 and len(seen[("bids", "details")]) == 3 + 3 + 2

    record = ocds.record_for(parent.proposal)
    compiled = record["compiledRelease"]
    plain = ocdsmerge.Merger(merge_rules={}).create_compiled_release(copy.deepcopy(releases))
    assert {k: v for k, v in plain.items() if k != "id"} == {
        k: v for k, v in compiled.items() if k != "id"
    }
    _valid(ocds.release_package(releases), "release")
    _valid(ocds.record_package([record]), "record")
