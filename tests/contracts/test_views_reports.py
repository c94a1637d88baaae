"""The contract pages: reports — the provider submits with fund lines and attachments, the
purchaser returns or accepts, only the right party acts; late reports badged, the final
report's reminder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caidan.contracts.inputs import ReportInput
from caidan.contracts.models import Report
from caidan.contracts.services import report_submit

from .factories import signed_contract
from .view_helpers import TODAY, _html

pytestmark = pytest.mark.django_db


def _rows(*rows, name="fund_lines", keys=("line", "budget", "spent")) -> dict[str, str]:
    """The row editor's inputs for ``rows`` (``fund_lines-0-line`` …)."""
    return {
        f"{name}-{i}-{key}": value
        for i, row in enumerate(rows)
        for key, value in zip(keys, row, strict=True)
    }


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
    assert "fund_lines" in response.context["form"].errors
    # A nameless line after a blank row is the second row the page shows, and named so.
    response = client.post(
        url,
        {
            "summary": "中期服务开展顺利。",
            **_rows(("人员费", "400000.00", "210000.00"), ("", "", ""), ("", "1000", "10")),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["fund_lines"] == [
        "请填写资金使用明细第 2 行的预算科目名称。"
    ]
    response = client.post(
        url,
        {
            "summary": "中期服务开展顺利，完成 1200 人次探访。",
            **_rows(("人员费", "400000.00", "210000.00"), ("活动费", "100000.00", "40000.50")),
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
    assert "250,000.50" in html  # the spent total
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
        {"summary": "已补充凭证。", **_rows(("人员费", "400000.00", "210000.00"))},
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
    """A file added to a report waiting for review (no report form then) goes through the
    attach route; a refused one is shown on its form."""
    c = signed_contract(world)
    report = _submit_midterm(world, c)
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
    reminder = "结项报告须附项目财务报表：选好文件后提交报告，或先上传附件。"
    provider = login("provider")
    assert reminder in _html(provider.get(url))
    provider.post(url + "attach/", {"file": SimpleUploadedFile("财务报表.pdf", b"%PDF-1.4\n%x\n")})
    assert reminder not in _html(provider.get(url))
    assert provider.post(url, {"summary": "项目已完成。"}).status_code == 302
    assert reminder not in _html(provider.get(url))
    assert reminder not in _html(login("purchaser").get(url))


# --- one form: the report, its fund rows and its files (issue 20) ------------------------------

PDF = b"%PDF-1.4\n%x\n"


def _documents(report):
    from caidan.documents.models import Document

    return list(
        Document.objects.filter(target_type="contracts.report", target_id=str(report.pk))
        .order_by("pk")
        .values_list("original_name", flat=True)
    )


def test_a_refused_upload_keeps_the_typed_report(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="midterm")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url,
        {
            "action": "attach",
            "summary": "写了一半的中期报告。",
            **_rows(("人员费", "400000.00", "123456.78")),
            "file": SimpleUploadedFile("x.exe", b"MZ\x00\x00"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    html = _html(response)
    assert "写了一半的中期报告。" in html and 'value="123456.78"' in html
    assert _documents(report) == []
    report.refresh_from_db()
    assert report.status == "due"


def test_uploading_keeps_the_typed_report_and_does_not_submit(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url,
        {
            "action": "attach",
            "summary": "全年服务已完成，财务报表见附件。",
            **_rows(("人员费", "400000.00", "390000.00")),
            "file": SimpleUploadedFile("财务报表.pdf", PDF),
            "description": "年度报表",
        },
    )
    assert response.status_code == 200
    html = _html(response)
    assert "全年服务已完成，财务报表见附件。" in html and 'value="390000.00"' in html
    assert "财务报表.pdf" in html and "报告尚未提交" in html
    assert 'value="年度报表"' not in html  # the next file starts blank
    assert _documents(report) == ["财务报表.pdf"]
    report.refresh_from_db()
    assert report.status == "due" and report.summary == ""


def test_uploading_before_writing_anything(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url, {"action": "attach", "summary": "", "file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 200 and not response.context["form"].errors
    assert _documents(report) == ["a.pdf"]
    # 上传附件 without a file says so, and keeps the text.
    response = login("provider").post(url, {"action": "attach", "summary": "草稿"})
    assert response.context["form"].errors["file"] == ["请选择要上传的文件。"]
    assert "草稿" in _html(response)


def test_the_final_report_and_its_statements_in_one_submit(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="final")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url,
        {"action": "submit", "summary": "项目已完成。", "file": SimpleUploadedFile("表.pdf", PDF)},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and _documents(report) == ["表.pdf"]


def test_a_refused_report_keeps_its_text_and_the_file_sent_with_it(world, login):
    c = signed_contract(world)
    report = c.reports.get(kind="midterm")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url,
        {"summary": "中期报告正文。", "file": SimpleUploadedFile("凭证.pdf", PDF)},
    )
    assert response.status_code == 200  # no fund line: refused
    assert response.context["form"].errors["fund_lines"]
    html = _html(response)
    assert "中期报告正文。" in html and "凭证.pdf" in html
    assert _documents(report) == ["凭证.pdf"]
    report.refresh_from_db()
    assert report.status == "due"


BUDGET = [
    {"line": "人员费", "amount": "600000.00"},
    {"line": "活动费", "amount": "150000.00"},
    {"line": "管理费", "amount": "50000.00"},
]


def test_fund_rows_start_from_the_contract_budget_lines(world, login):
    c = signed_contract(world, budget_lines=BUDGET)
    report = c.reports.get(kind="midterm")
    response = login("provider").get(f"/contracts/{c.pk}/reports/{report.pk}/")
    assert response.context["form"].initial["fund_lines"] == [
        {"line": "人员费", "budget": "600000.00", "spent": ""},
        {"line": "活动费", "budget": "150000.00", "spent": ""},
        {"line": "管理费", "budget": "50000.00", "spent": ""},
    ]
    html = _html(response)
    assert 'name="fund_lines-2-line" id="id_fund_lines-2-line" value="管理费"' in html
    assert 'name="fund_lines-4-line"' in html and 'name="fund_lines-5-line"' not in html  # 2 blank
    assert "800,000.00" in html  # the budget total under the column
    assert "科目和预算金额取自合同的预算明细。" in html
    # A progress report's statement is optional: its rows start blank.
    first = c.reports.get(kind="progress", sequence=1)
    response = login("provider").get(f"/contracts/{c.pk}/reports/{first.pk}/")
    assert response.context["form"].initial["fund_lines"] == []


def test_without_budget_lines_the_rows_start_from_the_last_statement(world, login):
    c = signed_contract(world)
    _submit_midterm(world, c)
    final = c.reports.get(kind="final")
    response = login("provider").get(f"/contracts/{c.pk}/reports/{final.pk}/")
    assert response.context["form"].initial["fund_lines"] == [
        {"line": "人员费", "budget": "400000.00", "spent": ""}
    ]
    first = c.reports.get(kind="progress", sequence=1)
    response = login("provider").get(f"/contracts/{c.pk}/reports/{first.pk}/")
    assert response.context["form"].initial["fund_lines"] == []  # nothing earlier


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("人员费", "1000.00", "-0.01"), "资金使用明细第 1 行的已支出金额不能为负数。"),
        (("人员费", "1000.00", "0.001"), "资金使用明细第 1 行的已支出金额须为以元计的金额"),
        (("人员费", "-0.01", "0"), "资金使用明细第 1 行的预算金额不能为负数。"),
        (("", "1000.00", "0"), "请填写资金使用明细第 1 行的预算科目名称。"),
        (("人员费", "1000.00", ""), "资金使用明细第 1 行的已支出金额不能为空"),
        (("人员费", "一千", "0"), "资金使用明细第 1 行的预算金额须为以元计的金额"),
    ],
)
def test_fund_rows_are_checked_by_the_server_naming_row_and_column(world, login, row, message):
    c = signed_contract(world)
    report = c.reports.get(kind="midterm")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(url, {"summary": "中期报告。", **_rows(row)})
    assert response.status_code == 200
    errors = response.context["form"].errors["fund_lines"]
    assert any(e.startswith(message) for e in errors), errors
    report.refresh_from_db()
    assert report.status == "due"


@pytest.mark.parametrize("spent", ["0", "0.00", "0.01", "1000.10"])
def test_fund_amounts_at_the_boundaries_are_accepted(world, login, spent):
    c = signed_contract(world)
    report = c.reports.get(kind="midterm")
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    response = login("provider").post(
        url, {"summary": "中期报告。", **_rows(("人员费", "0.00", spent))}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.fund_lines[0]["spent"] == str(Decimal(spent).quantize(Decimal("0.01")))


def test_the_report_form_in_english_has_no_chinese_but_data(world, login, settings):
    import re

    c = signed_contract(world, budget_lines=BUDGET)
    report = c.reports.get(kind="midterm")
    client = login("provider")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/contracts/{c.pk}/reports/{report.pk}/")
    html = _html(response)
    form = html[
        html.index('data-testid="report-form"') : html.index(
            "</form>", html.index('data-testid="report-form"')
        )
    ]
    assert "Row 1: Budget line" in form and "Add a budget line" in form and "Total" in form
    assert "Spent (yuan)" in form and "Upload attachment" in form and "Submit the report" in form
    for data in ("人员费", "活动费", "管理费"):
        form = form.replace(data, "")
    leftover = re.findall(r"[\u4e00-\u9fff]+", form)
    assert leftover == [], leftover
