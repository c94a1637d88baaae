"""Acceptance path of a tender in two lots (issue 21): the demo provider bids on both lots
in the browser (lot 1 on a desktop, lot 2 on a 390 × 844 phone) from the tender's page; at
the deadline both lots open; the purchaser awards lot 1 (the provider, cheapest) and then
lot 2, where the cap of one lot per provider passes the provider over — the award page and
the notice say so — for the next-ranked; after both challenge windows the purchaser drafts
one contract per lot."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.helpers import staff
from tests.procurement.factories import committee_passes_all, make_bidders, submit_bids
from tests.procurement.lots_helpers import lots_of, lotted_draft, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bid(page, base, parent, lot, price):
    page.goto(base + f"/procurement/tenders/{parent.pk}/")
    lots = page.get_by_test_id("lots")
    assert lots.get_by_test_id("lot-row").count() == 2
    assert "每个供应商最多中标 1 个分包" in page.get_by_test_id("lot-rule").inner_text()
    lots.get_by_role("link", name=lot.title).click()
    page.wait_for_url(f"**/procurement/tenders/{lot.pk}/")
    assert page.get_by_test_id("lot-of").is_visible()
    page.get_by_role("link", name="递交投标").click()
    page.wait_for_url(f"**/procurement/tenders/{lot.pk}/bid/")
    page.get_by_label("投标报价（元）").fill(price)
    page.get_by_label("服务方案").fill("分片包干，每月回访。")
    page.get_by_label("项目团队").fill("持证社工 5 名")
    page.get_by_role("button", name="下一步：确认").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="确认密封递交").click()
    page.wait_for_url(re.compile(r".*/procurement/bids/\d+/$"))


def _jump(moment):
    import time_machine

    from caidan.common.tick import run_tick

    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    results = run_tick(now=timezone.now())
    assert not [r for r in results if r.error]
    return traveller


def test_two_lots_from_bids_to_two_contracts(browser, live_server, world):
    from caidan.contracts.models import Contract
    from caidan.procurement.models import Award

    base = live_server.url
    parent = publish(world, lotted_draft(world, cap=1))
    one, two = lots_of(parent)
    others = make_bidders(world, 2)
    submit_bids(world, one, ["390000.00", "395000.00"], bidders=others)
    submit_bids(world, two, ["380000.00", "385000.00"], bidders=others)

    # 1. The provider bids on lot 1 on a desktop and on lot 2 on a phone.
    _bid(staff(browser, base, "provider"), base, parent, one, "300000.00")
    _bid(staff(browser, base, "provider", phone=True), base, parent, two, "290000.00")
    provider_org = world.actor("provider").organization
    assert one.bids.filter(organization=provider_org).exists()
    assert two.bids.filter(organization=provider_org).exists()

    travellers = []
    try:
        # 2. At the deadline the tick opens both lots (never the tender itself); each
        #    lot's committee reviews its bids.
        travellers.append(_jump(parent.deadline + dt.timedelta(minutes=1)))
        for lot in (one, two):
            lot.refresh_from_db()
            assert lot.status == "evaluating", lot.failed_reason
            committee_passes_all(world, lot)
        parent.refresh_from_db()
        assert parent.status == "published"

        # 3. The purchaser awards lot 1, then lot 2: the cap passes the provider over.
        officer = staff(browser, base, "purchaser")
        officer.goto(base + f"/procurement/tenders/{one.pk}/award/")
        assert provider_org.name in officer.get_by_test_id("recommended").inner_text()
        officer.get_by_role("button", name="确定中标人并发布公告").click()
        officer.wait_for_url(f"**/procurement/tenders/{one.pk}/notice/")
        officer.goto(base + f"/procurement/tenders/{two.pk}/award/")
        skipped = officer.get_by_test_id("cap-skipped").inner_text()
        assert provider_org.name in skipped and "第 1 包" in skipped
        assert others[0].org.name in officer.get_by_test_id("recommended").inner_text()
        officer.get_by_role("button", name="确定中标人并发布公告").click()
        officer.wait_for_url(f"**/procurement/tenders/{two.pk}/notice/")
        assert provider_org.name in officer.get_by_test_id("notice-cap-skipped").inner_text()
        officer.goto(base + f"/procurement/tenders/{parent.pk}/")
        rows = officer.get_by_test_id("lot-row")
        assert provider_org.name in rows.nth(0).inner_text()
        assert others[0].org.name in rows.nth(1).inner_text()

        # 4. After both challenge windows, one contract per lot.
        awards = list(Award.objects.filter(tender__parent=parent).order_by("tender__lot_number"))
        closed = max(a.challenge_deadline for a in awards)
        travellers.append(_jump(closed + dt.timedelta(days=1)))
        officer = staff(browser, base, "purchaser")
        for award in awards:
            officer.goto(base + f"/contracts/new/{award.pk}/")
            officer.get_by_label("服务数量").fill("全年服务 1200 人次")
            officer.get_by_role("button", name="保存合同草稿").click()
            officer.wait_for_url(re.compile(r".*/contracts/\d+/$"))
        contracts = list(
            Contract.objects.filter(tender__parent=parent).order_by("tender__lot_number")
        )
        assert [c.organization for c in contracts] == [provider_org, others[0].org]
        assert [c.tender_id for c in contracts] == [one.pk, two.pk]
    finally:
        for traveller in reversed(travellers):
            traveller.stop()
