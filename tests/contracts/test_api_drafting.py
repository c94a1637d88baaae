"""The contracts API over HTTP (``/api/v1/contracts``): the public list; drafting, editing,
signing and cancelling; amendments, termination and renewal — each endpoint's happy path and
its main refusals: 401 without credentials, 403 for the wrong role or scope, 404 for what the
caller may not know exists (drafts), 400 naming the field, 409 for the wrong lifecycle step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caidan.contracts.models import PUBLIC_STATUSES, Contract

from .api_helpers import API, error, get, ok, post
from .factories import award_for, draft_contract, signed_contract

pytestmark = pytest.mark.django_db


# --- the public list ----------------------------------------------------------------------------


def test_list_keyset_pagination_and_constant_queries(
    world, client, token_for, django_assert_max_num_queries
):
    signed = signed_contract(world)
    for _ in range(6):  # seven signed contracts in all, each from its own tender
        signed_contract(world)
    draft_id = draft_contract(world).pk
    public_ids = list(
        Contract.objects.filter(status__in=PUBLIC_STATUSES)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert len(public_ids) >= 7 and draft_id not in public_ids

    seen, cursor, pages = [], None, 0
    while True:
        page = ok(get(client, "?limit=3" + (f"&cursor={cursor}" if cursor else "")))
        pages += 1
        assert page["limit"] == 3 and len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == public_ids  # newest first, no gaps, no repeats, no draft
    assert pages == -(-len(public_ids) // 3)

    counts = {}
    for limit in (2, 7):
        with CaptureQueriesContext(connection) as ctx:
            items = ok(get(client, f"?limit={limit}"))["items"]
        assert len(items) == limit
        counts[limit] = len(ctx.captured_queries)
    assert counts[2] == counts[7]
    with django_assert_max_num_queries(1):
        first = ok(get(client, "?limit=7"))["items"][-1]
    assert first["amount"] == "800000.00" and first["status"] == "active"
    assert first["unit"]["name"] == "江苏路街道"
    assert first["organization"]["name"] == "阳光家庭综合服务中心"
    assert first["tender"]["reference"] == signed.tender.reference

    # The purchaser also sees its draft; another street does not; filters and bad input.
    mine = ok(get(client, "?status=draft", token_for("purchaser")))["items"]
    assert [c["id"] for c in mine] == [draft_id]
    assert ok(get(client, "?status=draft", token_for("purchaser2")))["items"] == []
    assert ok(get(client, "?status=draft"))["items"] == []
    found = ok(get(client, f"?search={signed.reference}"))["items"]
    assert [c["id"] for c in found] == [signed.pk]
    error(get(client, "?status=bogus"), 400, field="status")
    error(get(client, "?cursor=bm9wZQ"), 400, field="cursor")
    error(get(client, "?limit=0"), 400, field="limit")


# --- drafting, editing, signing -----------------------------------------------------------------


def test_create_edit_and_sign(world, client, token_for):
    purchaser, provider = token_for("purchaser"), token_for("provider")
    award = award_for(world)
    body = {"award_id": award.pk, "quantity": "探访 2400 人次", "performance_security": "80000.00"}

    error(post(client, "", body), 401, "not_authenticated")
    error(post(client, "", body, provider), 403, "permission_denied")
    error(post(client, "", body, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, "", {**body, "award_id": 999999}, purchaser), 400, field="award_id")
    error(
        post(client, "", {**body, "performance_security": "80000.01"}, purchaser),
        400,
        field="performance_security",
    )
    error(post(client, "", {**body, "amount": 800000}, purchaser), 400, field="amount")
    error(post(client, "", {**body, "period_start": "soon"}, purchaser), 400, field="period_start")
    error(
        post(client, "", {**body, "payment_split": [60, 30, 10]}, purchaser),
        400,
        field="payment_split",
    )
    assert not Contract.objects.filter(award=award).exists()

    c = ok(post(client, "", body, purchaser), 201)
    assert c["status"] == "draft" and c["reference"].startswith("HT-")
    assert c["amount"] == "800000.00" and c["performance_security"] == "80000.00"
    assert c["quantity"] == "探访 2400 人次" and c["award_id"] == award.pk
    assert [i["amount"] for i in c["instalments"]] == ["400000.00", "280000.00", "120000.00"]
    assert [i["gate"] for i in c["instalments"]] == ["signature", "midterm", "final"]
    assert c["reports"] == [] and c["amendments"] == []
    assert c["my_side"] == "purchaser" and c["signing"]["blockers"] == []
    assert c["pdf_url"] == f"{API}/{c['id']}/pdf"
    error(post(client, "", body, purchaser), 409, "contract_exists")
    cid = c["id"]

    # A draft is for the two parties, the admin and auditors; 404 for everyone else.
    for who in (None, "hub", "purchaser2", "resident"):
        error(get(client, f"/{cid}", token_for(who) if who else None), 404)
    seen = ok(get(client, f"/{cid}", token_for("auditor")))
    assert seen["my_side"] is None and seen["signing"]["blockers"] is None
    assert ok(get(client, f"/{cid}", provider))["my_side"] == "provider"

    # Editing the draft.
    edit = client.patch(
        f"{API}/{cid}", data={"quantity": "探访 3000 人次"}, content_type="application/json"
    )
    error(edit, 401)
    patch = lambda data, h: client.patch(  # noqa: E731
        f"{API}/{cid}", data=data, content_type="application/json", **h
    )
    error(patch({"quantity": "x"}, provider), 403, "permission_denied")
    error(patch({"quantity": "x"}, token_for("purchaser2")), 404)
    error(patch({"amount": None}, purchaser), 400, field="amount")
    error(patch({"amount": "800000.01"}, purchaser), 400, field="amount")  # over the award
    # A lower sum lowers the cap on the performance security (10 %) too.
    error(patch({"amount": "700000.00"}, purchaser), 400, field="performance_security")
    c = ok(
        patch(
            {
                "quantity": "探访 3000 人次",
                "amount": "700000.00",
                "performance_security": "70000.00",
            },
            purchaser,
        )
    )
    assert c["quantity"] == "探访 3000 人次" and c["amount"] == "700000.00"
    assert [i["amount"] for i in c["instalments"]] == ["350000.00", "245000.00", "105000.00"]

    # Signing: each party once; then it is in force and public.
    error(post(client, f"/{cid}/sign"), 401)
    error(post(client, f"/{cid}/sign", None, token_for("hub")), 404)
    error(post(client, f"/{cid}/sign", None, token_for("admin")), 403, "permission_denied")
    c = ok(post(client, f"/{cid}/sign", None, purchaser))
    assert c["status"] == "draft" and c["signing"]["purchaser_signed_at"]
    assert c["signing"]["purchaser_signed_by"] == world.user("purchaser").get_full_name()
    error(post(client, f"/{cid}/sign", None, purchaser), 409, "already_signed")
    c = ok(post(client, f"/{cid}/sign", None, provider))
    assert c["status"] == "active" and c["signing"]["signed_at"] and c["published_at"]
    assert c["instalments"][0]["gate_open"] and not c["instalments"][1]["gate_open"]
    assert {r["kind"] for r in c["reports"]} >= {"progress", "midterm", "final"}
    error(patch({"quantity": "y"}, purchaser), 409, "not_draft")
    error(post(client, f"/{cid}/sign", None, provider), 409, "not_draft")

    public = ok(get(client, f"/{cid}"))  # anonymous
    assert public["status"] == "active" and public["my_side"] is None
    assert (
        public["signing"]["purchaser_signed_at"]
        and public["signing"]["purchaser_signed_by"] is None
    )
    assert public["signing"]["provider_signed_by"] is None and public["signing"]["blockers"] is None
    assert ok(get(client, f"/{cid}", token_for("hub")))["signing"]["provider_signed_by"] is None
    error(get(client, "/999999"), 404)


def test_no_contract_while_a_challenge_is_unanswered(world, client, token_for):
    """A challenge filed at the last instant of the window holds the contract step until it
    is answered (政府采购法 §53, 实施条例 §54): the API refuses to draft, naming the rule."""
    from caidan.accounts.actor import Actor
    from caidan.procurement.models import Bid
    from caidan.procurement.services import challenge_answer, challenge_file

    award = award_for(world)
    loser = Bid.objects.filter(tender=award.tender, rank=2).select_related("organization").get()
    member = loser.organization.memberships.first()
    challenge = challenge_file(
        award=award,
        organization=loser.organization,
        grounds="价格异常",
        actor=Actor(user=member.user, membership=member),
        now=award.challenge_deadline,
    )
    purchaser = token_for("purchaser")
    body = error(post(client, "", {"award_id": award.pk}, purchaser), 409, "signing_blocked")
    reasons = body["detail"]["reasons"]
    assert len(reasons) == 1 and "§54" in reasons[0] and "尚未答复" in reasons[0]
    assert not award.contracts.exists()
    challenge_answer(
        challenge=challenge, answer="报价经核实合理。", upheld=False, actor=world.actor("purchaser")
    )
    c = ok(post(client, "", {"award_id": award.pk}, purchaser), 201)
    assert c["signing"]["blockers"] == []
    assert ok(post(client, f"/{c['id']}/sign", None, purchaser))["signing"]["purchaser_signed_at"]


def test_cancel_a_draft(world, client, token_for):
    purchaser = token_for("purchaser")
    c = draft_contract(world)
    error(post(client, f"/{c.pk}/cancel", {"reason": "中标人放弃"}, token_for("provider")), 403)
    error(post(client, f"/{c.pk}/cancel", {"reason": " "}, purchaser), 400, field="reason")
    body = ok(post(client, f"/{c.pk}/cancel", {"reason": "中标人放弃"}, purchaser))
    assert body["status"] == "cancelled" and body["termination_reason"] == "中标人放弃"
    error(post(client, f"/{c.pk}/cancel", {"reason": "再次"}, purchaser), 409, "bad_transition")
    error(get(client, f"/{c.pk}"), 404)  # a cancelled draft was never public
    # The award may have a new contract now.
    assert ok(post(client, "", {"award_id": c.award_id}, purchaser), 201)["status"] == "draft"


# --- amendments, termination, renewal --------------------------------------------------------------


def test_amend_then_terminate(world, client, token_for):
    purchaser = token_for("purchaser")
    c = signed_contract(world)
    url = f"/{c.pk}/amend"
    change = {"changes": {"amount": "700000.01"}, "rationale": "服务对象减少，相应核减服务费"}
    error(post(client, url, change), 401)
    error(post(client, url, change, token_for("provider")), 403, "permission_denied")
    error(post(client, url, change, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, url, {**change, "rationale": ""}, purchaser), 400, field="rationale")
    error(post(client, url, {"changes": {}, "rationale": "r"}, purchaser), 400, field="changes")
    error(
        post(
            client,
            url,
            {"changes": {"performance_security": "80000.01"}, "rationale": "r"},
            purchaser,
        ),
        400,
        field="changes.performance_security",
    )
    error(
        post(client, url, {"changes": {"amount": 7}, "rationale": "r"}, purchaser),
        400,
        field="changes.amount",
    )
    a = ok(post(client, url, change, purchaser), 201)
    assert a["version"] == 2 and a["changes"] == {"amount": ["800000.00", "700000.01"]}
    detail = ok(get(client, f"/{c.pk}"))
    assert detail["version"] == 2 and detail["amount"] == "700000.01"
    assert [x["version"] for x in detail["amendments"]] == [2]
    assert detail["amendments"][0]["rationale"] == "服务对象减少，相应核减服务费"
    total = sum(int(i["amount"].replace(".", "")) for i in detail["instalments"])
    assert total == 70000001  # to the fen

    url = f"/{c.pk}/terminate"
    end = {"kind": "breach", "reason": "连续两月未提供服务", "settlement": "按实际服务量结算"}
    error(post(client, url, end, token_for("provider")), 403)
    error(post(client, url, {**end, "kind": "whim"}, purchaser), 400, field="kind")
    error(post(client, url, {**end, "settlement": ""}, purchaser), 400, field="settlement")
    body = ok(post(client, url, end, purchaser))
    assert body["status"] == "terminated" and body["termination_kind"] == "breach"
    public = ok(get(client, f"/{c.pk}"))
    assert public["termination_reason"] == "连续两月未提供服务" and public["ended_at"]
    error(post(client, url, end, purchaser), 409, "bad_transition")
    error(post(client, f"/{c.pk}/amend", change, purchaser), 409, "not_active")


def test_renew_a_stable_service(world, client, token_for):
    purchaser = token_for("purchaser")
    c = signed_contract(world)
    error(post(client, f"/{c.pk}/renew", None, purchaser), 409, "no_intent")
    intent = {"changes": {"renewal_intent": True, "renewal_years": 2}, "rationale": "需求稳定"}
    ok(post(client, f"/{c.pk}/amend", intent, purchaser), 201)
    error(post(client, f"/{c.pk}/renew", None, token_for("provider")), 403)
    new = ok(post(client, f"/{c.pk}/renew", None, purchaser), 201)
    assert new["renews_id"] == c.pk and new["year_index"] == 2 and new["status"] == "draft"
    assert new["period_start"] == c.period_start.replace(year=c.period_start.year + 1).isoformat()
    error(post(client, f"/{c.pk}/renew", None, purchaser), 409, "contract_exists")
