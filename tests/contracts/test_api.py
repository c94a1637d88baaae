"""The contracts API over HTTP (``/api/v1/contracts``): every endpoint's happy path and its
main refusals — 401 without credentials, 403 for the wrong role or scope, 404 for what the
caller may not know exists (drafts), 400 naming the field, 409 for the wrong lifecycle
step — and what the public sees of a contract (no vouchers, report contents or names)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.contracts.models import PUBLIC_STATUSES, Contract, Report
from caidan.evaluations.inputs import ScoresInput

from .factories import award_for, draft_contract, signed_contract

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts"
PDF = b"%PDF-1.4\n%caidan test\n"
LINES = [{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}]


# --- helpers ------------------------------------------------------------------------------------


def call(client, method: str, path: str, data=None, headers=None):
    fn = getattr(client, method.lower())
    kwargs = dict(headers or {})
    if method.upper() != "GET":
        kwargs.update(data=data if data is not None else {}, content_type="application/json")
    return fn(f"{API}{path}", **kwargs)


def get(client, path, headers=None):
    return call(client, "GET", path, headers=headers)


def post(client, path, data=None, headers=None):
    return call(client, "POST", path, data, headers)


def ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.content[:500]
    return resp.json()


def error(resp, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert resp.status_code == status, resp.content[:500]
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert body["detail"].get("field") == field, body
    return body


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def upload(client, report_id, headers, *, content=PDF, name="财务报表.pdf", description="报表"):
    data = {"description": description}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"{API}/reports/{report_id}/attachments", data=data, **(headers or {}))


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


# --- payments -------------------------------------------------------------------------------------


def test_payments_and_gates_opened_only_by_evaluations(world, client, token_for):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    purchaser, provider = token_for("purchaser"), token_for("provider")
    midterm = scheduled(world, "mid")  # a signed contract, evaluator appointed, mid-term due
    c = midterm.contract
    first, second, third = c.instalments.order_by("sequence")
    today = timezone.localdate().isoformat()
    pay = {"paid_on": today, "voucher": "PZ-001"}
    url = f"/instalments/{first.pk}/payment"

    error(post(client, url, pay), 401)
    error(post(client, url, pay, provider), 403, "permission_denied")
    error(post(client, url, pay, token_for("purchaser2")), 403, "out_of_scope")
    error(post(client, url, {**pay, "paid_on": "notadate"}, purchaser), 400, field="paid_on")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    error(post(client, url, {**pay, "paid_on": tomorrow}, purchaser), 400, field="paid_on")
    error(post(client, url, {**pay, "voucher": ""}, purchaser), 400, field="voucher")
    error(post(client, url, {**pay, "amount": "399999.99"}, purchaser), 400, field="amount")
    error(post(client, f"/instalments/{second.pk}/payment", pay, purchaser), 409, "gate_closed")
    error(post(client, "/instalments/999999/payment", pay, purchaser), 404)

    paid = ok(post(client, url, pay, purchaser), 201)
    assert paid["paid"] and paid["paid_amount"] == "400000.00" and paid["paid_on"] == today
    assert paid["voucher"] == "PZ-001"
    assert paid["gate_note"] == "合同已签订" and paid["gate_evaluation_id"] is None
    error(post(client, url, {**pay, "voucher": "PZ-002"}, purchaser), 409, "already_paid")

    public = ok(get(client, f"/{c.pk}"))["instalments"][0]
    assert public["paid"] and public["paid_on"] == today and public["voucher"] is None
    assert ok(get(client, f"/{c.pk}", provider))["instalments"][0]["voucher"] == "PZ-001"
    assert (
        ok(get(client, f"/{c.pk}", token_for("auditor")))["instalments"][0]["voucher"] == "PZ-001"
    )
    assert ok(get(client, f"/{c.pk}", token_for("hub")))["instalments"][0]["voucher"] is None

    # No one opens a gate by hand any more: the endpoint is gone.
    paths = ok(client.get("/api/v1/openapi.json"))["paths"]
    assert not any(p.endswith("/gate") for p in paths)
    assert post(
        client, f"/instalments/{second.pk}/gate", {"note": "合格"}, purchaser
    ).status_code in (
        404,
        405,
    )

    # A passed mid-term evaluation opens the second gate, and only it; the instalment says so.
    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=midterm,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(midterm, "0.9"), summary="合格"),
    )
    midterm = evaluation_publish(evaluation=midterm, actor=evaluator)
    _, opened, closed = ok(get(client, f"/{c.pk}"))["instalments"]
    assert opened["gate_open"] and opened["gate_opened_at"] and not opened["paid"]
    note = f"中期测评结果：{midterm.get_grade_display()}（{midterm.total} 分）"
    assert opened["gate_note"] == note and opened["gate_evaluation_id"] == midterm.pk
    assert not closed["gate_open"] and closed["gate_note"] == ""
    assert closed["gate_evaluation_id"] is None
    paid = ok(post(client, f"/instalments/{second.pk}/payment", pay, purchaser), 201)
    assert paid["paid_amount"] == "280000.00" and paid["gate_evaluation_id"] == midterm.pk
    error(post(client, f"/instalments/{third.pk}/payment", pay, purchaser), 409, "gate_closed")

    # A passed final evaluation opens the third.
    final = scheduled(world, "final", contract=c)
    evaluation_score(
        evaluation=final,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(final, "0.85"), summary="良好"),
    )
    final = evaluation_publish(evaluation=final, actor=evaluator)
    paid = ok(post(client, f"/instalments/{third.pk}/payment", pay, purchaser), 201)
    assert paid["gate_note"] == f"终期评估结果：{final.get_grade_display()}（{final.total} 分）"
    assert paid["gate_evaluation_id"] == final.pk


def test_a_poor_midterm_leaves_the_second_gate_closed(world, client, token_for):
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    midterm = scheduled(world, "mid")
    evaluator = world.actor("evaluator")
    evaluation_score(
        evaluation=midterm,
        actor=evaluator,
        data=ScoresInput.parse(scores=full_scores(midterm, "0.5"), summary="差"),
    )
    assert evaluation_publish(evaluation=midterm, actor=evaluator).grade == "poor"
    second = ok(get(client, f"/{midterm.contract_id}"))["instalments"][1]
    assert not second["gate_open"] and second["gate_evaluation_id"] is None
    pay = {"paid_on": timezone.localdate().isoformat(), "voucher": "PZ-9"}
    error(
        post(client, f"/instalments/{second['id']}/payment", pay, token_for("purchaser")),
        409,
        "gate_closed",
    )


def test_instalments_of_a_draft_are_unknown_to_outsiders(world, client, token_for):
    c = draft_contract(world)
    first = c.instalments.get(sequence=1)
    pay = {"paid_on": timezone.localdate().isoformat(), "voucher": "PZ"}
    error(post(client, f"/instalments/{first.pk}/payment", pay, token_for("hub")), 404)
    error(post(client, f"/instalments/{first.pk}/payment", pay, token_for("purchaser2")), 404)
    error(
        post(client, f"/instalments/{first.pk}/payment", pay, token_for("purchaser")),
        409,
        "not_active",
    )


# --- reports --------------------------------------------------------------------------------------


def test_submit_review_and_read_reports(world, client, token_for):
    purchaser, provider = token_for("purchaser"), token_for("provider")
    c = signed_contract(world)
    r = c.reports.get(kind="midterm")
    submit = f"/reports/{r.pk}/submit"
    body = {"summary": "服务开展顺利，完成 1200 人次探访。", "fund_lines": LINES}

    error(post(client, submit, body), 401)
    error(post(client, submit, body, purchaser), 403, "permission_denied")
    error(post(client, submit, body, token_for("hub")), 403, "out_of_scope")
    error(post(client, submit, {"summary": "进展"}, provider), 400, field="fund_lines")
    bad = [{"line": "人员费", "budget": "1", "spent": 2.5}]
    error(
        post(client, submit, {"summary": "x", "fund_lines": bad}, provider),
        400,
        field="fund_lines.0.spent",
    )
    error(
        post(client, submit, {"summary": " ", "fund_lines": LINES}, provider), 400, field="summary"
    )
    got = ok(post(client, submit, body, provider))
    assert got["status"] == "submitted" and got["summary"] == body["summary"]
    assert got["fund_lines"] == LINES and got["fund_totals"] == {
        "budget": "400000.00",
        "spent": "210000.00",
    }
    assert got["contract"]["id"] == c.pk and got["late"] is False
    error(post(client, submit, body, provider), 409, "already_submitted")

    # The public sees that it was submitted and on time, not what it says.
    public = next(x for x in ok(get(client, f"/{c.pk}"))["reports"] if x["id"] == r.pk)
    assert public["status"] == "submitted" and public["late"] is False
    assert (
        public["summary"] is None and public["fund_lines"] is None and public["fund_totals"] is None
    )
    error(get(client, f"/reports/{r.pk}"), 401)
    error(get(client, f"/reports/{r.pk}", token_for("hub")), 403)
    error(get(client, f"/reports/{r.pk}", token_for("purchaser2")), 403)
    for who in ("purchaser", "provider", "admin", "auditor"):
        assert ok(get(client, f"/reports/{r.pk}", token_for(who)))["summary"] == body["summary"]
    error(get(client, "/reports/999999", purchaser), 404)

    review = f"/reports/{r.pk}/review"
    error(post(client, review, {"accept": True}, provider), 403)
    error(post(client, review, {"accept": False}, purchaser), 400, field="comment")
    back = ok(post(client, review, {"accept": False, "comment": "请补充探访台账"}, purchaser))
    assert back["status"] == "returned" and back["review_comment"] == "请补充探访台账"
    assert ok(post(client, submit, body, provider))["status"] == "submitted"
    assert ok(post(client, review, {"accept": True}, purchaser))["status"] == "accepted"
    error(post(client, review, {"accept": True}, purchaser), 409, "not_submitted")

    # A report past its due date and not submitted is flagged late, to everyone.
    progress = c.reports.filter(kind="progress").order_by("due_on").first()
    Report.objects.filter(pk=progress.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    public = next(x for x in ok(get(client, f"/{c.pk}"))["reports"] if x["id"] == progress.pk)
    assert public["late"] is True and public["status"] == "due"


def test_report_attachments(world, client, token_for):
    purchaser, provider = token_for("purchaser"), token_for("provider")
    c = signed_contract(world)
    final = c.reports.get(kind="final")
    error(
        post(client, f"/reports/{final.pk}/submit", {"summary": "总结"}, provider),
        400,
        field="attachments",
    )
    error(upload(client, final.pk, None), 401)
    error(upload(client, final.pk, purchaser), 403, "permission_denied")
    error(upload(client, final.pk, token_for("hub")), 403, "out_of_scope")
    error(upload(client, final.pk, provider, content=None), 400, field="file")
    error(
        upload(client, final.pk, provider, name="x.exe", content=b"MZ\x90\x00"), 400, field="file"
    )
    doc = ok(upload(client, final.pk, provider, description="2026 年度财务报表"), 201)
    assert doc["name"] == "财务报表.pdf" and doc["description"] == "2026 年度财务报表"
    assert doc["url"] == f"{API}/reports/{final.pk}/attachments/{doc['id']}"

    # The purchaser reviewing the report sees and downloads what the provider uploaded.
    full = ok(get(client, f"/reports/{final.pk}", purchaser))
    assert [a["id"] for a in full["attachments"]] == [doc["id"]]
    download = client.get(doc["url"], **purchaser)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    error(client.get(doc["url"], **token_for("hub")), 403)
    error(client.get(doc["url"]), 401)
    other = c.reports.get(kind="midterm")
    error(client.get(f"{API}/reports/{other.pk}/attachments/{doc['id']}", **purchaser), 404)

    got = ok(post(client, f"/reports/{final.pk}/submit", {"summary": "项目总结"}, provider))
    assert got["status"] == "submitted"


# --- PDF, history, dashboards ----------------------------------------------------------------------


def test_pdf_public_and_full(world, client, token_for):
    c = signed_contract(world)
    names = [c.purchaser_signed_by.get_full_name(), c.provider_signed_by.get_full_name()]

    resp = get(client, f"/{c.pk}/pdf")  # anonymous: the redacted version
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text = pdf_text(resp.content)
    assert c.reference in text and "800000.00" in text and "阳光家庭综合服务中心" in text
    assert not any(name in text for name in names)

    full = get(client, f"/{c.pk}/pdf", token_for("provider"))
    assert full.status_code == 200 and full["Cache-Control"] == "private, no-store"
    text = pdf_text(full.content)
    assert c.reference in text and all(name in text for name in names)
    assert all(
        name in pdf_text(get(client, f"/{c.pk}/pdf", token_for("auditor")).content)
        for name in names
    )
    hub = pdf_text(get(client, f"/{c.pk}/pdf", token_for("hub")).content)
    assert not any(name in hub for name in names)
    redacted = pdf_text(get(client, f"/{c.pk}/pdf?redacted=true", token_for("provider")).content)
    assert c.reference in redacted and not any(name in redacted for name in names)

    draft = draft_contract(world)
    error(get(client, f"/{draft.pk}/pdf"), 404)
    error(get(client, f"/{draft.pk}/pdf", token_for("hub")), 404)
    own = get(client, f"/{draft.pk}/pdf", token_for("purchaser"))
    assert own.status_code == 200 and "尚未签订" in pdf_text(own.content)


def test_history(world, client, token_for):
    c = signed_contract(world)
    error(get(client, f"/{c.pk}/history"), 401)
    error(get(client, f"/{c.pk}/history", token_for("hub")), 403, "permission_denied")
    error(get(client, f"/{c.pk}/history", token_for("purchaser2")), 403)
    events = ok(get(client, f"/{c.pk}/history", token_for("purchaser")))
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "contract.created" and kinds.count("contract.signed") == 2
    assert "contract.transition" in kinds
    assert events[0]["kind_label"] == "起草合同" and events[0]["actor_label"]
    for who in ("provider", "admin", "auditor"):
        assert len(ok(get(client, f"/{c.pk}/history", token_for(who)))) == len(events)
    draft = draft_contract(world)
    error(get(client, f"/{draft.pk}/history", token_for("purchaser2")), 404)


def test_my_overdue(world, client, token_for):
    late_draft = draft_contract(world)
    Contract.objects.filter(pk=late_draft.pk).update(sign_due=timezone.now() - dt.timedelta(days=1))
    active = signed_contract(world)
    report = active.reports.order_by("due_on").first()
    Report.objects.filter(pk=report.pk).update(due_on=timezone.localdate() - dt.timedelta(days=4))

    error(get(client, "/my/overdue"), 401)
    error(get(client, "/my/overdue", token_for("expert")), 403, "permission_denied")
    error(get(client, "/my/overdue", token_for("admin")), 403)
    for who in ("purchaser", "provider"):
        late = ok(get(client, "/my/overdue", token_for(who)))
        assert [x["id"] for x in late["unsigned"]] == [late_draft.pk]
        assert [(x["id"], x["days_late"]) for x in late["reports"]] == [(report.pk, 4)]
        assert late["reports"][0]["contract"]["reference"] == active.reference
        first = active.instalments.get(sequence=1)
        assert [(x["id"], x["amount"]) for x in late["instalments"]] == [(first.pk, "400000.00")]
    other = ok(get(client, "/my/overdue", token_for("purchaser2")))
    assert other == {"unsigned": [], "reports": [], "instalments": []}
