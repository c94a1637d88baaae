"""The API (/api/v1/complaints) and the pages: the supplier files from its challenge, the
finance bureau accepts, suspends and decides, the decision shows on the tender page and in
the public list; errors are 4xx ``{code, message, detail}``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import scene

pytestmark = pytest.mark.django_db
API = "/api/v1/complaints"


def post(client, url, body, headers):
    return client.post(url, data=body, content_type="application/json", **headers)


def test_api_lifecycle(world, client, token_for):
    sc = scene(world, at=None)
    loser = token_for(sc.loser.user.username)
    admin = token_for("admin")
    body = {
        "challenge_ids": [sc.challenge.pk],
        "matters": "答复未核实资质。",
        "request": "认定中标无效。",
    }
    # only the challenger
    resp = post(client, API, body, token_for(sc.other.user.username))
    assert resp.status_code == 403 and set(resp.json()) == {"code", "message", "detail"}
    resp = post(client, API, {**body, "matters": ""}, loser)
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "matters"
    resp = post(client, API, {**body, "challenge_ids": [0]}, loser)
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "challenge_ids"
    resp = post(client, API, body, loser)
    assert resp.status_code == 201, resp.content
    c = resp.json()
    assert c["status"] == "filed" and c["challenge_ids"] == [sc.challenge.pk]
    cid = c["id"]
    assert client.get(f"{API}/{cid}", **token_for("purchaser")).status_code == 200
    assert client.get(f"{API}/{cid}", **token_for("purchaser2")).status_code == 404
    assert client.get(f"{API}/{cid}").status_code == 401
    assert post(client, f"{API}/{cid}/accept", {}, loser).status_code == 403
    assert (
        post(
            client, f"{API}/{cid}/decide", {"outcome": "dismissed", "reasoning": "x"}, admin
        ).status_code
        == 409
    )
    assert post(client, f"{API}/{cid}/accept", {}, admin).json()["status"] == "accepted"
    today = timezone.localdate()
    resp = post(
        client,
        f"{API}/{cid}/suspend",
        {"until": str(today + dt.timedelta(days=30)), "reason": "核查"},
        admin,
    )
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "until"
    resp = post(
        client,
        f"{API}/{cid}/suspend",
        {"until": str(today + dt.timedelta(days=29)), "reason": "核查"},
        admin,
    )
    assert resp.status_code == 200 and resp.json()["suspended"] is True
    assert client.get(f"{API}/public").json()["items"] == []
    resp = post(
        client,
        f"{API}/{cid}/decide",
        {"outcome": "dismissed", "reasoning": "缺乏事实依据。"},
        admin,
    )
    assert resp.status_code == 200
    assert resp.json()["published_at"] and resp.json()["suspended"] is False
    public = client.get(f"{API}/public").json()["items"]
    assert [p["id"] for p in public] == [cid]
    assert client.get(f"{API}/{cid}").status_code == 200  # published: public
    resp = post(client, f"{API}/{cid}/withdraw", {}, loser)
    assert resp.status_code == 409 and resp.json()["code"] == "bad_transition"


def test_pages_from_challenge_to_public_decision(world, client, login):
    sc = scene(world, at=None)
    username = sc.loser.user.username
    tender_url = f"/procurement/tenders/{sc.tender.pk}/"
    login(username)
    html = client.get(tender_url).content.decode()
    assert f"/complaints/new/{sc.challenge.pk}/" in html
    form_url = f"/complaints/new/{sc.challenge.pk}/"
    assert client.get(form_url).status_code == 200
    resp = client.post(form_url, {"matters": "", "request": "x"})
    assert resp.status_code == 400
    resp = client.post(form_url, {"matters": "答复未核实资质。", "request": "认定中标无效。"})
    assert resp.status_code == 302
    detail = resp["Location"]
    assert "投诉人" in client.get(detail).content.decode()
    assert "已受理" not in client.get("/complaints/mine/").content.decode()
    assert client.get("/complaints/").status_code == 403  # the bureau's desk
    login("admin")
    assert "complaint-inbox" in client.get("/complaints/").content.decode()
    cid = int(detail.rstrip("/").split("/")[-1])
    client.post(f"/complaints/{cid}/accept/")
    client.post(
        f"/complaints/{cid}/decide/",
        {
            "decide-outcome": "upheld_no_effect",
            "decide-reasoning": "答复说理不充分，但不影响结果。",
        },
    )
    client.logout()
    html = client.get(tender_url).content.decode()
    assert "complaint-decisions" in html and "答复说理不充分" in html
    assert "答复说理不充分" in client.get("/complaints/public/").content.decode()
