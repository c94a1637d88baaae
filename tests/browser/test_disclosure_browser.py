"""Acceptance path of disclosure: a member of the public (no login) opens the statistics page,
sees the chart and the table for 2012–2015, downloads the Excel file, then follows a tender's
award notice to its signed contract and on to the published evaluation."""

import io
from decimal import Decimal

import pytest

from tests.disclosure.test_ocds import full_lifecycle
from tests.stats.test_statistics import CHANGNING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_statistics_excel_and_award_notice_to_contract_to_evaluation(
    browser, live_server, world
):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    contract = full_lifecycle(world)
    tender = contract.tender
    evaluation = contract.evaluations.get(stage="final")
    base = live_server.url

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(15000)

    # 1. Statistics: the chart and the table of approved projects per year.
    page.goto(base + "/stats/")
    expect(page.get_by_role("heading", name="统计数据", exact=True)).to_be_visible()
    chart = page.get_by_test_id("chart-series")
    expect(chart).to_be_visible()
    table = page.get_by_test_id("stats-series")
    for year, count, wan in CHANGNING:
        row = table.get_by_role("row").filter(has_text=str(year))
        expect(row).to_contain_text(str(count))
        expect(row).to_contain_text(f"{wan:,.2f}")  # 万元, as statistics show money
        expect(chart).to_contain_text(str(year))
    bars = chart.locator("rect")
    assert bars.count() >= 4 and all(
        float(bars.nth(i).get_attribute("width")) > 0 for i in range(bars.count())
    )

    # 2. The Excel download holds the same series.
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()), read_only=True)
    rows = list(workbook["年度立项"].iter_rows(values_only=True))
    series = [(r[0], r[1], Decimal(str(r[3]))) for r in rows[1:] if 2012 <= r[0] <= 2015]
    assert series == CHANGNING

    # 3. From the tender to its award notice, the contract and the evaluation.
    page.goto(base + f"/procurement/tenders/{tender.pk}/")
    page.get_by_test_id("notice-link").click()
    expect(page.get_by_role("heading", name="中标结果公告")).to_be_visible()
    expect(page.get_by_test_id("notice-winner")).to_contain_text(contract.organization.name)
    page.get_by_test_id("notice-contract").click()
    expect(page.get_by_text(contract.reference).first).to_be_visible()
    page.get_by_test_id("evaluations-link").click()
    page.locator(f"a[href$='/evaluations/{evaluation.pk}/']").first.click()
    expect(page.get_by_text(evaluation.get_grade_display()).first).to_be_visible()
    expect(page.get_by_text(str(evaluation.total)).first).to_be_visible()
    ctx.close()
