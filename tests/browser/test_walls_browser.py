"""Issue 20 in the browser: warn before the wall (the ceiling at submission, with the link to
where it is raised), whole evaluations (the purchaser's waiver on the publication check),
one answer box for enquiries (and a readable 屏蔽 button), survey slips with a QR code and
codes typed loosely — desktop, and 390 × 844 for the pages residents use."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.helpers import PHONE, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _draft(world, budget: str, year: int):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import proposal_create

    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title="独居老人探访服务（墙前提醒）",
            catalog_item=item,
            budget=budget,
            funding=[{"source": "fiscal", "amount": budget}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            outputs=[{"name": "上门探访", "target": "1200", "unit": "人次"}],
        ),
    )


def test_submission_over_the_ceiling_links_to_where_it_is_raised(browser, live_server, world):
    from playwright.sync_api import expect

    from caidan.projects.models import Proposal
    from caidan.projects.services import budget_ceiling_set
    from caidan.projects.services.ceilings import ceiling_room

    base = live_server.url
    year = timezone.localdate().year + 1
    unit = world.unit("310105-001")
    approved = ceiling_room(unit=unit, year=year).approved
    budget_ceiling_set(
        unit=unit, year=year, amount=str(approved + Decimal("1000.00")), actor=world.actor("admin")
    )
    p = _draft(world, "1000.01", year)

    officer = staff(browser, base, "purchaser")
    officer.goto(base + f"/projects/proposals/{p.pk}/")
    warning = officer.get_by_test_id("ceiling-warning")
    expect(warning).to_contain_text("余额 ¥1,000.00")
    expect(warning).to_contain_text("财政局（平台管理员）")
    officer.get_by_role("button", name="申报").click()
    officer.wait_for_load_state()
    message = officer.locator(".messages li.error")
    expect(message).to_contain_text("不能申报")
    expect(message).to_contain_text("财政局（平台管理员）")
    link = message.get_by_role("link", name="预算控制数页面")
    href = link.get_attribute("href")
    assert href == f"/projects/ceilings/?unit={unit.pk}&year={year}"
    assert Proposal.objects.get(pk=p.pk).status == "draft"

    # The finance bureau follows the link: the form is filled in for the street and year.
    admin = staff(browser, base, "admin")
    admin.goto(base + href)
    assert admin.get_by_label("购买主体").input_value() == str(unit.pk)
    assert admin.get_by_label("年度").input_value() == str(year)
    admin.get_by_label("预算控制数（元）").fill(str(approved + Decimal("1000.01")))
    admin.get_by_role("button", name="保存").click()
    expect(admin.get_by_text("预算控制数已保存。")).to_be_visible()

    # At exactly the room left, the proposal goes in.
    officer.goto(base + f"/projects/proposals/{p.pk}/")
    expect(officer.get_by_test_id("ceiling-warning")).to_have_count(0)
    officer.get_by_role("button", name="申报").click()
    expect(officer.get_by_text("已申报，等待审定委员会列入议程。")).to_be_visible()
    assert Proposal.objects.get(pk=p.pk).status == "submitted"


def test_the_purchaser_waives_on_the_publication_check_before_the_evaluator_publishes(
    browser, live_server, world
):
    from playwright.sync_api import expect

    from caidan.evaluations.inputs import ScoresInput
    from caidan.evaluations.models import Evaluation
    from caidan.evaluations.services import evaluation_score
    from tests.evaluations.factories import full_scores, scheduled

    base = live_server.url
    e = scheduled(world, "mid")
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )

    evaluator = staff(browser, base, "evaluator")
    evaluator.goto(base + f"/evaluations/{e.pk}/publish/")
    missing = evaluator.get_by_test_id("missing-subjects")
    expect(missing).to_contain_text("购买方评分")
    expect(missing).to_contain_text("服务对象满意度调查")
    expect(evaluator.get_by_role("button", name="确认公布")).to_have_count(0)
    expect(evaluator.get_by_test_id("waive-recipients")).to_have_count(0)  # the purchaser's

    purchaser = staff(browser, base, "purchaser")
    asked = []
    purchaser.on("dialog", lambda d: asked.append(d.message))
    purchaser.goto(base + f"/evaluations/{e.pk}/")
    purchaser.get_by_test_id("publish-check").click()
    purchaser.wait_for_url(f"**/evaluations/{e.pk}/publish/")
    for key, reason in (
        ("recipients", "中期测评时尚未开展满意度调查"),
        ("purchaser", "购买方本期不单独评分"),
    ):
        form = purchaser.get_by_test_id(f"waive-{key}")
        form.get_by_role("textbox").fill(reason)
        form.get_by_role("button", name="记录免评").click()
        expect(purchaser.get_by_test_id("waivers")).to_contain_text(reason)
    assert len(asked) == 2 and all("不能撤回" in m for m in asked)  # each one confirmed
    expect(purchaser.get_by_test_id("missing-subjects")).to_have_count(0)

    evaluator.reload()
    evaluator.get_by_role("button", name="确认公布").click()
    evaluator.wait_for_url(f"**/evaluations/{e.pk}/")
    assert Evaluation.objects.get(pk=e.pk).status == "published"
    expect(evaluator.get_by_test_id("waivers")).to_contain_text("中期测评时尚未开展满意度调查")


def _contrast(page, locator) -> float:
    """WCAG contrast ratio of an element's text colour on its background colour."""
    return page.evaluate(
        """(el) => {
          const rgb = (s) => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => {
            const c = [r, g, b].map((v) => { v /= 255;
              return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
          };
          const st = getComputedStyle(el);
          const a = lum(rgb(st.color)), b = lum(rgb(st.backgroundColor));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
        locator.element_handle(),
    )


def test_one_answer_box_publishes_with_consent_and_the_hide_button_is_readable(
    browser, live_server, world
):
    from playwright.sync_api import expect

    from caidan.enquiries.models import Enquiry
    from tests.enquiries.conftest import ask

    base = live_server.url
    e = ask(world, title="周末能否上门", body="请问周末能否上门服务？", publish_consent=True)

    officer = staff(browser, base, "purchaser")
    officer.goto(base + f"/enquiries/{e.pk}/")
    expect(officer.get_by_role("button", name="由我承办")).to_have_count(0)
    box = officer.get_by_test_id("reply-form")
    expect(box.get_by_test_id("reply-publish")).to_be_checked()
    hide = officer.get_by_role("button", name="屏蔽")
    assert _contrast(officer, hide) >= 4.5
    box.get_by_label("答复内容").fill("周六上午可以上门，请提前一天预约。")
    box.get_by_role("button", name="提交答复").click()
    expect(officer.get_by_text("已答复并公开")).to_be_visible()
    assert officer.get_by_test_id("enquiry-status").inner_text() == "已答复"
    e = Enquiry.objects.get(pk=e.pk)
    assert e.published and e.handler == world.user("purchaser")

    # What residents read, on a phone and on a desktop.
    for screen in (PHONE, {"viewport": {"width": 1280, "height": 900}}):
        ctx = browser.new_context(locale="zh-CN", **screen)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.goto(base + f"/enquiries/public/{e.pk}/")
        expect(page.get_by_test_id("answer")).to_contain_text("周六上午可以上门")
        _no_sideways_scroll(page)
        ctx.close()


def test_slips_carry_a_qr_code_and_residents_type_codes_loosely(browser, live_server, world):
    from playwright.sync_api import expect

    from caidan.evaluations.models import SurveyResponse
    from tests.evaluations.factories import appointed_contract

    base = live_server.url
    c = appointed_contract(world)
    today = timezone.localdate()
    purchaser = staff(browser, base, "purchaser")
    purchaser.goto(base + f"/evaluations/contracts/{c.pk}/surveys/new/")
    purchaser.get_by_label("截止日期").fill((today + dt.timedelta(days=10)).isoformat())
    purchaser.get_by_label("答卷码数量").fill("2")
    purchaser.get_by_role("button", name="发起调查并生成答卷码").click()
    slips = purchaser.get_by_test_id("tokens").locator("li")
    expect(slips).to_have_count(2)
    qr = slips.first.get_by_test_id("slip-qr").locator("svg")
    box = qr.bounding_box()
    assert box["width"] >= 90 and box["height"] >= 90  # big enough to scan from paper
    tokens = [t.strip() for t in slips.locator("code").all_inner_texts()]
    survey_path = re.sub(
        r"^https?://[^/]+", "", purchaser.get_by_test_id("survey-link").inner_text()
    )

    for screen, token in (
        (PHONE, tokens[0]),
        ({"viewport": {"width": 1280, "height": 900}}, tokens[1]),
    ):
        ctx = browser.new_context(locale="zh-CN", **screen)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.goto(base + survey_path)
        _no_sideways_scroll(page)
        page.get_by_label("答卷码", exact=True).fill(" " + token.replace("-", " ").lower() + " ")
        for group in page.get_by_role("group").all():
            radios = group.get_by_role("radio", name="4", exact=True)
            if radios.count():
                radios.check()
        page.get_by_role("button", name="提交答卷").click()
        page.wait_for_url("**/thanks/")
        ctx.close()
    assert SurveyResponse.objects.filter(survey__contract=c).count() == 2
