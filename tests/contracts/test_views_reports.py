"""The contract pages: reports — the provider submits with fund lines and attachments, the
purchaser returns or accepts, only the right party acts; late reports badged, the final
report's reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caidan.contracts.inputs import ReportInput
from caidan.contracts.models import Report
from caidan.contracts.services import report_submit

from .factories import signed_contract
from .view_helpers import TODAY, _html

pytestmark = pytest.mark.django_db


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


def test_report_attach_refused_for_purchaser(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    response = login("purchaser").post(
        f"/contracts/{c.pk}/reports/{report.pk}/attach/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")},
    )
    assert response.status_code == 403


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
