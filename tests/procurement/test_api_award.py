"""The procurement API over HTTP (``/api/v1/procurement``) after the deadline: opening,
receipts, the award and the evaluation data, challenges and the winner declining, a failed
tender re-tendered or its method changed, the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.procurement.models import Bid, Tender

from .api_helpers import API, bearer, error, get, post
from .factories import (
    Bidder,
    committee_passes_all,
    make_bidders,
    open_now,
    published_tender,
    submit_bids,
)

pytestmark = pytest.mark.django_db


def demo_bidder(world, username="provider") -> Bidder:
    actor = world.actor(username)
    return Bidder(org=actor.organization, user=actor.user, actor=actor)


def lowest_price_tender(world, prices=("700000.00", "800000.00", "900000.00")):
    """Opened, reviewed by the committee (all pass) and ranked by price: the demo provider
    bids the first price (and wins), two registered organizations the others."""
    tender = published_tender(world, evaluation_method="lowest_price")
    bidders = [demo_bidder(world), *make_bidders(world, len(prices) - 1)]
    _, bids = submit_bids(world, tender, prices, bidders=bidders)
    open_now(tender)
    assert tender.status == "evaluating"  # the committee reviews before any ranking
    committee_passes_all(world, tender)
    assert tender.status == "evaluated"
    for b in bids:
        b.refresh_from_db()
    return tender, bidders, bids


def awarded_tender(world, client, token_for):
    tender, bidders, bids = lowest_price_tender(world)
    resp = post(client, f"/tenders/{tender.pk}/award", {}, token_for("purchaser"))
    assert resp.status_code == 201, resp.content
    return tender, bidders, bids, resp.json()


# --- opening, receipts, award, evaluation data ---------------------------------------------------------


def test_opening_receipts_award_and_evaluation_json(world, client, token_for):
    tender, bidders, bids = lowest_price_tender(world)
    t = get(client, f"/tenders/{tender.pk}").json()
    assert t["status"] == "evaluated"
    rows = t["opening"]
    assert [r["price"] for r in rows] == ["700000.00", "800000.00", "900000.00"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert rows[0]["organization_name"] == bidders[0].org.name and rows[0]["valid"] is True
    assert rows[0]["receipt"] == bids[0].receipt
    assert t["award_notice"] is None
    assert "的服务方案" not in get(client, f"/tenders/{tender.pk}").content.decode()

    ok = get(client, f"/tenders/{tender.pk}/receipts/{bids[1].receipt}").json()
    assert ok["matches"] is True and ok["intact"] is True
    assert ok["organization_name"] == bidders[1].org.name and ok["valid"] is True
    unknown = get(client, f"/tenders/{tender.pk}/receipts/sm3:{'0' * 64}").json()
    assert unknown["matches"] is False and unknown["organization_name"] is None
    # A tampered sealed blob no longer matches its receipt.
    Bid.objects.filter(pk=bids[2].pk).update(sealed=b"tampered")
    assert get(client, f"/tenders/{tender.pk}/receipts/{bids[2].receipt}").json()["intact"] is False

    error(get(client, f"/tenders/{tender.pk}/evaluation.json"), 404)

    path = f"/tenders/{tender.pk}/award"
    error(post(client, path, {}), 401)
    error(post(client, path, {}, token_for("provider")), 403, "permission_denied")
    error(post(client, path, {}, token_for("purchaser2")), 403, "out_of_scope")
    purchaser = token_for("purchaser")
    error(post(client, path, {"bid_id": bids[1].pk}, purchaser), 400, field="bid_id")
    other = published_tender(world)
    _, foreign = submit_bids(world, other, ["1.00"])
    error(post(client, path, {"bid_id": foreign[0].pk}, purchaser), 400, field="bid_id")

    resp = post(client, path, {"note": "按排名确定"}, purchaser)
    assert resp.status_code == 201, resp.content
    award = resp.json()
    assert award["organization_name"] == bidders[0].org.name
    assert award["amount"] == "700000.00" and award["status"] == "confirmed"
    assert dt.datetime.fromisoformat(award["challenge_deadline"]) > timezone.now()
    error(post(client, path, {}, purchaser), 409, "not_evaluated")

    t = get(client, f"/tenders/{tender.pk}").json()
    assert t["status"] == "awarded"
    notice = t["award_notice"]
    assert (
        notice["award"]["id"] == award["id"] and len(notice["experts"]) == 5
    )  # the committee (87号令 §45)
    assert [r["organization_name"] for r in notice["ranking"]][:1] == [bidders[0].org.name]
    data = get(client, notice["evaluation_url"].removeprefix(API)).json()
    assert data["method"] == "lowest_price" and data["budget"] == "1000000.00"
    assert sorted(b["price"] for b in data["bids"]) == ["700000.00", "800000.00", "900000.00"]
    # The published data recomputes to the same ranking (score_check).
    from caidan.procurement import scoring

    result = scoring.evaluate(scoring.parse_input(data))
    assert result.ranking[0].bidder == bidders[0].org.name


def test_challenges_and_decline(world, client, token_for):
    tender, bidders, bids, award = awarded_tender(world, client, token_for)
    loser = bearer(bidders[1].user)
    path = f"/awards/{award['id']}/challenges"
    error(post(client, path, {"grounds": "评审不公"}), 401)
    error(post(client, path, {"grounds": "评审不公"}, token_for("purchaser")), 403)
    error(post(client, path, {"grounds": ""}, loser), 400, field="grounds")
    error(
        post(client, path, {"grounds": "未投标也质疑"}, token_for("hub")), 400, field="organization"
    )
    error(post(client, "/awards/999999/challenges", {"grounds": "x"}, loser), 404)
    resp = post(client, path, {"grounds": "中标人资质存疑", "may_change_result": True}, loser)
    assert resp.status_code == 201, resp.content
    c = resp.json()
    assert c["status"] == "filed" and c["organization_name"] == bidders[1].org.name
    assert dt.datetime.fromisoformat(c["answer_due"]) > timezone.now()

    # Pending challenges: the bidder and the purchaser see them, the public does not.
    assert get(client, f"/tenders/{tender.pk}").json()["challenges"] == []
    assert [x["id"] for x in get(client, f"/tenders/{tender.pk}", loser).json()["challenges"]] == [
        c["id"]
    ]
    error(post(client, f"/challenges/{c['id']}/withdraw", headers=token_for("provider")), 404)
    error(
        post(
            client,
            f"/challenges/{c['id']}/answer",
            {"answer": "不成立", "upheld": False},
            token_for("purchaser2"),
        ),
        403,
        "out_of_scope",
    )
    error(
        post(client, f"/challenges/{c['id']}/answer", {"answer": "x"}, token_for("purchaser")),
        400,
        field="upheld",
    )
    resp = post(
        client,
        f"/challenges/{c['id']}/answer",
        {"answer": "经核实，资质符合要求。", "upheld": False},
        token_for("purchaser"),
    )
    assert resp.status_code == 200 and resp.json()["status"] == "answered"
    assert resp.json()["upheld"] is False
    error(post(client, f"/challenges/{c['id']}/withdraw", headers=loser), 409)
    public = get(client, f"/tenders/{tender.pk}").json()["challenges"]
    assert [x["answer"] for x in public] == ["经核实，资质符合要求。"]

    second = post(client, path, {"grounds": "再质疑"}, loser).json()
    resp = post(client, f"/challenges/{second['id']}/withdraw", headers=loser)
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"

    # The winner declines: the tender returns to the award step with the next-ranked.
    decline = f"/awards/{award['id']}/decline"
    error(post(client, decline, {"reason": "x"}, loser), 404)
    error(post(client, decline, {"reason": "x"}, token_for("purchaser")), 403)
    provider = token_for("provider")
    error(post(client, decline, {}, provider), 400, field="reason")
    resp = post(client, decline, {"reason": "人员无法到位"}, provider)
    assert resp.status_code == 200 and resp.json()["status"] == "declined"
    t = get(client, f"/tenders/{tender.pk}").json()
    assert t["status"] == "evaluated"
    assert t["award_notice"]["award"] is None
    assert t["award_notice"]["ended_awards"][0]["end_reason"] == "人员无法到位"
    resp = post(client, f"/tenders/{tender.pk}/award", {}, token_for("purchaser"))
    assert resp.json()["organization_name"] == bidders[1].org.name


def test_fail_retender_and_method_change(world, client, token_for):
    tender, *_ = lowest_price_tender(world)
    purchaser = token_for("purchaser")
    error(post(client, f"/tenders/{tender.pk}/retender", {}, purchaser), 409, "not_failed")
    error(post(client, f"/tenders/{tender.pk}/fail", {"reason": "x"}, token_for("provider")), 403)
    error(post(client, f"/tenders/{tender.pk}/fail", {}, purchaser), 400, field="reason")
    resp = post(
        client, f"/tenders/{tender.pk}/fail", {"reason": "质疑成立，结果无法成立"}, purchaser
    )
    assert resp.status_code == 200 and resp.json()["status"] == "failed"
    error(post(client, f"/tenders/{tender.pk}/fail", {"reason": "x"}, purchaser), 409)

    path = f"/tenders/{tender.pk}/retender"
    error(post(client, path, {"method": "consultation"}, purchaser), 400, field="reason")
    resp = post(
        client, path, {"method": "consultation", "reason": "公开招标有效投标不足三家"}, purchaser
    )
    assert resp.status_code == 201, resp.content
    new = resp.json()
    assert new["status"] == "draft" and new["previous_id"] == tender.pk
    assert new["method"] == "consultation" and new["method_change_approved_at"] is None
    error(post(client, path, {}, purchaser), 409, "tender_exists")

    approve = f"/tenders/{new['id']}/approve-method-change"
    error(post(client, approve, headers=purchaser), 403, "permission_denied")
    error(post(client, approve), 401)
    resp = post(client, approve, headers=token_for("admin"))
    assert resp.status_code == 200 and resp.json()["method_change_approved_at"]
    assert Tender.objects.get(pk=new["id"]).method_change_approved_by == world.user("admin")


def test_history(world, client, token_for):
    tender, bidders, bids = lowest_price_tender(world)
    path = f"/tenders/{tender.pk}/history"
    events = get(client, path, token_for("purchaser")).json()
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "tender.created" and "bid.opened" in kinds
    assert kinds.count("bid.submitted") == 3  # shown once opened
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert get(client, path, token_for("auditor")).status_code == 200
    assert get(client, path, token_for("admin")).status_code == 200
    error(get(client, path, token_for("purchaser2")), 403, "out_of_scope")
    error(get(client, path, token_for("provider")), 403, "permission_denied")
    error(get(client, path), 401)
