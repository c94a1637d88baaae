"""Acceptance path of procurement: a provider submits a sealed bid in the browser; the bids
open at the deadline; the purchaser draws the experts; an expert declares and scores in
the browser (the others through the services); the purchaser confirms the award; an
anonymous visitor reads the award notice with the winner and the experts' names."""

import re

import pytest

from tests.browser.helpers import staff
from tests.procurement import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _score_by_services(tender, members):
    from caidan.procurement.services.evaluation import scorable_bids, scores_save, scores_submit
    from caidan.procurement.services.experts import panel_declare

    bids = scorable_bids(tender)
    for m in members:
        actor = factories.expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        scores = {str(b.pk): {f["id"]: str(f["max"]) for f in tender.factors} for b in bids}
        scores_save(member=m, scores=scores, actor=actor)
        scores_submit(member=m, actor=actor)


def test_bid_evaluation_award_and_public_notice(page, browser, live_server, world):
    from caidan.procurement.models import Award, Bid, PanelMember

    base = live_server.url
    tender = factories.published_tender(world, title="江苏路街道长者探访服务采购")
    factories.submit_bids(world, tender, ["900000.00", "950000.00"])

    # 1. The provider submits its bid in the browser and gets a receipt.
    provider = staff(browser, base, "provider")
    provider.goto(base + f"/procurement/tenders/{tender.pk}/")
    provider.get_by_role("link", name="递交投标").click()
    provider.wait_for_url(f"**/procurement/tenders/{tender.pk}/bid/")
    provider.get_by_label("投标报价（元）").fill("800000.00")
    provider.get_by_label("服务方案").fill("每周上门探访两次，建立一人一档。")
    provider.get_by_label("项目团队").fill("持证社工 6 名")
    provider.get_by_role("button", name="下一步：确认").click()
    provider.wait_for_load_state()
    assert provider.get_by_role("heading", name="确认递交投标").is_visible()
    assert provider.get_by_test_id("deadline-notice").is_visible()
    provider.get_by_role("button", name="确认密封递交").click()
    provider.wait_for_url(re.compile(r".*/procurement/bids/\d+/$"))
    assert provider.get_by_text("请保存回执。", exact=True).is_visible()
    bid = Bid.objects.get(tender=tender, organization__name="阳光家庭综合服务中心")
    assert provider.get_by_test_id("receipt").inner_text().strip() == bid.receipt

    # 2. The bids open together at the deadline.
    tender = factories.open_now(tender)
    assert tender.status == "evaluating", tender.failed_reason

    # 3. The purchaser draws the committee in the browser.
    officer = staff(browser, base, "purchaser")
    officer.goto(base + f"/procurement/tenders/{tender.pk}/")
    officer.get_by_role("link", name="评审委员会").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/panel/")
    officer.get_by_role("button", name="随机抽取评审专家").click()
    officer.wait_for_load_state()
    assert officer.get_by_text("结果一致").is_visible()
    members = list(
        PanelMember.objects.filter(tender=tender, status="drawn").select_related("expert__user")
    )
    assert len(members) == 5

    # 4. One expert declares and scores in the browser; the others through the services.
    first, rest = members[0], members[1:]
    expert = staff(browser, base, first.expert.user.username)
    expert.get_by_role("navigation").get_by_role("link", name="我的评审").click()
    expert.wait_for_url("**/procurement/reviews/")
    expert.get_by_role("link", name="声明利害关系").click()
    expert.wait_for_url(f"**/procurement/tenders/{tender.pk}/review/")
    assert expert.get_by_role("heading", name="利害关系声明").is_visible()
    expert.get_by_label("本人与各投标人不存在利害关系").check()
    expert.get_by_role("button", name="提交声明").click()
    expert.wait_for_url(f"**/procurement/tenders/{tender.pk}/review/")
    inputs = expert.get_by_test_id("score-table").locator("input[type=number]")
    assert inputs.count() == 3 * len(tender.factors)
    for i in range(inputs.count()):
        box = inputs.nth(i)
        box.fill(box.get_attribute("max"))
    expert.get_by_role("button", name="提交评分").click()
    expert.wait_for_load_state()
    assert expert.get_by_test_id("sheet-status").inner_text() == "已提交"
    _score_by_services(tender, rest)
    tender.refresh_from_db()
    assert tender.status == "evaluated"

    # 5. The purchaser confirms the recommended bidder.
    officer.goto(base + f"/procurement/tenders/{tender.pk}/")
    officer.get_by_role("link", name="确定中标人").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/award/")
    assert "阳光家庭综合服务中心" in officer.get_by_test_id("recommended").inner_text()
    officer.get_by_role("button", name="确定中标人并发布公告").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/notice/")
    award = Award.objects.get(tender=tender)
    assert award.bid == bid and award.status == "confirmed"

    # 6. Anyone reads the award notice: the winner and the evaluation experts.
    page.goto(base + f"/procurement/tenders/{tender.pk}/notice/")
    assert page.get_by_role("heading", name="中标结果公告").is_visible()
    assert "阳光家庭综合服务中心" in page.get_by_test_id("notice-winner").inner_text()
    experts = page.get_by_test_id("notice-experts").inner_text()
    for m in members:
        assert m.expert.name in experts
    assert page.get_by_role("link", name="下载评审数据（JSON）").is_visible()
