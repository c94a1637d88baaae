"""The procurement API over HTTP (``/api/v1/procurement``), the tender: the public list,
drafting, updating and publishing, the announcement, clarifications, amendments and
cancelling, the tender's documents — each endpoint's happy path and its main refusals: 401
without credentials, 403 for the wrong role or scope, 404 for what the caller may not know
exists, 400 naming the field, 409 for the wrong lifecycle step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.procurement.models import PUBLIC_STATUSES, Tender

from .api_helpers import API, call, error, get, post
from .factories import (
    approved_proposal,
    draft_tender,
    next_working_deadline,
    past_deadline_tender,
    published_tender,
)

pytestmark = pytest.mark.django_db


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
