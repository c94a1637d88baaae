"""The procurement API over HTTP (``/api/v1/procurement``): every endpoint's happy path and
its main refusals — 401 without credentials, 403 for the wrong role or scope, 404 for what
the caller may not know exists, 400 naming the field, 409 for the wrong lifecycle step —
and the sealed-bid rule: nothing of a bid's content leaks before opening."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role
from caidan.procurement.inputs import ExpertInput
from caidan.procurement.models import PUBLIC_STATUSES, Bid, Expert, Tender

from .factories import (
    Bidder,
    approved_proposal,
    committee_passes_all,
    draft_tender,
    make_bidders,
    next_working_deadline,
    open_now,
    opened_tender,
    past_deadline_tender,
    published_tender,
    submit_bids,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/procurement"


# --- helpers ------------------------------------------------------------------------------------


def bearer(user, role: str | None = None) -> dict[str, str]:
    """Token headers for a person made by the factories (what ``token_for`` does for the
    demo users)."""
    from caidan.accounts.services import api_token_create

    _, raw = api_token_create(actor=Actor(user=user), name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if role:
        membership = Membership.objects.get(user=user, role=role)
        headers["HTTP_X_CAIDAN_ROLE"] = str(membership.pk)
    return headers


def call(client, method: str, path: str, data=None, headers=None):
    fn = getattr(client, method.lower())
    kwargs = dict(headers or {})
    if method.upper() != "GET":
        kwargs.update(data=data if data is not None else {}, content_type="application/json")
    return fn(f"{API}{path}", **kwargs)


def post(client, path, data=None, headers=None):
    return call(client, "POST", path, data, headers)


def get(client, path, headers=None):
    return call(client, "GET", path, headers=headers)


def error(resp, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert resp.status_code == status, resp.content[:500]
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert body["detail"].get("field") == field, body
    return body


def expert_pool(world, n: int) -> list:
    """``n`` experts with logins (``factories.make_expert_pool`` names its users
    ``expert{k}``, which can collide with the demo's ``expert2``…``expert9``)."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.procurement.services.experts import expert_create

    experts = []
    for _ in range(n):
        k = uuid.uuid4().hex[:8]
        user = user_create(
            username=f"api-expert-{k}",
            password="x",
            display_name=f"专家{k}",
            actor=world.system,
            validate_password=False,
        )
        membership_grant(user=user, role=Role.EXPERT, actor=world.system)
        experts.append(
            expert_create(
                actor=world.actor("admin"),
                data=ExpertInput.parse(
                    name=f"评审专家{k}", specialties=["elderly"], title="高级社工师", user=user
                ),
            )
        )
    return experts


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


# --- public list --------------------------------------------------------------------------------


def test_list_keyset_pagination_and_constant_queries(world, client, django_assert_max_num_queries):
    for i in range(30):
        published_tender(world, title=f"第{i}号项目")
    draft_tender(world)  # never listed publicly
    ids = list(
        Tender.objects.filter(status__in=PUBLIC_STATUSES)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert len(ids) >= 30

    seen, cursor, pages = [], None, 0
    while True:
        path = "/tenders?limit=12" + (f"&cursor={cursor}" if cursor else "")
        page = get(client, path).json()
        pages += 1
        assert len(page["items"]) <= 12
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids  # newest first, no gaps, no repeats
    assert pages == -(-len(ids) // 12)

    counts = {}
    for limit in (5, 30):
        with CaptureQueriesContext(connection) as ctx:
            resp = get(client, f"/tenders?limit={limit}")
        assert len(resp.json()["items"]) == limit
        counts[limit] = len(ctx.captured_queries)
    assert counts[5] == counts[30]
    with django_assert_max_num_queries(2):
        first = get(client, "/tenders?limit=30").json()["items"][0]
    assert first["budget"] == "1000000.00" and first["bid_security"] == "10000.00"
    assert first["status"] == "published" and first["unit_name"] == "江苏路街道"
    assert dt.datetime.fromisoformat(first["deadline"]) > timezone.now()

    assert get(client, "/tenders?limit=0").json()["detail"]["field"] == "limit"
    error(get(client, "/tenders?cursor=bm9wZQ"), 400, field="cursor")


def test_list_filters_and_drafts(world, client, token_for):
    mine = published_tender(world, title="社区助餐服务")
    other = published_tender(world, title="青少年托管服务")
    draft = draft_tender(world, title="草稿项目")

    found = get(client, "/tenders?search=助餐").json()["items"]
    assert [t["id"] for t in found] == [mine.pk]
    assert [t["id"] for t in get(client, f"/tenders?search={other.reference}").json()["items"]] == [
        other.pk
    ]
    consultations = get(client, "/tenders?method=consultation").json()["items"]
    assert all(t["method"] == "consultation" for t in consultations)
    assert mine.pk not in {t["id"] for t in consultations}
    error(get(client, "/tenders?status=bogus"), 400, field="status")
    error(get(client, "/tenders?method=auction"), 400, field="method")

    public = {t["id"] for t in get(client, "/tenders").json()["items"]}
    assert draft.pk not in public and mine.pk in public
    own = {
        t["id"]
        for t in get(client, "/tenders?status=draft", token_for("purchaser")).json()["items"]
    }
    assert draft.pk in own
    theirs = get(client, "/tenders?status=draft", token_for("purchaser2")).json()["items"]
    assert draft.pk not in {t["id"] for t in theirs}
    # A bad token is refused even on a public endpoint (never silently anonymous).
    error(get(client, "/tenders", {"HTTP_AUTHORIZATION": "Bearer cd_nope"}), 401)


# --- purchaser: drafting and publishing -----------------------------------------------------------


def test_create_update_publish(world, client, token_for):
    proposal = approved_proposal(world)
    headers = token_for("purchaser")
    resp = post(
        client,
        "/tenders",
        {
            "proposal_id": proposal.pk,
            "title": "独居老人探访（API）",
            "bid_security": "20000.00",
            "price_points": 30,
            "factors": [
                {"id": "plan", "name": "服务方案", "max": 45},
                {"id": "team", "name": "团队", "max": "25"},
            ],
        },
        headers,
    )
    assert resp.status_code == 201, resp.content
    t = resp.json()
    assert t["status"] == "draft" and t["title"] == "独居老人探访（API）"
    assert t["bid_security"] == "20000.00" and t["budget"] == "1000000.00"
    assert [f["max"] for f in t["scoring_sheet"]["factors"]] == ["45", "25"]
    assert t["scoring_sheet"]["committee_size"] == 5
    assert t["opening"] is None and t["award_notice"] is None

    deadline = next_working_deadline(timezone.now() + dt.timedelta(days=30))
    resp = call(client, "PATCH", f"/tenders/{t['id']}", {"deadline": deadline.isoformat()}, headers)
    assert resp.status_code == 200, resp.content
    assert dt.datetime.fromisoformat(resp.json()["deadline"]) == deadline

    resp = post(client, f"/tenders/{t['id']}/publish", headers=headers)
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "published" and resp.json()["published_at"]
    assert Tender.objects.get(pk=t["id"]).wrapped_key  # the sealing key exists
    assert "wrapped_key" not in resp.content.decode()
    error(post(client, f"/tenders/{t['id']}/publish", headers=headers), 409, "bad_transition")
    error(
        call(client, "PATCH", f"/tenders/{t['id']}", {"title": "改名"}, headers), 409, "not_draft"
    )


def test_create_refusals(world, client, token_for):
    proposal = approved_proposal(world)
    data = {"proposal_id": proposal.pk}
    error(post(client, "/tenders", data), 401, "not_authenticated")
    error(post(client, "/tenders", data, token_for("provider")), 403, "permission_denied")
    error(post(client, "/tenders", data, token_for("purchaser2")), 403, "out_of_scope")
    error(
        post(client, "/tenders", {"proposal_id": 999999}, token_for("purchaser")),
        400,
        field="proposal_id",
    )
    headers = token_for("purchaser")
    # 2 % of 1,000,000 is 20,000.
    body = error(
        post(client, "/tenders", {**data, "bid_security": "20000.01"}, headers),
        400,
        field="bid_security",
    )
    assert "2" in body["message"]
    error(post(client, "/tenders", {**data, "budget": 1000}, headers), 400, field="budget")
    error(
        post(client, "/tenders", {**data, "invited_organization_id": 999999}, headers),
        400,
        field="invited_organization_id",
    )
    # The service's own rule about the field is reported under the name the client sent.
    org = world.actor("provider").organization
    error(
        post(client, "/tenders", {**data, "invited_organization_id": org.pk}, headers),
        400,
        field="invited_organization_id",
    )
    # An explicit null for a required column, or an out-of-range count, is a 400, not a 500.
    error(
        post(client, "/tenders", {**data, "description": None}, headers), 400, field="description"
    )
    error(
        post(client, "/tenders", {**data, "reserve_count": 10**20}, headers),
        400,
        field="reserve_count",
    )
    assert not Tender.objects.filter(proposal=proposal).exists()
    assert post(client, "/tenders", data, headers).status_code == 201
    error(post(client, "/tenders", data, headers), 409, "tender_exists")


def test_another_street_cannot_manage(world, client, token_for):
    draft = draft_tender(world)
    live = published_tender(world)
    other = token_for("purchaser2")
    # A draft is not even visible to another street's officer.
    error(post(client, f"/tenders/{draft.pk}/publish", headers=other), 404, "not_found")
    error(call(client, "PATCH", f"/tenders/{draft.pk}", {"title": "x"}, other), 404)
    error(get(client, f"/tenders/{draft.pk}", other), 404)
    error(get(client, f"/tenders/{draft.pk}"), 404)
    assert get(client, f"/tenders/{draft.pk}", token_for("purchaser")).status_code == 200
    assert get(client, f"/tenders/{draft.pk}", token_for("auditor")).status_code == 200
    # A published one is public, but still not theirs to change.
    error(post(client, f"/tenders/{live.pk}/cancel", {"reason": "x"}, other), 403, "out_of_scope")
    error(post(client, f"/tenders/{live.pk}/amend", {"summary": "改"}, other), 403, "out_of_scope")
    error(get(client, f"/tenders/{live.pk}/clarifications", other), 403, "out_of_scope")
    error(post(client, f"/tenders/{live.pk}/cancel", {"reason": "x"}), 401)
    error(
        post(client, f"/tenders/{live.pk}/cancel", {"reason": "x"}, token_for("provider")),
        403,
        "permission_denied",
    )
    live.refresh_from_db()
    assert live.status == "published"


def test_announcement_is_public(world, client):
    inviting = published_tender(world, description="为辖区独居老人提供探访服务", bid_security="0")
    resp = get(client, f"/tenders/{inviting.pk}")
    assert resp.status_code == 200
    t = resp.json()
    assert t["reference"] == inviting.reference and t["method"] == "open_tender"
    assert t["budget"] == "1000000.00" and t["bid_security"] == "0.00"
    assert t["description"] == "为辖区独居老人提供探访服务"
    assert t["scoring_sheet"]["price_points"] == "30.00"
    assert {f["id"] for f in t["scoring_sheet"]["factors"]} == {"plan", "team", "experience"}
    assert t["qualification"]["grade_policy"] == "none"
    assert t["amendments"] == [] and t["clarifications"] == [] and t["challenges"] == []
    assert t["opening"] is None and t["award_notice"] is None
    assert dt.datetime.fromisoformat(t["server_time"]) <= timezone.now()
    error(get(client, "/tenders/999999"), 404, "not_found")


def test_single_source_shows_justification(world, client):
    org = world.actor("provider").organization
    proposal = approved_proposal(world, method="single_source")
    tender = draft_tender(
        world,
        proposal=proposal,
        method="single_source",
        invited_organization=org,
        justification="该服务只能由具备专有社工资源的阳光中心提供，理由如下……",
    )
    # Drafts are the purchaser's; the published announcement shows the justification.
    from caidan.procurement.services import tender_publish, tender_update

    deadline = next_working_deadline(timezone.now() + dt.timedelta(days=10))
    tender_update(tender=tender, changes={"deadline": deadline}, actor=world.actor("purchaser"))
    tender_publish(tender=tender, actor=world.actor("purchaser"))
    t = get(client, f"/tenders/{tender.pk}").json()
    assert t["method"] == "single_source"
    assert t["invited_organization"] == {"id": org.pk, "name": org.name}
    assert t["justification"].startswith("该服务只能由")


# --- clarifications and amendments ------------------------------------------------------------------


def test_clarifications(world, client, token_for):
    tender = published_tender(world)
    provider = token_for("provider")
    purchaser = token_for("purchaser")
    error(post(client, f"/tenders/{tender.pk}/questions", {"question": "?"}), 401)
    error(
        post(client, f"/tenders/{tender.pk}/questions", {"question": "?"}, purchaser),
        403,
        "permission_denied",
    )
    error(
        post(client, f"/tenders/{tender.pk}/questions", {"question": " "}, provider),
        400,
        field="question",
    )
    resp = post(
        client, f"/tenders/{tender.pk}/questions", {"question": "服务人数是否含新增？"}, provider
    )
    assert resp.status_code == 201, resp.content
    qid = resp.json()["id"]

    # Unanswered: not public. The purchaser sees it, without the asker before opening
    # (招标投标法 §22).
    assert get(client, f"/tenders/{tender.pk}").json()["clarifications"] == []
    listed = get(client, f"/tenders/{tender.pk}/clarifications", purchaser).json()
    assert listed[0]["id"] == qid and listed[0]["asked_by"] is None
    error(get(client, f"/tenders/{tender.pk}/clarifications", provider), 403)
    error(get(client, f"/tenders/{tender.pk}/clarifications"), 401)

    error(post(client, f"/clarifications/{qid}/answer", {"answer": "含"}, provider), 403)
    error(
        post(client, f"/clarifications/{qid}/answer", {"answer": "含"}, token_for("purchaser2")),
        403,
        "out_of_scope",
    )
    error(post(client, "/clarifications/999999/answer", {"answer": "含"}, purchaser), 404)
    error(post(client, f"/clarifications/{qid}/answer", {}, purchaser), 400, field="answer")
    resp = post(client, f"/clarifications/{qid}/answer", {"answer": "含新增对象。"}, purchaser)
    assert resp.status_code == 200 and resp.json()["answered_at"]
    assert resp.json()["asked_by"] is None  # answering does not reveal the asker either
    org = world.actor("provider").organization
    error(post(client, f"/clarifications/{qid}/answer", {"answer": "再答"}, purchaser), 409)

    public = get(client, f"/tenders/{tender.pk}")
    assert public.json()["clarifications"] == [
        {
            "id": qid,
            "question": "服务人数是否含新增？",
            "answer": "含新增对象。",
            "answered_at": public.json()["clarifications"][0]["answered_at"],
        }
    ]
    assert org.name not in public.content.decode()  # the asker is never published


def test_amend_and_cancel(world, client, token_for):
    tender = published_tender(world, days=10)  # close enough that an amendment pushes it
    headers = token_for("purchaser")
    old = tender.deadline
    error(
        post(client, f"/tenders/{tender.pk}/amend", {"summary": ""}, headers), 400, field="summary"
    )
    error(
        post(
            client,
            f"/tenders/{tender.pk}/amend",
            {"summary": "改", "new_deadline": (old - dt.timedelta(days=1)).isoformat()},
            headers,
        ),
        400,
        field="new_deadline",
    )
    resp = post(
        client, f"/tenders/{tender.pk}/amend", {"summary": "服务人数调整为 300 人"}, headers
    )
    assert resp.status_code == 201, resp.content
    a = resp.json()
    assert dt.datetime.fromisoformat(a["old_deadline"]) == old
    assert dt.datetime.fromisoformat(a["new_deadline"]) > old  # pushed (≥ 15 days)
    t = get(client, f"/tenders/{tender.pk}").json()
    assert t["amendments"][0]["summary"] == "服务人数调整为 300 人"
    assert dt.datetime.fromisoformat(t["deadline"]) == dt.datetime.fromisoformat(a["new_deadline"])

    error(post(client, f"/tenders/{tender.pk}/cancel", {}, headers), 400, field="reason")
    resp = post(client, f"/tenders/{tender.pk}/cancel", {"reason": "预算调整"}, headers)
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert resp.json()["cancelled_reason"] == "预算调整"
    error(
        post(client, f"/tenders/{tender.pk}/amend", {"summary": "x"}, headers), 409, "not_published"
    )


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


# --- the expert pool -------------------------------------------------------------------------------


def test_expert_pool(world, client, token_for):
    from caidan.accounts.services import membership_grant, user_create

    admin = token_for("admin")
    expert_pool(world, 3)
    login = user_create(
        username="new-expert",
        password="x",
        display_name="李专家",
        actor=world.system,
        validate_password=False,
    )
    membership_grant(user=login, role=Role.EXPERT, actor=world.system)
    error(get(client, "/experts", token_for("purchaser")), 403, "permission_denied")
    error(get(client, "/experts"), 401)
    error(
        post(client, "/experts", {"name": "x", "specialties": ["elderly"]}, token_for("expert")),
        403,
    )
    error(
        post(client, "/experts", {"name": "李专家", "specialties": ["cooking"]}, admin),
        400,
        field="specialties",
    )
    error(
        post(
            client,
            "/experts",
            {"name": "李专家", "specialties": ["elderly"], "user_id": world.user("resident").pk},
            admin,
        ),
        400,
        field="user_id",
    )
    error(
        post(
            client,
            "/experts",
            {"name": "李专家", "specialties": ["elderly"], "employer_unit_id": 999999},
            admin,
        ),
        400,
        field="employer_unit_id",
    )
    resp = post(
        client,
        "/experts",
        {
            "name": "李专家",
            "specialties": ["elderly", "disability"],
            "title": "教授",
            "employer_unit_id": world.unit("310105-002").pk,
            "user_id": login.pk,
        },
        admin,
    )
    assert resp.status_code == 201, resp.content
    expert = resp.json()
    assert expert["specialties"] == ["disability", "elderly"] and expert["ties"] == []
    assert expert["user_id"] == login.pk

    org = world.actor("provider").organization
    ties = f"/experts/{expert['id']}/ties"
    error(
        post(client, ties, {"organization_id": org.pk, "kind": "friend"}, admin), 400, field="kind"
    )
    error(
        post(client, ties, {"organization_id": 999999, "kind": "employee"}, admin),
        400,
        field="organization_id",
    )
    error(
        post(
            client,
            ties,
            {
                "organization_id": org.pk,
                "kind": "employee",
                "started_on": "2024-01-01",
                "ended_on": "2023-01-01",
            },
            admin,
        ),
        400,
        field="ended_on",
    )
    error(
        post(client, ties, {"organization_id": org.pk, "kind": "employee"}, token_for("purchaser")),
        403,
    )
    error(
        post(
            client, "/experts/999999/ties", {"organization_id": org.pk, "kind": "employee"}, admin
        ),
        404,
    )
    resp = post(
        client,
        ties,
        {"organization_id": org.pk, "kind": "employee", "started_on": "2022-03-01"},
        admin,
    )
    assert resp.status_code == 201 and resp.json()["organization"]["name"] == org.name

    ids, cursor = [], ""
    while True:
        page = get(client, f"/experts?limit=2&cursor={cursor}", admin).json()
        assert len(page["items"]) <= 2
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == list(Expert.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) >= 4
    found = get(client, "/experts?q=李专家", admin).json()["items"]
    assert [e["id"] for e in found] == [expert["id"]]
    assert found[0]["ties"][0]["kind"] == "employee"


# --- the panel and scores ----------------------------------------------------------------------------


def _drawn(world, client, token_for, *, pool=8):
    tender = opened_tender(world)
    assert tender.status == "evaluating"
    experts = expert_pool(world, pool)
    # Nobody picks the seed: one in the request is refused, naming the field.
    refused = post(
        client, f"/tenders/{tender.pk}/draw", {"seed": "公开种子-1"}, token_for("purchaser")
    )
    assert refused.status_code in (400, 422), refused.content
    assert refused.json()["detail"]["field"] == "seed"
    assert not tender.draws.exists()
    resp = post(client, f"/tenders/{tender.pk}/draw", {}, token_for("purchaser"))
    assert resp.status_code == 201, resp.content
    # Every expert in the pool (the demo's too) with a login, by expert id.
    everyone = {e.pk: e for e in Expert.objects.filter(user__isnull=False).select_related("user")}
    assert {e.pk for e in experts} <= set(everyone)
    heads = {pk: bearer(e.user, Role.EXPERT) for pk, e in everyone.items()}
    return tender, resp.json(), everyone, heads


def test_draw_and_panel_refusals(world, client, token_for):
    tender, panel, experts, heads = _drawn(world, client, token_for)
    draw = panel["draws"][0]
    # The seed stays secret until the award notice; its commitment was public at publication.
    tender.refresh_from_db()
    assert draw["seed"] is None and draw["verified"] is True
    assert panel["commitment"] == tender.draw_commitment != ""
    assert draw["size"] == 5 and draw["reserves"] == 2 and len(draw["drawn"]) == 7
    members = panel["members"]
    assert [m["status"] for m in members] == ["drawn"] * 5 + ["reserve"] * 2
    assert [m["expert_id"] for m in members] == draw["drawn"]

    error(
        post(client, f"/tenders/{tender.pk}/draw", {}, token_for("purchaser")), 409, "already_drawn"
    )
    error(
        post(client, f"/tenders/{tender.pk}/draw", {}, token_for("purchaser2")), 403, "out_of_scope"
    )
    error(post(client, f"/tenders/{tender.pk}/draw", {}, token_for("provider")), 403)
    error(post(client, f"/tenders/{tender.pk}/draw", {}), 401)
    fresh = published_tender(world)
    error(post(client, f"/tenders/{fresh.pk}/draw", {}, token_for("purchaser")), 409, "bad_status")

    assert get(client, f"/tenders/{tender.pk}/panel", token_for("auditor")).status_code == 200
    error(get(client, f"/tenders/{tender.pk}/panel", token_for("provider")), 403)
    error(get(client, f"/tenders/{tender.pk}/panel", token_for("purchaser2")), 403, "out_of_scope")
    # The panel stays unnamed in public until the award.
    public = get(client, f"/tenders/{tender.pk}").content.decode()
    assert all(experts[pk].name not in public for pk in draw["drawn"])

    seated, other = members[0], members[1]
    outsider = next(pk for pk in experts if pk not in draw["drawn"])
    sheet = f"/panel/{seated['id']}/sheet"
    error(get(client, sheet, heads[outsider]), 403, "out_of_scope")
    error(get(client, sheet, heads[other["expert_id"]]), 403, "not_own_seat")
    error(get(client, sheet, token_for("purchaser")), 403, "permission_denied")
    error(get(client, sheet), 401)
    error(get(client, "/panel/999999/sheet", heads[seated["expert_id"]]), 404)
    error(
        post(
            client,
            f"/panel/{seated['id']}/declare",
            {"no_conflict": True},
            heads[other["expert_id"]],
        ),
        403,
        "not_own_seat",
    )
    error(get(client, "/my/panels", token_for("provider")), 403)

    # The purchaser records a recusal; the first reserve takes the seat.
    error(
        post(
            client,
            f"/panel/{seated['id']}/recuse",
            {"reason": "投标人申请回避"},
            token_for("purchaser2"),
        ),
        403,
    )
    error(
        post(client, f"/panel/{seated['id']}/recuse", {}, token_for("purchaser")),
        400,
        field="reason",
    )
    resp = post(
        client,
        f"/panel/{seated['id']}/recuse",
        {"reason": "投标人申请回避，经核实成立"},
        token_for("purchaser"),
    )
    assert resp.status_code == 200 and resp.json()["status"] == "recused"
    assert resp.json()["replaced_by_id"] == members[5]["id"]
    error(get(client, sheet, heads[seated["expert_id"]]), 403)  # no longer on the panel
    after = get(client, f"/tenders/{tender.pk}/panel", token_for("purchaser")).json()["members"]
    assert after[5]["status"] == "drawn"


def test_declare_score_submit_correct(world, client, token_for):
    tender, panel, experts, heads = _drawn(world, client, token_for)
    seated = [m for m in panel["members"] if m["status"] == "drawn"]
    first = seated[0]
    me = heads[first["expert_id"]]

    mine = get(client, "/my/panels", me).json()["items"]
    assert [(p["member_id"], p["tender"]["id"], p["status"]) for p in mine] == [
        (first["id"], tender.pk, "drawn")
    ]

    # Before declaring: bidder names (to declare conflicts), but no content.
    sheet = get(client, f"/panel/{first['id']}/sheet", me).json()
    assert len(sheet["bids"]) == 3
    assert all(b["price"] is None and b["plan"] is None for b in sheet["bids"])
    assert all(b["organization_name"] for b in sheet["bids"])
    error(
        call(client, "PUT", f"/panel/{first['id']}/sheet", {"scores": {}}, me), 409, "not_declared"
    )

    scores = {}
    for m in seated:
        h = heads[m["expert_id"]]
        resp = post(client, f"/panel/{m['id']}/declare", {"no_conflict": True}, h)
        assert resp.status_code == 200 and resp.json()["status"] == "active", resp.content
    error(post(client, f"/panel/{first['id']}/declare", {"no_conflict": True}, me), 409)

    sheet = get(client, f"/panel/{first['id']}/sheet", me).json()
    assert sorted(b["price"] for b in sheet["bids"]) == ["1000000.00", "800000.00", "900000.00"]
    assert all(b["plan"].endswith("的服务方案") for b in sheet["bids"])
    bid_ids = [str(b["bid_id"]) for b in sheet["bids"]]
    scores = {b: {"plan": 35, "team": "18.5", "experience": 8} for b in bid_ids}

    put = f"/panel/{first['id']}/sheet"
    bad = {**scores, bid_ids[0]: {**scores[bid_ids[0]], "plan": 35.5}}
    error(call(client, "PUT", put, {"scores": bad}, me), 400, field=f"scores.{bid_ids[0]}.plan")
    over = {**scores, bid_ids[0]: {**scores[bid_ids[0]], "plan": 41}}
    error(call(client, "PUT", put, {"scores": over}, me), 400, field=f"scores.{bid_ids[0]}.plan")
    partial = {bid_ids[0]: scores[bid_ids[0]]}
    resp = call(client, "PUT", put, {"scores": partial}, me)
    assert resp.status_code == 200 and resp.json()["scores"][bid_ids[0]]["team"] == "18.50"
    error(post(client, f"/panel/{first['id']}/sheet/submit", headers=me), 400, "incomplete")
    error(call(client, "PUT", put, {"scores": scores}, heads[seated[1]["expert_id"]]), 403)

    for i, m in enumerate(seated):
        h = heads[m["expert_id"]]
        assert (
            call(client, "PUT", f"/panel/{m['id']}/sheet", {"scores": scores}, h).status_code == 200
        )
        resp = post(client, f"/panel/{m['id']}/sheet/submit", headers=h)
        assert resp.status_code == 200 and resp.json()["submitted_at"], resp.content
        if i == 0:
            error(
                post(client, f"/panel/{m['id']}/sheet/submit", headers=h), 409, "already_submitted"
            )
            error(call(client, "PUT", put, {"scores": scores}, h), 409, "already_submitted")
        if i == len(seated) - 2:
            # Four of five have submitted: each still sees only its own sheet.
            assert get(client, f"/panel/{first['id']}/sheet", me).json()["sheets"] == []
            tender.refresh_from_db()
            assert tender.status == "evaluating"

    tender.refresh_from_db()
    assert tender.status == "evaluated"
    sheet = get(client, f"/panel/{first['id']}/sheet", me).json()
    assert len(sheet["sheets"]) == 4  # the whole committee has submitted: all sheets visible

    corr = f"/panel/{first['id']}/corrections"
    base = {"bid_id": int(bid_ids[0]), "factor": "plan", "new_value": "30", "note": "汇总有误"}
    error(post(client, corr, {**base, "reason": "changed_mind"}, me), 400, field="reason")
    error(
        post(client, corr, {**base, "reason": "sum_error", "bid_id": 999999}, me),
        400,
        field="bid_id",
    )
    error(
        post(client, corr, {**base, "reason": "sum_error"}, heads[seated[1]["expert_id"]]),
        403,
        "not_own_seat",
    )
    resp = post(client, corr, {**base, "reason": "sum_error"}, me)
    assert resp.status_code == 201, resp.content
    c = resp.json()
    assert (c["old_value"], c["new_value"], c["reason"]) == ("35.00", "30.00", "sum_error")
    sheet = get(client, f"/panel/{first['id']}/sheet", me).json()
    assert sheet["scores"][bid_ids[0]]["plan"] == "30.00"
    assert [x["id"] for x in sheet["corrections"]] == [c["id"]]

    # Award, then the experts' names are published with the notice.
    resp = post(client, f"/tenders/{tender.pk}/award", {}, token_for("purchaser"))
    assert resp.status_code == 201, resp.content
    notice = get(client, f"/tenders/{tender.pk}").json()["award_notice"]
    names = {experts[m["expert_id"]].name for m in seated}
    assert {e["name"] for e in notice["experts"]} == names
    data = get(client, f"/tenders/{tender.pk}/evaluation.json").json()
    assert data["method"] == "comprehensive" and len(data["scores"]) == 5
    error(
        post(client, corr, {**base, "reason": "sum_error", "new_value": "31"}, me),
        409,
        "bad_status",
    )


def test_my_panels_paginates(world, client, token_for):
    tender, panel, experts, heads = _drawn(world, client, token_for, pool=7)
    me = heads[panel["members"][0]["expert_id"]]
    page = get(client, "/my/panels?limit=1", me).json()
    assert page["limit"] == 1 and len(page["items"]) == 1 and page["next_cursor"] is None
    error(get(client, "/my/panels?limit=500", me), 400, field="limit")


# --- voiding a conflicted expert's scores (财库〔2016〕198号) ---------------------------------------


def _scored(world, client, token_for):
    """``_drawn`` with the whole committee declared and submitted: the tender is evaluated
    (with a result). Member i gives every bid ``35 - i`` for the plan."""
    tender, panel, experts, heads = _drawn(world, client, token_for)
    seated = [m for m in panel["members"] if m["status"] == "drawn"]
    bid_ids = [str(b.pk) for b in Bid.objects.filter(tender=tender, status="valid")]
    for i, m in enumerate(seated):
        h = heads[m["expert_id"]]
        assert (
            post(client, f"/panel/{m['id']}/declare", {"no_conflict": True}, h).status_code == 200
        )
        scores = {b: {"plan": 35 - i, "team": 18, "experience": 8} for b in bid_ids}
        put = call(client, "PUT", f"/panel/{m['id']}/sheet", {"scores": scores}, h)
        assert put.status_code == 200, put.content
        assert post(client, f"/panel/{m['id']}/sheet/submit", headers=h).status_code == 200
    tender.refresh_from_db()
    assert tender.status == "evaluated" and tender.result is not None
    return tender, panel, heads, bid_ids


def test_void_a_conflicted_experts_scores(world, client, token_for):
    from caidan.audit.models import AuditEvent
    from caidan.procurement.models import PanelMember, ScoreSheet

    tender, panel, heads, bid_ids = _scored(world, client, token_for)
    members = panel["members"]
    first, reserve = members[0], members[5]
    void = f"/panel/{first['id']}/void"
    reason = {"reason": "经核实，该专家近三年曾在投标人处任职，应当回避而未回避"}

    error(post(client, void, reason), 401)
    error(post(client, void, reason, heads[first["expert_id"]]), 403, "permission_denied")
    error(post(client, void, reason, token_for("admin")), 403, "permission_denied")
    error(post(client, void, reason, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, "/panel/999999/void", reason, token_for("purchaser")), 404)
    error(post(client, void, {"reason": "  "}, token_for("purchaser")), 400, field="reason")
    # A reserve never scored: recusal, not voiding.
    error(
        post(client, f"/panel/{reserve['id']}/void", reason, token_for("purchaser")),
        409,
        "not_scored",
    )
    assert ScoreSheet.objects.filter(tender=tender, voided=True).count() == 0

    resp = post(client, void, reason, token_for("purchaser"))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "voided" and body["replaced_by_id"] == reserve["id"]
    assert body["recusal_reason"] == reason["reason"]
    assert ScoreSheet.objects.get(member_id=first["id"]).voided is True
    tender.refresh_from_db()
    assert tender.status == "evaluated" and tender.result is None  # no longer final
    assert not Bid.objects.filter(tender=tender, rank__isnull=False).exists()
    event = AuditEvent.objects.get(kind="panel.voided")
    assert event.note == reason["reason"] and event.new["member"] == first["id"]
    error(post(client, void, reason, token_for("purchaser")), 409, "not_scored")  # done once
    error(post(client, f"/tenders/{tender.pk}/award", {}, token_for("purchaser")), 409)

    # The reserve takes the seat, declares and scores; the result is computed again
    # without the voided sheet.
    after = get(client, f"/tenders/{tender.pk}/panel", token_for("purchaser")).json()["members"]
    assert [m["status"] for m in after][:6] == ["voided"] + ["active"] * 4 + ["drawn"]
    h = heads[reserve["expert_id"]]
    assert (
        post(client, f"/panel/{reserve['id']}/declare", {"no_conflict": True}, h).status_code == 200
    )
    scores = {b: {"plan": 20, "team": 10, "experience": 5} for b in bid_ids}
    assert (
        call(client, "PUT", f"/panel/{reserve['id']}/sheet", {"scores": scores}, h).status_code
        == 200
    )
    assert post(client, f"/panel/{reserve['id']}/sheet/submit", headers=h).status_code == 200
    tender.refresh_from_db()
    assert tender.result is not None
    assert Bid.objects.filter(tender=tender, rank__isnull=False).count() == 3
    counted = PanelMember.objects.filter(tender=tender, status="active").values_list(
        "pk", flat=True
    )
    assert first["id"] not in counted and reserve["id"] in counted

    # After the award nothing can be voided any more.
    assert (
        post(client, f"/tenders/{tender.pk}/award", {}, token_for("purchaser")).status_code == 201
    )
    second = f"/panel/{after[1]['id']}/void"
    error(post(client, second, reason, token_for("purchaser")), 409, "bad_status")


# --- expert pool maintenance -----------------------------------------------------------------------


def test_expert_update_and_deactivate(world, client, token_for):
    from caidan.audit.models import AuditEvent

    admin = token_for("admin")
    expert = expert_pool(world, 1)[0]
    url = f"/experts/{expert.pk}"

    error(call(client, "PATCH", url, {"title": "教授"}), 401)
    error(call(client, "PATCH", url, {"title": "教授"}, token_for("purchaser")), 403)
    error(call(client, "PATCH", url, {"title": "教授"}, token_for("expert")), 403)
    error(call(client, "PATCH", "/experts/999999", {"title": "教授"}, admin), 404)
    error(call(client, "PATCH", url, {"specialties": ["cooking"]}, admin), 400, field="specialties")
    error(call(client, "PATCH", url, {"specialties": []}, admin), 400, field="specialties")
    error(call(client, "PATCH", url, {"name": None}, admin), 400, field="name")
    error(call(client, "PATCH", url, {"name": "  "}, admin), 400, field="name")
    error(
        call(client, "PATCH", url, {"employer_unit_id": 999999}, admin),
        400,
        field="employer_unit_id",
    )
    error(
        call(client, "PATCH", url, {"user_id": world.user("resident").pk}, admin),
        400,
        field="user_id",
    )
    expert.refresh_from_db()
    assert expert.title == "高级社工师" and expert.specialties == ["elderly"]

    unit = world.unit("310105-002")
    resp = call(
        client,
        "PATCH",
        url,
        {
            "title": "教授",
            "specialties": ["elderly", "disability"],
            "employer_name": "某社会工作学院",
            "employer_unit_id": unit.pk,
        },
        admin,
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["title"] == "教授" and body["specialties"] == ["disability", "elderly"]
    assert body["employer_unit_id"] == unit.pk and body["employer_name"] == "某社会工作学院"
    assert body["name"] == expert.name  # omitted: unchanged
    event = AuditEvent.objects.filter(kind="expert.updated").latest("seq")
    assert event.old == {
        "title": "高级社工师",
        "specialties": ["elderly"],
        "employer_name": "",
        "employer_unit": None,
    }
    resp = call(client, "PATCH", url, {"employer_unit_id": None}, admin)
    assert resp.status_code == 200 and resp.json()["employer_unit_id"] is None

    deactivate = f"/experts/{expert.pk}/deactivate"
    error(post(client, deactivate), 401)
    error(post(client, deactivate, headers=token_for("purchaser")), 403)
    error(post(client, deactivate, headers=token_for("auditor")), 403)
    error(post(client, "/experts/999999/deactivate", headers=admin), 404)
    resp = post(client, deactivate, headers=admin)
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    expert.refresh_from_db()
    assert expert.is_active is False
    error(post(client, deactivate, headers=admin), 409, "already_inactive")
    inactive = get(client, "/experts?active=false", admin).json()["items"]
    assert expert.pk in [e["id"] for e in inactive]
    active = get(client, "/experts?active=true&limit=100", admin).json()["items"]
    assert expert.pk not in [e["id"] for e in active]
    resp = call(client, "PATCH", url, {"is_active": True}, admin)  # back in the pool
    assert resp.status_code == 200 and resp.json()["is_active"] is True


# --- tender documents -----------------------------------------------------------------------------


PDF = b"%PDF-1.4\n%test\n"


def _upload(client, tender_id, headers=None, *, name="招标文件.pdf", content=PDF, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = dict(data)
    if content is not None:
        payload["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"{API}/tenders/{tender_id}/documents", payload, **(headers or {}))


def test_tender_documents(world, client, token_for):
    from caidan.procurement.models import Amendment

    purchaser = token_for("purchaser")
    draft = draft_tender(world)
    resp = _upload(client, draft.pk, purchaser, description="招标文件正文")
    assert resp.status_code == 201, resp.content
    doc = resp.json()
    assert doc["name"] == "招标文件.pdf" and doc["description"] == "招标文件正文"
    assert doc["url"] == f"/documents/{doc['id']}/download/"
    assert not Amendment.objects.filter(tender=draft).exists()  # a draft: simply attached
    detail = get(client, f"/tenders/{draft.pk}", purchaser).json()
    assert [d["id"] for d in detail["documents"]] == [doc["id"]]
    error(get(client, f"/tenders/{draft.pk}"), 404)  # the draft itself is not public
    error(_upload(client, draft.pk, token_for("provider")), 404)

    tender = published_tender(world)
    old_deadline = tender.deadline
    assert get(client, f"/tenders/{tender.pk}").json()["documents"] == []
    error(_upload(client, tender.pk), 401)
    error(_upload(client, tender.pk, token_for("provider")), 403, "permission_denied")
    error(_upload(client, tender.pk, token_for("admin")), 403, "permission_denied")
    error(_upload(client, tender.pk, token_for("purchaser2")), 403, "out_of_scope")
    error(_upload(client, tender.pk, purchaser, content=None), 400, field="file")
    error(
        _upload(client, tender.pk, purchaser, name="x.exe", content=b"MZ\x90\x00"),
        400,
        field="file",
    )
    error(_upload(client, 999999, purchaser), 404)
    assert not Amendment.objects.filter(tender=tender).exists()

    resp = _upload(client, tender.pk, purchaser, name="补充说明.pdf", description="服务标准")
    assert resp.status_code == 201, resp.content
    added = resp.json()
    amendment = Amendment.objects.get(tender=tender)  # published: an amendment
    assert "补充说明.pdf" in amendment.summary and "服务标准" in amendment.summary
    tender.refresh_from_db()
    assert tender.deadline == old_deadline  # 25 days ahead: not late

    public = get(client, f"/tenders/{tender.pk}").json()  # anonymous
    assert public["documents"] == [
        {
            "id": added["id"],
            "name": "补充说明.pdf",
            "size": added["size"],
            "content_type": "application/pdf",
            "description": "服务标准",
            "uploaded_at": added["uploaded_at"],
            "url": f"/documents/{added['id']}/download/",
        }
    ]
    assert [a["id"] for a in public["amendments"]] == [amendment.pk]
    download = client.get(public["documents"][0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    closed = past_deadline_tender(world)
    error(_upload(client, closed.pk, purchaser), 409, "deadline_passed")
