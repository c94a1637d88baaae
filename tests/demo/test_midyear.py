"""The mid-year demo (``seed_demo --midyear``): one 江苏路街道 process at every stage, each
role's pending item reachable from its dashboard, idempotent, audit chain intact."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from caidan.demo.midyear import STAGES, TITLES, seed_midyear, waiting_experts


def _counts() -> dict[str, int]:
    from caidan.accounts.models import User
    from caidan.audit.models import AuditEvent
    from caidan.contracts.models import Contract, Payment, Report
    from caidan.evaluations.models import Evaluation, Survey
    from caidan.procurement.models import Award, Bid, ScoreSheet, Tender
    from caidan.projects.models import Proposal, ReviewSession

    models = [User, AuditEvent, Proposal, ReviewSession, Tender, Bid, ScoreSheet, Award]
    models += [Contract, Payment, Report, Evaluation, Survey]
    return {m.__name__: m.objects.count() for m in models}


def test_every_stage_once_idempotent_audited_and_exported(world, tmp_path, capsys):
    from caidan.contracts.models import Contract
    from caidan.procurement.models import PanelMember, ScoreSheet
    from caidan.projects.models import Proposal

    call_command("seed_demo", "--midyear")
    out = capsys.readouterr().out
    # the ten lifecycle stages, then the tender in lots, the hub bundle and the counter
    assert "Mid-year processes loaded (13 stages)" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert listed[:10] == [key for key, _, _ in STAGES]
    assert set(listed[10:13]) == {"lots", "bundles", "assisted"}
    from caidan.audit.models import AuditAnchor

    anchor = AuditAnchor.objects.get()
    assert f"Audit chain anchored at event {anchor.seq}" in out

    p = {key: Proposal.objects.get(title=title) for key, title in TITLES.items()}
    assert p["draft"].status == "draft"
    assert p["review"].status == "under_review"
    assert p["review"].agenda_items.get().session.status == "open"
    assert p["approved"].status == "approved" and not p["approved"].tenders.exists()

    tender = {key: p[key].tenders.get() for key in list(TITLES)[3:]}
    assert tender["bidding"].status == "published"
    evaluating = tender["evaluating"]
    assert evaluating.status == "evaluating" and evaluating.opened_at is not None
    seated = PanelMember.objects.filter(tender=evaluating, status="active")
    assert seated.count() == evaluating.committee_size
    submitted = ScoreSheet.objects.filter(tender=evaluating, submitted_at__isnull=False)
    assert 0 < submitted.count() < seated.count()
    experts = waiting_experts()
    assert len(experts) == seated.count() - submitted.count() == 2
    assert not submitted.filter(member__expert__user__username__in=experts).exists()
    award = tender["awarded"].awards.get()
    assert tender["awarded"].status == "awarded" and award.status == "confirmed"
    assert award.bid.organization.name == "长宁区乐龄居家养老服务社"
    # comprehensive scoring (综合评分法): every seated expert submitted a full sheet, and the
    # award went to the bidder the computed ranking put first
    scored = tender["awarded"]
    assert scored.evaluation_method == "comprehensive"
    sheets = ScoreSheet.objects.filter(tender=scored, submitted_at__isnull=False)
    assert sheets.count() == scored.committee_size >= 3
    factors = {f["id"] for f in scored.factors}
    for sheet in sheets:
        assert len(sheet.scores) == scored.bids.filter(status="valid").count() == 3
        assert all(set(row) >= factors for row in sheet.scores.values())

    c = {key: Contract.objects.get(proposal=p[key]) for key in list(TITLES)[6:]}
    for contract in c.values():  # a budget (预算明细) adding up to the amount, to the fen
        lines = contract.budget_lines
        assert [row["line"] for row in lines] == ["人员经费", "活动经费", "管理费用"]
        assert sum(Decimal(row["amount"]) for row in lines) == contract.amount
    assert c["contract_draft"].status == "draft"
    assert c["contract_draft"].purchaser_signed_at is None
    assert c["performing"].status == "active" and c["performing"].published_at is not None
    assert [hasattr(i, "payment") for i in c["performing"].instalments.order_by("sequence")] == [
        True,
        False,
        False,
    ]
    assert c["performing"].reports.filter(kind="progress", status="submitted").exists()
    mid = c["midterm"].evaluations.get()
    assert (mid.stage, mid.status, mid.scores) == ("mid", "open", {})
    assert c["midterm"].surveys.get().tokens.count() == 20
    done = c["completed"]
    assert done.status == "completed"
    assert not done.instalments.filter(payment__isnull=True).exists()
    final = done.evaluations.get(stage="final")
    assert final.status == "published" and final.grade

    from caidan.enquiries.models import Enquiry

    asked = Enquiry.objects.filter(asker_user__username="resident").order_by("id")
    published, waiting = asked
    assert published.status == "answered" and published.published_at is not None
    assert waiting.status == "received" and waiting.kind == "suggestion"

    before = _counts()
    again = seed_midyear()
    assert not again.created and _counts() == before

    call_command("audit_verify")
    assert "chain intact" in capsys.readouterr().out
    path = tmp_path / "releases.json"
    call_command("ocds_export", "--releases", str(path))
    text = path.read_text(encoding="utf-8")
    json.loads(text)
    assert TITLES["completed"] in text and TITLES["awarded"] in text

    call_command("demo_accounts")
    printed = capsys.readouterr().out
    assert "where to click" in printed and "/".join(experts) in printed


def _open_session_title() -> str:
    from caidan.projects.models import ReviewSession

    return ReviewSession.objects.get(status="open").title


def test_each_role_finds_its_pending_item_from_the_dashboard(world, login):
    seed_midyear()
    cases = [
        ("purchaser", "purchaser", "projects:proposals", TITLES["draft"]),
        ("purchaser", "purchaser", "contracts:todo", TITLES["performing"]),
        ("committee", None, "projects:sessions", _open_session_title()),
        ("provider", None, "contracts:todo", TITLES["contract_draft"]),
        ("provider", None, "procurement:my_bids", TITLES["awarded"]),
        (waiting_experts()[0], None, "procurement:my_reviews", TITLES["evaluating"]),
        ("evaluator", None, "evaluations:mine", TITLES["midterm"]),
    ]
    for username, role, url_name, expected in cases:
        client = login(username, role)
        url = reverse(url_name)
        dashboard = client.get("/dashboard/")
        assert dashboard.status_code == 200
        assert url in dashboard.content.decode(), (username, url_name)
        page = client.get(url)
        assert page.status_code == 200, (username, url_name)
        assert expected in page.content.decode(), (username, url_name, expected)
