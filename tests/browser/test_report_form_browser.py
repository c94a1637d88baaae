"""The provider's report as one form (issue 20), on a desktop and on a 390 × 844 phone: the
fund rows come prefilled from the contract's budget lines, a file is attached with 上传附件
and the typed report stays, a row is added and the totals follow the typing, the report is
submitted with everything in it."""

import pytest

from tests.browser.helpers import staff
from tests.contracts import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = [
    {"line": "人员费", "amount": "600000.00"},
    {"line": "活动费", "amount": "200000.00"},
]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_provider_writes_attaches_and_submits_without_losing_the_text(
    browser, live_server, world, phone
):
    from playwright.sync_api import expect

    contract = factories.signed_contract(world, budget_lines=BUDGET)
    midterm = contract.reports.get(kind="midterm")
    provider = staff(browser, live_server.url, "provider", phone=phone)
    provider.goto(live_server.url + f"/contracts/{contract.pk}/reports/{midterm.pk}/")

    summary = "上半年完成探访 1200 人次，陪同就医 40 次。"
    provider.get_by_label("报告内容").fill(summary)
    # The rows come from the contract's budget lines, with the budget total under them.
    expect(provider.get_by_label("第 1 行预算科目", exact=True)).to_have_value("人员费")
    expect(provider.get_by_label("第 2 行预算金额（元）", exact=True)).to_have_value("200000.00")
    expect(provider.get_by_test_id("total-fund_lines-budget")).to_have_text("800,000.00")
    provider.get_by_label("第 1 行已支出（元）", exact=True).fill("300000.00")
    provider.get_by_label("第 2 行已支出（元）", exact=True).fill("50000.50")
    expect(provider.get_by_test_id("total-fund_lines-spent")).to_have_text("350,000.50")

    # 上传附件: the file is attached, the page comes back with everything typed.
    provider.locator("input[type=file]").set_input_files(
        files=[{"name": "凭证.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%x\n"}]
    )
    provider.get_by_role("button", name="上传附件").click()
    provider.wait_for_load_state()
    expect(provider.get_by_test_id("attachments")).to_contain_text("凭证.pdf")
    expect(provider.get_by_label("报告内容")).to_have_value(summary)
    expect(provider.get_by_label("第 2 行已支出（元）", exact=True)).to_have_value("50000.50")
    expect(provider.get_by_text("报告尚未提交")).to_be_visible()
    if phone:  # the rows are cards on a phone: the form never scrolls sideways
        width = provider.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width

    # A row added for a line the budget did not foresee; one blank row removed.
    rows = provider.get_by_test_id("rows-fund_lines").locator("tbody tr")
    before = rows.count()
    provider.get_by_role("button", name="添加预算科目").click()
    expect(rows).to_have_count(before + 1)
    new = before + 1
    provider.get_by_label(f"第 {new} 行预算科目", exact=True).fill("交通费")
    provider.get_by_label(f"第 {new} 行预算金额（元）", exact=True).fill("0")
    provider.get_by_label(f"第 {new} 行已支出（元）", exact=True).fill("1200")
    expect(provider.get_by_test_id("total-fund_lines-spent")).to_have_text("351,200.50")
    provider.get_by_role("button", name="删除第 3 行").click()  # a blank row
    expect(rows).to_have_count(before)
    expect(provider.get_by_label(f"第 {before} 行预算科目", exact=True)).to_have_value("交通费")

    provider.get_by_role("button", name="提交报告").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/reports/{midterm.pk}/")
    expect(provider.get_by_test_id("report-status")).to_have_text("已提交，待审核")
    expect(provider.get_by_test_id("fund-lines")).to_contain_text("交通费")
    if phone:  # the submitted statement fits the phone too
        width = provider.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    provider.context.close()
    midterm.refresh_from_db()
    assert midterm.status == "submitted" and midterm.summary == summary
    assert midterm.fund_lines == [
        {"line": "人员费", "budget": "600000.00", "spent": "300000.00"},
        {"line": "活动费", "budget": "200000.00", "spent": "50000.50"},
        {"line": "交通费", "budget": "0.00", "spent": "1200.00"},
    ]
