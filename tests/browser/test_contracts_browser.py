"""Acceptance path of contracts: the purchaser drafts the contract from the award and both
parties sign it in the browser; the purchaser records the first payment; the provider
submits the mid-term report with a fund-usage line; the purchaser returns it with a
comment; the provider sees the comment."""

import re

import pytest
from django.utils import timezone

from tests.browser.helpers import staff
from tests.contracts import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_pay_report_and_return(page, browser, live_server, world):
    from caidan.contracts.models import Contract, Payment

    base = live_server.url
    award = factories.award_for(world)

    # 1. The purchaser drafts the contract from the award (terms prefilled) and signs it.
    officer = staff(browser, base, "purchaser")
    officer.get_by_role("navigation").get_by_role("link", name="合同").click()
    officer.wait_for_url("**/contracts/")
    officer.get_by_role("link", name="签订合同").click()
    officer.wait_for_url("**/contracts/new/")
    officer.get_by_role("link", name="起草合同").click()
    officer.wait_for_url(f"**/contracts/new/{award.pk}/")
    assert officer.get_by_label("合同金额（元）").input_value() == "800000.00"
    assert officer.get_by_label("违约责任").input_value()
    officer.get_by_label("服务数量").fill("每周上门探访两次，全年 2400 人次")
    officer.get_by_role("button", name="保存合同草稿").click()
    officer.wait_for_url(re.compile(r".*/contracts/\d+/$"))
    contract = Contract.objects.get(award=award)
    assert officer.get_by_test_id("contract-status").inner_text() == "待签订"
    officer.get_by_role("link", name="签订本合同").click()
    officer.wait_for_url(f"**/contracts/{contract.pk}/sign/")
    assert officer.get_by_role("heading", name="签订本合同").is_visible()
    officer.get_by_role("button", name="确认签订").click()
    officer.wait_for_url(f"**/contracts/{contract.pk}/")
    assert officer.get_by_text("您一方已签订，等待对方签订。").first.is_visible()

    # 2. The provider signs: the contract takes effect.
    provider = staff(browser, base, "provider")
    provider.goto(base + f"/contracts/{contract.pk}/")
    provider.get_by_role("link", name="签订本合同").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/sign/")
    assert "阳光家庭综合服务中心" in provider.get_by_test_id("confirm-facts").inner_text()
    provider.get_by_role("button", name="确认签订").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/")
    assert provider.get_by_test_id("contract-status").inner_text() == "履行中"
    contract.refresh_from_db()
    assert contract.status == "active"

    # 3. The purchaser records the first payment (the amount is fixed by the plan).
    officer.goto(base + f"/contracts/{contract.pk}/")
    officer.get_by_test_id("instalment-1").get_by_role("link", name="记录付款").click()
    officer.wait_for_url(re.compile(r".*/instalments/\d+/pay/$"))
    assert officer.get_by_label("支付金额（元）").input_value() == "400000.00"
    assert officer.get_by_label("支付金额（元）").is_disabled()
    today = timezone.localdate().isoformat()
    officer.get_by_label("支付日期").fill(today)
    officer.get_by_label("凭证号").fill("PZ-2026-0001")
    officer.get_by_role("button", name="记录付款").click()
    officer.wait_for_url(f"**/contracts/{contract.pk}/")
    assert today in officer.get_by_test_id("instalment-1").inner_text()
    payment = Payment.objects.get(instalment__contract=contract, instalment__sequence=1)
    assert str(payment.amount) == "400000.00" and payment.voucher == "PZ-2026-0001"

    # 4. The provider submits the mid-term report with a fund-usage line.
    midterm = contract.reports.get(kind="midterm")
    provider.goto(base + f"/contracts/{contract.pk}/")
    provider.get_by_test_id("party-actions").get_by_role("link", name="报告").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/reports/")
    provider.get_by_test_id("report-list").get_by_role("row").filter(
        has_text="中期报告"
    ).get_by_role("link").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/reports/{midterm.pk}/")
    provider.get_by_label("报告内容").fill("上半年完成探访 1200 人次，建立一人一档。")
    provider.get_by_label("第 1 行预算科目", exact=True).fill("人员费")
    provider.get_by_label("第 1 行预算金额（元）", exact=True).fill("400000.00")
    provider.get_by_label("第 1 行已支出（元）", exact=True).fill("210000.00")
    provider.get_by_role("button", name="提交报告").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/reports/{midterm.pk}/")
    assert provider.get_by_test_id("report-status").inner_text() == "已提交，待审核"
    assert "人员费" in provider.get_by_test_id("fund-lines").inner_text()
    midterm.refresh_from_db()
    assert midterm.status == "submitted" and midterm.fund_lines[0]["spent"] == "210000.00"

    # 5. The purchaser returns it with a comment.
    officer.goto(base + f"/contracts/{contract.pk}/reports/{midterm.pk}/")
    officer.get_by_role("radio", name="退回修改").check()
    officer.get_by_label("审核意见").fill("请补充活动经费的使用明细。")
    officer.get_by_role("button", name="提交审核结论").click()
    officer.wait_for_url(f"**/contracts/{contract.pk}/reports/{midterm.pk}/")
    assert officer.get_by_test_id("report-status").inner_text() == "退回修改"
    midterm.refresh_from_db()
    assert midterm.status == "returned"

    # 6. The provider sees the comment and may resubmit.
    provider.goto(base + f"/contracts/{contract.pk}/reports/{midterm.pk}/")
    assert "请补充活动经费的使用明细。" in provider.get_by_test_id("review-comment").inner_text()
    assert provider.get_by_role("heading", name="修改后重新提交").is_visible()
    assert provider.get_by_label("第 1 行预算科目", exact=True).input_value() == "人员费"
