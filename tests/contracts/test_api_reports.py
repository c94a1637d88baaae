"""The contracts API over HTTP (``/api/v1/contracts``): reports and their attachments, the
PDF (public and full), the history and the overdue list — with their refusals, and what the
public sees of a contract (no vouchers, report contents or names)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.contracts.models import Contract, Report

from .api_helpers import API, LINES, PDF, error, get, ok, pdf_text, post, upload
from .factories import draft_contract, signed_contract

pytestmark = pytest.mark.django_db


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
    assert c.reference in text and "800,000.00" in text and "阳光家庭综合服务中心" in text
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
