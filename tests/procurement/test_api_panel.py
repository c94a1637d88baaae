"""The procurement API over HTTP (``/api/v1/procurement``): the committee — the draw and the
panel, declarations, scores submitted and corrected, my panels — and voiding a conflicted
expert's scores (财库〔2016〕198号), with their refusals."""

from __future__ import annotations

import pytest

from caidan.accounts.models import Role
from caidan.procurement.models import Bid, Expert

from .api_helpers import bearer, call, error, expert_pool, get, post
from .factories import opened_tender, published_tender

pytestmark = pytest.mark.django_db


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
    error(
        post(client, f"/tenders/{fresh.pk}/draw", {}, token_for("purchaser")), 409, "bad_transition"
    )

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
        "bad_transition",
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
    error(post(client, second, reason, token_for("purchaser")), 409, "bad_transition")
