"""The procurement API over HTTP (``/api/v1/procurement``): bids submitted, replaced and
withdrawn, with their refusals, and the sealed-bid rule: nothing of a bid's content leaks
before opening."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from caidan.procurement.models import Bid

from .api_helpers import API, error, get, post
from .factories import draft_tender, past_deadline_tender, published_tender

pytestmark = pytest.mark.django_db


# --- bids -------------------------------------------------------------------------------------------


def test_bid_submit_replace_withdraw(world, client, token_for):
    tender = published_tender(world)
    provider = token_for("provider")
    resp = post(
        client,
        f"/tenders/{tender.pk}/bids",
        {"price": "880000.00", "plan": "方案一", "team": "社工 6 名"},
        provider,
    )
    assert resp.status_code == 201, resp.content
    first = resp.json()
    assert re.fullmatch(r"(sm3|sha256):[0-9a-f]{64}", first["receipt"])
    assert first["status"] == "submitted" and first["replaces_id"] is None
    server_time = dt.datetime.fromisoformat(first["server_time"])
    assert abs(server_time - timezone.now()) < dt.timedelta(seconds=30)
    assert "880000" not in resp.content.decode()

    again = post(
        client, f"/tenders/{tender.pk}/bids", {"price": "870000.00", "plan": "方案二"}, provider
    ).json()
    assert again["replaces_id"] == first["id"] and again["receipt"] != first["receipt"]

    mine = get(client, "/my/bids", provider).json()
    by_id = {b["id"]: b for b in mine}
    assert by_id[first["id"]]["status"] == "replaced"
    assert by_id[again["id"]]["status"] == "submitted" and by_id[again["id"]]["price"] is None
    assert by_id[again["id"]]["tender"]["id"] == tender.pk
    only = get(client, f"/my/bids?tender_id={tender.pk}", provider).json()
    assert {b["id"] for b in only} == {first["id"], again["id"]}

    # Another organization neither sees nor touches it.
    hub = token_for("hub")
    assert all(b["id"] not in by_id for b in get(client, "/my/bids", hub).json())
    error(post(client, f"/bids/{again['id']}/withdraw", headers=hub), 404)
    error(post(client, f"/bids/{again['id']}/withdraw", headers=token_for("purchaser")), 403)
    error(post(client, f"/bids/{again['id']}/withdraw"), 401)

    resp = post(client, f"/bids/{again['id']}/withdraw", headers=provider)
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    error(post(client, f"/bids/{again['id']}/withdraw", headers=provider), 409, "not_live")


def test_bid_refusals(world, client, token_for):
    tender = published_tender(world)
    path = f"/tenders/{tender.pk}/bids"
    good = {"price": "900000.00", "plan": "方案"}
    error(post(client, path, good), 401)
    error(post(client, path, good, token_for("purchaser")), 403, "permission_denied")
    error(post(client, path, good, token_for("expert")), 403)
    provider = token_for("provider")
    error(post(client, path, {**good, "price": 900000.5}, provider), 400, field="price")
    error(post(client, path, {**good, "price": "-1"}, provider), 400, field="price")
    error(post(client, path, {"price": "900000.00"}, provider), 400, field="plan")
    assert not Bid.objects.filter(tender=tender).exists()

    late = past_deadline_tender(world)
    body = error(post(client, f"/tenders/{late.pk}/bids", good, provider), 409, "deadline_passed")
    server_time = dt.datetime.fromisoformat(body["detail"]["server_time"])
    assert server_time > late.deadline
    assert dt.datetime.fromisoformat(body["detail"]["deadline"]) == late.deadline
    assert not Bid.objects.filter(tender=late).exists()
    draft = draft_tender(world)
    error(post(client, f"/tenders/{draft.pk}/bids", good, provider), 404)


def _get_paths(tender_id: int, receipt: str) -> list[str]:
    """Every GET route of the procurement router, with its path filled in."""
    from caidan.procurement.api import router

    paths = []
    for path, view in router.path_operations.items():
        if not any("GET" in op.methods for op in view.operations):
            continue
        paths.append(
            path.replace("{tender_id}", str(tender_id))
            .replace("{receipt}", receipt)
            .replace("{member_id}", "999999")
        )
    return paths


def test_nothing_sealed_leaks_before_opening(world, client, token_for):
    """DOMAIN §3.4: before opening nobody reads a bid's content or price, nor learns from a
    receipt (or the history) who has bid."""
    tender = published_tender(world)
    secret_price, secret_plan = "876543.21", "机密方案ZQX"
    resp = post(
        client,
        f"/tenders/{tender.pk}/bids",
        {"price": secret_price, "plan": secret_plan, "team": "秘密团队QQ"},
        token_for("provider"),
    )
    receipt = resp.json()["receipt"]
    paths = _get_paths(tender.pk, receipt)
    assert len(paths) >= 11
    callers = [None, "purchaser", "admin", "auditor", "provider", "hub", "expert"]
    checked = 0
    for who in callers:
        headers = token_for(who) if who else {}
        for path in paths:
            r = client.get(f"{API}{path}", **headers)
            assert r.status_code < 500, (who, path)
            body = r.content.decode()
            for secret in (secret_price, "876543", secret_plan, "秘密团队QQ"):
                assert secret not in body, (who, path)
            for key in ('"sealed"', '"nonce"', '"wrapped_key"', '"content"'):
                assert key not in body, (who, path)
            checked += 1
        # Before opening, a receipt reveals nothing to anyone — not even the bidder.
        error(client.get(f"{API}/tenders/{tender.pk}/receipts/{receipt}", **headers), 404)
        # The audit log endpoint (admin/auditor) holds no price either.
        assert secret_price not in client.get("/api/v1/audit/events", **headers).content.decode()
    assert checked == len(callers) * len(paths)
    history = get(client, f"/tenders/{tender.pk}/history", token_for("purchaser")).json()
    assert history and all(not e["kind"].startswith("bid.") for e in history)
