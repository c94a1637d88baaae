"""A proposal's indicators in the row editor in the browser (issue 20): the purchaser adds an
output row with 添加产出指标, removes one, and saves; the rows are saved in page order. Then
a bad target comes back under the table, naming its row, with everything typed kept."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _proposal(world):
    from caidan.accounts.models import Unit
    from caidan.catalog.models import CatalogItem
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=Unit.objects.get(code="310105-001"),
        data=ProposalInput.parse(
            title="社区长者助浴服务",
            catalog_item=item,
            budget="200000.00",
            funding=[{"source": "fiscal", "amount": "200000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[
                {"name": "助浴", "target": "600", "unit": "人次"},
                {"name": "旧指标", "target": "1", "unit": "项"},
            ],
        ),
    )


def test_purchaser_edits_indicator_rows(browser, live_server, world):
    from playwright.sync_api import expect

    proposal = _proposal(world)
    officer = staff(browser, live_server.url, "purchaser")
    officer.goto(live_server.url + f"/projects/proposals/{proposal.pk}/edit/")
    expect(officer.get_by_label("第 1 行指标名称").first).to_have_value("助浴")
    outputs = officer.get_by_test_id("rows-outputs").locator("tbody tr")
    count = outputs.count()  # the two saved rows and two blank ones
    assert count == 4
    officer.get_by_role("button", name="添加产出指标").click()
    expect(outputs).to_have_count(count + 1)
    officer.get_by_test_id("rows-outputs").get_by_label(f"第 {count + 1} 行指标名称").fill(
        "陪同就医"
    )
    officer.get_by_test_id("rows-outputs").get_by_label(f"第 {count + 1} 行目标值").fill("很多")
    officer.get_by_test_id("rows-outputs").get_by_role("button", name="删除第 2 行").click()
    expect(outputs).to_have_count(count)
    officer.get_by_label("项目名称").fill("社区长者助浴服务（修改）")
    officer.get_by_role("button", name="保存草稿").click()
    officer.wait_for_load_state()
    # Refused: the row is named as the page numbers it (the blank rows are not counted).
    expect(officer.get_by_text("产出指标第 2 行的指标目标值须为数字。")).to_be_visible()
    expect(officer.get_by_label("项目名称")).to_have_value("社区长者助浴服务（修改）")
    rows = officer.get_by_test_id("rows-outputs")
    expect(rows.get_by_label("第 2 行指标名称")).to_have_value("陪同就医")
    rows.get_by_label("第 2 行目标值").fill("80")
    rows.get_by_label("第 2 行单位").fill("次")
    officer.get_by_role("button", name="保存草稿").click()
    officer.wait_for_url(f"**/projects/proposals/{proposal.pk}/")
    officer.context.close()
    proposal.refresh_from_db()
    assert proposal.title == "社区长者助浴服务（修改）"
    assert proposal.outputs == [
        {"name": "助浴", "target": "600", "unit": "人次"},
        {"name": "陪同就医", "target": "80", "unit": "次"},
    ]
