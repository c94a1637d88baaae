"""The contract pages: who sees what, every action through its form and its service, errors
shown on the form, no signatory names in public, and a bounded public list."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from caidan.contracts.inputs import ReportInput
from caidan.contracts.models import Contract, ContractAmendment, Payment, Report
from caidan.contracts.services import report_submit
from caidan.evaluations.inputs import ScoresInput

from .factories import award_for, draft_contract, signed_contract

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _html(response) -> str:
    return response.content.decode()


def _terms_post(contract_or_terms, **overrides) -> dict:
    """A complete terms form, from a contract or from ``contract_draft_terms``."""
    names = (
        "title",
        "service_content",
        "period_start",
        "period_end",
        "quantity",
        "quality_standards",
        "amount",
        "settlement_method",
        "acceptance_criteria",
        "rights_obligations",
        "breach_liability",
        "performance_security",
        "payment_split",
        "renewal_intent",
        "renewal_years",
    )
    src = contract_or_terms
    get = src.get if isinstance(src, dict) else (lambda k: getattr(src, k))
    data = {}
    for name in names:
        value = get(name)
        if name == "payment_split":
            for i, v in enumerate(value):
                data[f"payment_split_{i}"] = str(v)
        elif name == "renewal_intent":
            if value:
                data[name] = "on"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    for key, value in overrides.items():
        if key == "payment_split":
            for i, v in enumerate(value):
                data[f"payment_split_{i}"] = str(v)
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _names(world) -> list[str]:
    return [world.user(u).get_full_name() for u in ("purchaser", "provider")]


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def _submit_midterm(world, c):
    report = c.reports.get(kind="midterm")
    return report_submit(
        report=report,
        actor=world.actor("provider"),
        data=ReportInput.parse(
            summary="中期服务开展顺利。",
            fund_lines=[{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}],
        ),
    )


# --- the public list ------------------------------------------------------------------------


def test_public_list_shows_signed_contracts_and_parties_their_drafts(world, client, login):
    signed = signed_contract(world, title="长者探访服务合同（已签）")
    draft = draft_contract(world, title="助餐服务合同（草稿）")
    html = _html(client.get("/contracts/"))
    assert signed.title in html and signed.reference in html
    assert draft.title not in html
    assert "阳光家庭综合服务中心" in html and "江苏路街道" in html
    for who in ("purchaser", "provider"):
        html = _html(login(who).get("/contracts/"))
        assert signed.title in html and draft.title in html, who
    html = _html(login("purchaser2").get("/contracts/"))
    assert signed.title in html and draft.title not in html


def test_public_list_filters_and_search(world, client):
    signed = signed_contract(world, title="长者探访服务合同")
    assert signed.title in _html(client.get("/contracts/?status=active"))
    assert signed.title not in _html(client.get("/contracts/?status=terminated"))
    assert signed.title in _html(client.get("/contracts/?q=探访"))
    assert signed.title in _html(client.get(f"/contracts/?q={signed.reference}"))
    assert signed.title not in _html(client.get("/contracts/?q=不存在的合同"))
    assert client.get("/contracts/?status=bogus").status_code == 200  # the form ignores it
    assert client.get("/contracts/?cursor=@@@").status_code == 400


def test_public_list_has_a_bounded_query_count(world, client, login, django_assert_max_num_queries):
    base = signed_contract(world)
    skip = {"id", "reference", "year_index"}
    for i in range(24):
        Contract.objects.create(
            **{
                f.attname: getattr(base, f.attname)
                for f in Contract._meta.concrete_fields
                if f.attname not in skip
            },
            reference=f"{base.reference}-{i}",
            year_index=i + 2,
        )
    assert Contract.objects.filter(status="active").count() >= 25
    with django_assert_max_num_queries(6):
        response = client.get("/contracts/")
    assert response.status_code == 200
    next_page = response.context["page"].next_cursor
    assert next_page
    with django_assert_max_num_queries(6):
        assert client.get(f"/contracts/?cursor={next_page}").status_code == 200
    purchaser = login("purchaser")
    with django_assert_max_num_queries(9):
        assert purchaser.get("/contracts/").status_code == 200


# --- the contract page and PDF ----------------------------------------------------------------


def test_public_contract_page_shows_terms_and_plan_but_no_signatories(world, client):
    c = signed_contract(world)
    response = client.get(f"/contracts/{c.pk}/")
    assert response.status_code == 200
    html = _html(response)
    for needle in (
        c.reference,
        c.title,
        "江苏路街道",
        "阳光家庭综合服务中心",
        "800000.00",
        "400000.00",
        "280000.00",
        "120000.00",
        "中期评估通过",
        "违约责任",
        c.breach_liability[:20],
        c.acceptance_criteria[:20],
        "履约保证金",
        "下载合同公开版本（PDF）",
    ):
        assert needle in html, needle
    for name in _names(world):
        assert name not in html
    assert 'data-testid="history"' not in html
    assert 'data-testid="reports"' not in html  # reports are for the parties
    assert 'data-testid="party-actions"' not in html


def test_public_pdf_has_no_signatory_names_the_parties_get_the_full_one(world, client, login):
    c = signed_contract(world)
    response = client.get(f"/contracts/{c.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "-public.pdf" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert c.reference in text and "800000.00" in text
    for name in _names(world):
        assert name not in text
    for who in ("purchaser", "provider", "admin", "auditor"):
        full = _pdf_text(login(who).get(f"/contracts/{c.pk}/pdf/").content)
        assert world.user("purchaser").get_full_name() in full, who


def test_parties_see_signatories_reports_and_history(world, login):
    c = signed_contract(world)
    for who in ("purchaser", "provider", "auditor"):
        html = _html(login(who).get(f"/contracts/{c.pk}/"))
        assert world.user("purchaser").get_full_name() in html, who
        assert world.user("provider").get_full_name() in html, who
        assert 'data-testid="reports"' in html and "中期报告" in html
        assert 'data-testid="history"' in html and "签订合同" in html
        assert "下载合同（PDF）" in html


def test_draft_is_hidden_from_the_public_and_other_purchasers(world, client, login):
    c = draft_contract(world)
    assert client.get(f"/contracts/{c.pk}/").status_code == 404
    assert client.get(f"/contracts/{c.pk}/pdf/").status_code == 404
    assert login("purchaser2").get(f"/contracts/{c.pk}/").status_code == 404
    assert login("provider").get(f"/contracts/{c.pk}/").status_code == 200
    assert client.get("/contracts/999999/").status_code == 404


# --- drafting ---------------------------------------------------------------------------------


def test_purchaser_lists_awards_without_contract_and_drafts_one(world, login):
    award = award_for(world)
    client = login("purchaser")
    html = _html(client.get("/contracts/new/"))
    assert award.tender.title in html and f"/contracts/new/{award.pk}/" in html
    response = client.get(f"/contracts/new/{award.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    for name in ("service_content", "settlement_method", "breach_liability", "rights_obligations"):
        assert form[name].value(), name
    assert form["amount"].value() == award.amount
    assert form["payment_split"].value() == [50, 35, 15]
    from caidan.contracts.selectors import contract_draft_terms

    data = _terms_post(contract_draft_terms(award), amount="790000.00", payment_split=[50, 30, 20])
    response = client.post(f"/contracts/new/{award.pk}/", data)
    assert response.status_code == 302
    c = Contract.objects.get(award=award)
    assert response.url == f"/contracts/{c.pk}/"
    assert c.status == "draft" and c.amount == Decimal("790000.00")
    assert c.payment_split == [50, 30, 20]
    assert [i.amount for i in c.instalments.order_by("sequence")] == [
        Decimal("395000.00"),
        Decimal("237000.00"),
        Decimal("158000.00"),
    ]
    # Once drafted, the award leaves the list and cannot be drafted twice.
    assert f"/contracts/new/{award.pk}/" not in _html(client.get("/contracts/new/"))
    assert client.get(f"/contracts/new/{award.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "needle"),
    [
        ({"amount": "900000.00"}, "amount", "不得超过中标金额"),
        ({"performance_security": "90000.00"}, "performance_security", "§48"),
        ({"payment_split": [60, 30, 10]}, "payment_split", "50%"),
        ({"breach_liability": ""}, "breach_liability", ""),
        ({"period_end": "2099-01-01"}, "period_end", "一年"),
    ],
)
def test_drafting_errors_are_shown_on_the_field(world, login, overrides, field, needle):
    from caidan.contracts.selectors import contract_draft_terms

    award = award_for(world)
    client = login("purchaser")
    response = client.post(
        f"/contracts/new/{award.pk}/", _terms_post(contract_draft_terms(award), **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert needle in " ".join(errors[field])
    assert not Contract.objects.filter(award=award).exists()


def test_other_roles_cannot_draft(world, client, login):
    award = award_for(world)
    assert client.get("/contracts/new/").status_code == 302  # to login
    assert login("provider").get("/contracts/new/").status_code == 403
    assert login("provider").get(f"/contracts/new/{award.pk}/").status_code == 403
    assert login("purchaser2").get(f"/contracts/new/{award.pk}/").status_code == 404
    assert award.tender.title not in _html(login("purchaser2").get("/contracts/new/"))


def test_edit_draft_and_out_of_scope(world, login):
    c = draft_contract(world)
    client = login("purchaser")
    assert client.get(f"/contracts/{c.pk}/edit/").status_code == 200
    response = client.post(
        f"/contracts/{c.pk}/edit/", _terms_post(c, service_content="每周上门探访三次。")
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.service_content == "每周上门探访三次。"
    response = client.post(f"/contracts/{c.pk}/edit/", _terms_post(c, quality_standards=""))
    assert response.status_code == 200 and "quality_standards" in response.context["form"].errors
    assert login("provider").get(f"/contracts/{c.pk}/edit/").status_code == 403
    assert login("purchaser2").get(f"/contracts/{c.pk}/edit/").status_code == 404


def test_cancel_draft_with_a_reason(world, login):
    c = draft_contract(world)
    client = login("purchaser")
    assert "作废后不可恢复" in _html(client.get(f"/contracts/{c.pk}/cancel/"))
    response = client.post(f"/contracts/{c.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert client.post(f"/contracts/{c.pk}/cancel/", {"reason": "中标人放弃"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "cancelled" and c.termination_reason == "中标人放弃"
    assert login("provider").post(f"/contracts/{c.pk}/cancel/", {"reason": "x"}).status_code == 403


# --- signing ----------------------------------------------------------------------------------


def test_both_parties_sign_through_the_confirmation(world, login):
    c = draft_contract(world)
    client = login("purchaser")
    html = _html(client.get(f"/contracts/{c.pk}/sign/"))
    assert "确认签订" in html and c.reference in html
    assert client.get(f"/contracts/{c.pk}/sign/").status_code == 200
    assert client.post(f"/contracts/{c.pk}/sign/").status_code == 302
    c.refresh_from_db()
    assert c.purchaser_signed_at and c.status == "draft"
    assert "等待对方签订" in _html(client.get(f"/contracts/{c.pk}/"))
    provider = login("provider")
    assert provider.post(f"/contracts/{c.pk}/sign/").status_code == 302
    c.refresh_from_db()
    assert c.status == "active" and c.provider_signed_at and c.published_at


def test_sign_page_shows_blockers_and_refuses(world, login):
    from .factories import complained_draft

    c, _, _ = complained_draft(world)
    client = login("provider")
    response = client.get(f"/contracts/{c.pk}/sign/")
    html = _html(response)
    assert 'data-testid="blockers"' in html and "投诉" in html and "§57" in html
    assert "确认签订</button>" not in html
    response = client.post(f"/contracts/{c.pk}/sign/")
    assert response.status_code == 200 and "§57" in _html(response)
    c.refresh_from_db()
    assert c.provider_signed_at is None


def test_sign_refused_out_of_scope(world, client, login):
    c = draft_contract(world)
    assert client.post(f"/contracts/{c.pk}/sign/").status_code == 302  # to login
    assert login("purchaser2").post(f"/contracts/{c.pk}/sign/").status_code == 404
    assert login("hub").post(f"/contracts/{c.pk}/sign/").status_code in (403, 404)
    c.refresh_from_db()
    assert c.purchaser_signed_at is None and c.provider_signed_at is None


# --- payments ---------------------------------------------------------------------------------


def test_purchaser_records_the_first_payment(world, login):
    c = signed_contract(world)
    first = c.instalments.get(sequence=1)
    client = login("purchaser")
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert f"/contracts/{c.pk}/instalments/{first.pk}/pay/" in html
    response = client.get(f"/contracts/{c.pk}/instalments/{first.pk}/pay/")
    assert response.status_code == 200
    assert 'value="400000.00"' in _html(response) and "disabled" in _html(response)
    response = client.post(
        f"/contracts/{c.pk}/instalments/{first.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "", "amount": "1.00"},
    )
    assert response.status_code == 200 and "voucher" in response.context["form"].errors
    response = client.post(
        f"/contracts/{c.pk}/instalments/{first.pk}/pay/",
        {
            "paid_on": (TODAY() + dt.timedelta(days=3)).isoformat(),
            "voucher": "PZ-1",
        },
    )
    assert response.status_code == 200 and "paid_on" in response.context["form"].errors
    response = client.post(
        f"/contracts/{c.pk}/instalments/{first.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "PZ-2026-001", "amount": "1.00"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(instalment=first)
    assert payment.amount == Decimal("400000.00") and payment.voucher == "PZ-2026-001"
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert "PZ-2026-001" in html and TODAY().isoformat() in html


def test_payment_before_the_gate_is_refused_on_the_form(world, login):
    c = signed_contract(world)
    second = c.instalments.get(sequence=2)
    response = login("purchaser").post(
        f"/contracts/{c.pk}/instalments/{second.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "PZ-2"},
    )
    assert response.status_code == 200
    assert "尚未达成" in " ".join(response.context["form"].non_field_errors())
    assert not Payment.objects.filter(instalment=second).exists()


def test_provider_and_other_purchasers_cannot_record_payments(world, client, login):
    c = signed_contract(world)
    first = c.instalments.get(sequence=1)
    url = f"/contracts/{c.pk}/instalments/{first.pk}/pay/"
    data = {"paid_on": TODAY().isoformat(), "voucher": "PZ-1"}
    assert client.post(url, data).status_code == 302  # to login
    assert login("provider").get(url).status_code == 403
    assert login("provider").post(url, data).status_code == 403
    assert login("purchaser2").post(url, data).status_code == 403
    assert not Payment.objects.filter(instalment=first).exists()
    assert f"/instalments/{first.pk}/pay/" not in _html(
        login("provider").get(f"/contracts/{c.pk}/")
    )


def _pass_midterm(world, contract):
    """Open the second gate the only way there is: a passed, published mid-term evaluation."""
    from caidan.evaluations.services import evaluation_publish, evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    e = scheduled(world, "mid", contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )
    return evaluation_publish(evaluation=e, actor=world.actor("evaluator"))


def test_gates_are_opened_by_evaluations_not_by_hand(world, client, login):
    from tests.evaluations.factories import appointed_contract

    c = appointed_contract(world)
    second = c.instalments.get(sequence=2)
    assert client.get(f"/contracts/{c.pk}/instalments/{second.pk}/gate/").status_code == 404
    client = login("purchaser")
    assert (
        client.post(
            f"/contracts/{c.pk}/instalments/{second.pk}/gate/", {"note": "中期评估合格"}
        ).status_code
        == 404
    )
    html = _html(client.get(f"/contracts/{c.pk}/"))
    plan = html[html.index('data-testid="payment-plan"') :]
    assert "待中期测评通过" in plan and "待终期评估通过" in plan
    assert f'href="/evaluations/contracts/{c.pk}/"' in plan
    assert f"/instalments/{second.pk}/pay/" not in html
    e = _pass_midterm(world, c)
    second.refresh_from_db()
    assert second.gate_opened_at and "中期测评" in second.gate_note
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert second.gate_note in html and f"/instalments/{second.pk}/pay/" in html
    assert "待中期测评通过" not in html and "待终期评估通过" in html
    assert str(e.total) in _html(login("resident").get(f"/contracts/{c.pk}/"))  # public note


# --- reports ----------------------------------------------------------------------------------


def test_provider_sees_reports_and_submits_the_midterm_with_fund_lines(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="midterm")
    client = login("provider")
    html = _html(client.get(f"/contracts/{c.pk}/reports/"))
    assert "中期报告" in html and report.due_on.isoformat() in html
    assert f"/contracts/{c.pk}/reports/{report.pk}/" in html
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    assert "资金使用情况" in _html(client.get(url))
    # No fund line: the mid-term report needs one.
    response = client.post(url, {"summary": "中期服务开展顺利。"})
    assert response.status_code == 200
    assert "fund_1_line" in response.context["form"].errors
    # A bad amount on the second non-blank row is shown on that row.
    response = client.post(
        url,
        {
            "summary": "中期服务开展顺利。",
            "fund_1_line": "人员费",
            "fund_1_budget": "400000.00",
            "fund_1_spent": "210000.00",
            "fund_3_line": "",
            "fund_3_budget": "1000",
            "fund_3_spent": "10",
        },
    )
    assert response.status_code == 200
    assert "fund_3_line" in response.context["form"].errors
    response = client.post(
        url,
        {
            "summary": "中期服务开展顺利，完成 1200 人次探访。",
            "fund_1_line": "人员费",
            "fund_1_budget": "400000.00",
            "fund_1_spent": "210000.00",
            "fund_2_line": "活动费",
            "fund_2_budget": "100000.00",
            "fund_2_spent": "40000.50",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.summary.startswith("中期服务开展顺利")
    assert report.fund_lines == [
        {"line": "人员费", "budget": "400000.00", "spent": "210000.00"},
        {"line": "活动费", "budget": "100000.00", "spent": "40000.50"},
    ]
    html = _html(client.get(url))
    assert "250000.50" in html  # the spent total
    assert 'data-testid="fund-rows"' not in html  # submitted: no form until reviewed


def test_purchaser_returns_a_report_and_the_provider_sees_the_comment(world, login):
    c = signed_contract(world)
    report = _submit_midterm(world, c)
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    purchaser = login("purchaser")
    assert "审核报告" in _html(purchaser.get(url))
    response = purchaser.post(url + "review/", {"decision": "return", "comment": ""})
    assert response.status_code == 200 and "comment" in response.context["review_form"].errors
    response = purchaser.post(
        url + "review/", {"decision": "return", "comment": "请补充资金使用明细的凭证。"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned" and report.review_comment == "请补充资金使用明细的凭证。"
    html = _html(login("provider").get(url))
    assert "请补充资金使用明细的凭证。" in html and "修改后重新提交" in html
    # The provider resubmits; the purchaser accepts.
    response = login("provider").post(
        url,
        {
            "summary": "已补充凭证。",
            "fund_1_line": "人员费",
            "fund_1_budget": "400000.00",
            "fund_1_spent": "210000.00",
        },
    )
    assert response.status_code == 302
    assert login("purchaser").post(url + "review/", {"decision": "accept"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"


def test_only_the_right_party_submits_or_reviews(world, client, login):
    c = signed_contract(world)
    report = c.reports.get(kind="midterm")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    assert client.get(url).status_code == 302  # to login
    assert login("purchaser2").get(url).status_code == 403
    assert login("purchaser").post(url, {"summary": "x"}).status_code == 403
    _submit_midterm(world, c)
    assert login("provider").post(url + "review/", {"decision": "accept"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"
    assert login("auditor").get(url).status_code == 200


def test_final_report_needs_attachments_the_purchaser_downloads_them(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    provider = login("provider")
    response = provider.post(url, {"summary": "项目已完成。"})
    assert response.status_code == 200
    assert "财务报表" in " ".join(response.context["form"].non_field_errors())
    response = provider.post(
        url + "attach/",
        {"file": SimpleUploadedFile("财务报表.pdf", b"%PDF-1.4\n%x\n"), "description": "年度"},
    )
    assert response.status_code == 302
    assert provider.post(url, {"summary": "项目已完成。"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    purchaser = login("purchaser")
    html = _html(purchaser.get(url))
    assert "财务报表.pdf" in html
    from caidan.documents.models import Document

    doc = Document.objects.get(target_type="contracts.report", target_id=str(report.pk))
    response = purchaser.get(f"{url}files/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert login("purchaser2").get(f"{url}files/{doc.pk}/").status_code == 403


def test_attachment_errors_are_shown(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url + "attach/", {"file": SimpleUploadedFile("x.exe", b"MZ\x00\x00")}
    )
    assert response.status_code == 200
    assert response.context["upload_form"].errors


def test_late_reports_are_badged(world, login):
    c = signed_contract(world)
    Report.objects.filter(contract=c, kind="midterm").update(due_on=TODAY() - dt.timedelta(days=3))
    html = _html(login("provider").get(f"/contracts/{c.pk}/reports/"))
    assert "逾期" in html


# --- amendments, termination, renewal -------------------------------------------------------


def test_amendment_confirmation_then_new_version(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    url = f"/contracts/{c.pk}/amend/"
    assert client.get(url).status_code == 200
    data = _terms_post(c, amount="780000.00", rationale="服务人次调减。")
    response = client.post(url, data)
    assert response.status_code == 200
    html = _html(response)
    assert "确认签订补充协议" in html and "800000.00" in html and "780000.00" in html
    assert not ContractAmendment.objects.filter(contract=c).exists()
    # The confirmation carries the form in hidden fields.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["confirm"] == "1" and hidden["amount"] == "780000.00"
    assert hidden["payment_split_1"] == "35" and hidden["renewal_intent"] == "False"
    response = client.post(url, {k: unescape(v) for k, v in hidden.items()})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.version == 2 and c.amount == Decimal("780000.00")
    a = ContractAmendment.objects.get(contract=c)
    assert a.changes["amount"] == ["800000.00", "780000.00"] and a.rationale == "服务人次调减。"
    html = _html(login("provider").get(f"/contracts/{c.pk}/"))
    assert "服务人次调减。" in html and "780000.00" in html and 'data-testid="version"' in html
    # The public sees the amendment but not who approved it.
    from django.test import Client

    public = _html(Client().get(f"/contracts/{c.pk}/"))
    assert "服务人次调减。" in public
    for name in _names(world):
        assert name not in public


def test_amendment_errors(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    url = f"/contracts/{c.pk}/amend/"
    response = client.post(url, _terms_post(c, rationale="无变更"))
    assert response.status_code == 200 and "至少一项" in _html(response)
    response = client.post(url, _terms_post(c, amount="780000.00", rationale=""))
    assert response.status_code == 200 and "rationale" in response.context["form"].errors
    response = client.post(
        url, {**_terms_post(c, amount="900000.00", rationale="加量"), "confirm": "1"}
    )
    assert response.status_code == 200 and "amount" in response.context["form"].errors
    assert login("provider").get(url).status_code == 403
    assert not ContractAmendment.objects.filter(contract=c).exists()


def test_terminate_for_breach(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    url = f"/contracts/{c.pk}/terminate/"
    assert "终止后不可恢复" in _html(client.get(url))
    response = client.post(url, {"kind": "breach", "reason": "", "settlement": "x"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(
        url,
        {
            "kind": "breach",
            "reason": "连续两个月未按约提供服务。",
            "settlement": "已付首期，不再支付。",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "terminated" and c.termination_kind == "breach"
    html = _html(login("purchaser2").get(f"/contracts/{c.pk}/"))
    assert "连续两个月未按约提供服务。" in html
    assert login("provider").post(url, {"kind": "agreement"}).status_code == 403


def test_renew_a_contract_with_an_intent(world, login):
    c = signed_contract(world, renewal_intent=True, renewal_years=2)
    client = login("purchaser")
    assert f"/contracts/{c.pk}/renew/" in _html(client.get(f"/contracts/{c.pk}/"))
    assert "起草续签合同" in _html(client.get(f"/contracts/{c.pk}/renew/"))
    response = client.post(f"/contracts/{c.pk}/renew/")
    assert response.status_code == 302
    new = Contract.objects.get(renews=c)
    assert response.url == f"/contracts/{new.pk}/"
    assert new.status == "draft" and new.year_index == 2
    response = client.post(f"/contracts/{c.pk}/renew/")
    assert response.status_code == 200 and "已起草续签合同" in _html(response)


# --- to-do list and dashboards --------------------------------------------------------------


def test_todo_counts_for_both_parties(world, login):
    c = signed_contract(world)
    Report.objects.filter(contract=c, kind="progress", sequence=1).update(
        due_on=TODAY() - dt.timedelta(days=2)
    )
    award = award_for(world)
    html = _html(login("purchaser").get("/contracts/todo/"))
    assert award.tender.title in html and "待起草合同的中标项目" in html
    assert "条件已达成、尚未支付的款项" in html and c.title in html
    html = _html(login("provider").get("/contracts/todo/"))
    assert "逾期未交的报告" in html and "进度报告" in html
    assert login("admin").get("/contracts/todo/").status_code == 403


def test_dashboards_and_navigation_link_to_contracts(world, client, login):
    assert 'href="/contracts/"' in _html(client.get("/"))
    html = _html(login("purchaser").get("/dashboard/"))
    assert "/contracts/todo/" in html and "/contracts/new/" in html
    html = _html(login("provider").get("/dashboard/"))
    assert "/contracts/todo/" in html and "/contracts/" in html


def test_contract_pages_in_english(world, client, settings):
    import gettext

    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_translations", stdout=io.StringIO())  # .mo files are build artefacts
    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None
    c = signed_contract(world)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert "Payment plan" in html and "Download the public version" in html
    assert "Contracts" in _html(client.get("/contracts/"))


def test_a_passed_midterm_lets_the_purchaser_pay_the_second_instalment(world, login):
    from tests.evaluations.factories import appointed_contract

    c = appointed_contract(world)
    _pass_midterm(world, c)
    second = c.instalments.get(sequence=2)
    client = login("purchaser")
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert f"/contracts/{c.pk}/instalments/{second.pk}/pay/" in html
    response = client.post(
        f"/contracts/{c.pk}/instalments/{second.pk}/pay/",
        {"paid_on": TODAY().isoformat(), "voucher": "PZ-2"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(instalment=second).amount == second.amount


def test_contract_page_links_evaluations_and_the_track_record(world, client):
    c = signed_contract(world)
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert f'href="/evaluations/contracts/{c.pk}/"' in html
    assert f'href="/evaluations/track-record/{c.organization_id}/"' in html


def test_report_attach_refused_for_purchaser(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    response = login("purchaser").post(
        f"/contracts/{c.pk}/reports/{report.pk}/attach/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")},
    )
    assert response.status_code == 403


def test_dashboards_of_both_parties_flag_late_items(world, client, login):
    import datetime as dt
    from unittest import mock

    from caidan.contracts.selectors import overdue_count

    from .factories import draft_contract

    contract = draft_contract(world)
    assert overdue_count(world.actor("purchaser")) == 0
    login("purchaser")
    assert 'data-testid="late-flag"' not in client.get("/dashboard/").content.decode()
    later = contract.sign_due + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert overdue_count(world.actor("purchaser")) == 1
        assert overdue_count(world.actor("provider")) == 1
        assert overdue_count(world.actor("purchaser2")) == 0
        login("purchaser")  # (a month later: the earlier session has expired)
        html = client.get("/dashboard/").content.decode()
        assert 'data-testid="late-flag"' in html and "逾期 1 项" in html
        login("provider")
        assert "逾期 1 项" in client.get("/dashboard/").content.decode()


def test_final_report_reminder_only_while_the_statements_are_missing(world, login):
    """Issue 9: the "attach the financial statements first" reminder disappeared neither
    after the upload nor after submission; now it shows only while it is still to do."""
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    reminder = "结项报告须附项目财务报表，请先上传附件再提交。"
    provider = login("provider")
    assert reminder in _html(provider.get(url))
    provider.post(url + "attach/", {"file": SimpleUploadedFile("财务报表.pdf", b"%PDF-1.4\n%x\n")})
    assert reminder not in _html(provider.get(url))
    assert provider.post(url, {"summary": "项目已完成。"}).status_code == 302
    assert reminder not in _html(provider.get(url))
    assert reminder not in _html(login("purchaser").get(url))
