"""The audit log in the browser: filter with the pickers, read sentences, export Excel."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_filters_with_pickers_and_exports(browser, live_server, world):
    from caidan.contracts.services import contract_update
    from tests.contracts.factories import draft_contract

    c = draft_contract(world)
    contract_update(contract=c, changes={"amount": "780000.00"}, actor=world.actor("purchaser"))
    page = staff(browser, live_server.url, "auditor")
    page.goto(live_server.url + "/audit/")
    page.get_by_label("操作人（姓名或用户名）").fill("purchaser")
    page.get_by_label("对象类型").select_option(label="合同")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/audit/?**")
    rows = page.get_by_test_id("audit-row")
    assert rows.count() >= 2
    first = rows.first.inner_text()
    assert "“合同金额（元）”由 ¥800,000.00 改为 ¥780,000.00" in first
    assert "contracts.contract" not in page.get_by_test_id("audit-table").inner_text()
    link = rows.first.get_by_role("link", name=c.reference, exact=False).first
    assert link.get_attribute("href") == f"/contracts/{c.pk}/"
    with page.expect_download() as info:
        page.get_by_test_id("audit-export").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    body = list(sheet.iter_rows(values_only=True))[1:]
    assert len(body) == rows.count() and {r[5] for r in body} == {"合同"}
    page.context.close()
