"""Issue 9: one district's year on Caidan, as its users live it, in the browser.

Residents state needs and order from the menu; the purchaser proposes a project; the
committee approves it; a tender is published; three providers bid (one refused); the
deadline passes; experts are drawn, declare and score; the award is published and
challenged; the contract is signed and published; instalments are paid as reports come in
and evaluations pass; residents answer the survey; the public portal, the OCDS export and
the statistics show it all; the audit log verifies.

Every step is done through the browser by the role that does it. The test only moves the
clock (``time_machine``) and runs the tick after each jump, as cron would. Screenshots of
each step land in ``var/e2e/`` and illustrate ``docs/walkthrough.md``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from caidan.demo.data import DEMO_PASSWORD

from .steps import evaluate, local, next_working_day, pay, report, resident_verifies, review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "江苏路街道独居老人关爱服务"
# Staff accounts the admin opens during the journey: (username, name, organization).
PROVIDERS = [
    ("yifang", "王社工（上海壹方）", "上海壹方社会服务事业发展中心"),
    ("junhui", "李咨询师（君慧）", "君慧心理咨询工作室"),
]


def test_one_service_year(journey):
    from playwright.sync_api import expect

    from caidan.contracts.models import Contract
    from caidan.needs.models import Menu, Need
    from caidan.procurement.models import Award, Bid, Challenge, PanelMember, Tender
    from caidan.projects.models import Proposal

    j = journey
    started = time.monotonic()
    today = timezone.localdate()
    # The service year starts on the first day of the month after next.
    first = (today.replace(day=1) + dt.timedelta(days=62)).replace(day=1)
    period_start = first
    period_end = period_start.replace(year=period_start.year + 1) - dt.timedelta(days=1)

    # ── 01. A resident verifies a phone number and states a need ─────────────────────────
    resident = j.new_page(phone=True)
    resident_verifies(j, resident, "13900000101", "/needs/new/")
    j.go(resident, "/needs/new/")
    resident.get_by_label("街道（镇）").select_option(label="江苏路街道")
    resident.get_by_label("社区（居委会）").fill("愚园路居委会")
    resident.get_by_label("服务对象").select_option(label="困难独居老人")
    resident.get_by_label("需求内容").fill(
        "小区里独居的高龄老人多，希望有人定期上门探访、陪同就医，及时发现突发情况。"
    )
    j.shot(resident, "01-resident-states-a-need")
    resident.get_by_role("button", name=re.compile("提交")).click()
    expect(resident).not_to_have_url(re.compile(r".*/needs/new/$"))
    assert Need.objects.filter(community="愚园路居委会").exists()

    # ── 02. Residents order from the published menu ──────────────────────────────────────
    menu = Menu.objects.get(status="published")
    j.go(resident, "/needs/menus/")
    resident.get_by_role("link", name=menu.title).first.click()
    resident.wait_for_url(f"**/needs/menus/{menu.pk}/")
    rows = resident.get_by_test_id("menu-items").locator("tbody tr")
    rows.first.get_by_role("button", name="支持").click()
    resident.wait_for_load_state()
    expect(rows.first.get_by_text("已支持")).to_be_visible()
    j.shot(resident, "02-resident-orders-from-the-menu")
    neighbour = j.new_page(phone=True)
    resident_verifies(j, neighbour, "13900000102")
    j.go(neighbour, f"/needs/menus/{menu.pk}/")
    neighbour.get_by_test_id("menu-items").locator("tbody tr").first.get_by_role(
        "button", name="支持"
    ).click()
    neighbour.wait_for_load_state()
    neighbour.context.close()

    # ── 03. The purchaser turns the top menu item into a proposal and submits it ──────────
    officer = j.as_("purchaser")
    expect(officer.locator("main").get_by_role("link", name="编制服务菜单")).to_be_visible()
    j.go(officer, f"/needs/menus/{menu.pk}/results/")
    top = officer.get_by_test_id("results").locator("tbody tr").first
    top.get_by_role("link", name="转为项目申报").click()
    officer.wait_for_url("**/projects/proposals/new/**")
    officer.get_by_label("项目名称").fill(TITLE)
    officer.get_by_label("项目预算（元）").fill("600000.00")
    officer.get_by_label("财政预算（元）").fill("600000.00")
    officer.get_by_label("服务期开始").fill(period_start.isoformat())
    officer.get_by_label("服务期结束").fill(period_end.isoformat())
    if period_start.year != period_end.year:
        officer.get_by_label("跨年度理由").fill("服务期为自签约起的一个完整服务年度。")
    officer.get_by_label("拟采用采购方式").select_option(value="consultation")
    officer.get_by_label("承接主体等级要求").select_option(value="none")
    j.shot(officer, "03-purchaser-drafts-the-proposal")
    officer.get_by_role("button", name="保存草稿").click()
    officer.wait_for_url(re.compile(r".*/projects/proposals/\d+/$"))
    officer.get_by_role("button", name="申报").click()
    officer.wait_for_load_state()
    expect(officer.get_by_test_id("proposal-status")).to_have_text("已申报")
    proposal = Proposal.objects.get(title=TITLE)
    j.shot(officer, "04-purchaser-submits-the-proposal")

    # ── 04. The committee approves it within the ceiling ─────────────────────────────────
    member = j.as_("committee")
    member.locator("main").get_by_role("link", name="审定会议").click()
    member.wait_for_url("**/projects/sessions/")
    member.get_by_label("会议名称").fill(f"{period_start.year}年度第一次审定会议")
    member.get_by_label("会议时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    member.get_by_label("赵委员（审定委员会）").check()
    member.get_by_label("张街道（江苏路街道）").check()
    member.get_by_role("button", name="创建").click()
    member.wait_for_url(re.compile(r".*/projects/sessions/\d+/$"))
    member.get_by_role("row", name=re.compile(TITLE)).get_by_role("button", name="列入议程").click()
    member.wait_for_load_state()
    member.get_by_role("button", name="开始表决").click()
    member.wait_for_load_state()
    member.get_by_role("button", name="赞成").click()
    member.wait_for_load_state()
    member.get_by_role("button", name="作出审定决定").click()
    member.wait_for_load_state()
    expect(member.get_by_text("审定结果：通过")).to_be_visible()
    j.shot(member, "05-committee-approves")
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    # Within the street's ceiling for the year: the project page shows what is left.
    j.go(member, f"/projects/proposals/{proposal.pk}/")
    expect(member.locator("main")).to_contain_text(re.compile(r"预算控制数.*余额"))

    # ── 05. The admin opens accounts for two more organizations' staff ──────────────────
    admin = j.as_("admin")
    admin.locator("main").get_by_role("link", name="用户与角色").click()
    admin.wait_for_url("**/accounts/users/")
    for username, name, org in PROVIDERS:
        j.go(admin, "/accounts/users/")
        admin.get_by_label("用户名", exact=True).fill(username)
        admin.get_by_label("姓名", exact=True).fill(name)
        admin.get_by_label("初始密码").fill(DEMO_PASSWORD)
        admin.get_by_role("button", name="创建").click()
        admin.wait_for_url(re.compile(r".*/accounts/users/\d+/$"))
        admin.get_by_label("角色").select_option(value="provider")
        admin.get_by_label("所属组织").select_option(label=org)
        admin.get_by_role("button", name="授予").click()
        admin.wait_for_load_state()
        expect(admin.get_by_text("已授予角色")).to_be_visible()
    j.shot(admin, "06-admin-grants-provider-accounts")

    # ── 06. The purchaser drafts the consultation documents and publishes them ───────────
    j.go(officer, "/dashboard/")
    officer.locator("main .panels").get_by_role("link", name="发起采购").first.click()
    officer.wait_for_url("**/procurement/new/")
    officer.get_by_role("row", name=re.compile(TITLE)).get_by_role(
        "link", name="编制采购文件"
    ).click()
    officer.wait_for_url(f"**/procurement/new/{proposal.pk}/")
    deadline = local(next_working_day(today + dt.timedelta(days=14)))
    officer.get_by_label("采购预算（最高限价，元）").fill("600000.00")
    officer.get_by_label("评审委员会人数").fill("3")
    # The scoring sheet: the elderly-care template, one row added; the total follows.
    expect(officer.get_by_test_id("section-invitation")).to_be_hidden()  # not single source
    officer.get_by_label("评分表模板").select_option("elderly")
    officer.get_by_role("button", name="套用模板").click()
    rows = officer.get_by_test_id("factor-rows").locator("tbody tr")
    rows.first.get_by_label("分值").fill("25")
    expect(officer.get_by_test_id("sheet-total")).to_have_text("95")
    officer.get_by_role("button", name="增加一行").click()
    rows.last.get_by_label("评分因素").fill("服务对象回访")
    rows.last.get_by_label("分值").fill("5")
    expect(officer.get_by_test_id("sheet-total")).to_have_text("100")
    officer.get_by_label("投标截止（开标）时间").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    j.shot(officer, "07-purchaser-drafts-the-tender")
    officer.get_by_role("button", name="保存草稿").click()
    officer.wait_for_url(re.compile(r".*/procurement/tenders/\d+/$"))
    tender = Tender.objects.get(proposal=proposal)
    assert [f["id"] for f in tender.factors] == ["plan", "team", "safety", "experience", "f1"]
    officer.get_by_role("link", name="发布公告").click()
    officer.get_by_role("button", name="确认发布").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/")
    tender.refresh_from_db()
    assert tender.status == "published", tender.status
    j.shot(officer, "08-tender-published")

    # ── 07. Three providers bid; the one on the abnormal-activity list is refused ────────
    prices = {"provider": "560000.00", "yifang": "580000.00", "junhui": "500000.00"}
    for username in ("provider", "yifang", "junhui"):
        bidder = j.as_(username)
        if username == "provider":
            bidder.locator("main").get_by_role("link", name="政府采购公告").click()
            bidder.wait_for_url("**/procurement/")
            bidder.get_by_role("link", name=tender.title).first.click()
        else:
            j.go(bidder, f"/procurement/tenders/{tender.pk}/")
        if username == "junhui":
            # On the abnormal-activity list: told why on the tender page, no bid form.
            expect(bidder.get_by_test_id("ineligible")).to_contain_text("活动异常名录")
            expect(bidder.get_by_role("link", name="递交投标")).to_have_count(0)
            j.shot(bidder, "10-ineligible-provider-is-told-why")
            continue
        bidder.get_by_role("link", name="递交投标").click()
        bidder.wait_for_url(f"**/procurement/tenders/{tender.pk}/bid/")
        bidder.get_by_label("投标报价（元）").fill(prices[username])
        bidder.get_by_label("服务方案").fill("每周上门探访两次，建立一人一档，陪同就医。")
        bidder.get_by_label("项目团队").fill("持证社工 6 名，护理员 4 名")
        bidder.get_by_role("button", name="下一步：确认").click()
        bidder.wait_for_load_state()
        bidder.get_by_role("button", name="确认密封递交").click()
        bidder.wait_for_url(re.compile(r".*/procurement/bids/\d+/$"))
        expect(bidder.get_by_text("请保存回执。", exact=True)).to_be_visible()
        if username == "provider":
            j.shot(bidder, "09-provider-bid-receipt")
    assert Bid.objects.filter(tender=tender).count() == 2

    # ── 08. The deadline passes: the tick opens the bids ─────────────────────────────────
    j.jump(deadline + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == "evaluating", (tender.status, tender.failed_reason)

    j.shot(j.go(j.new_page(), f"/procurement/tenders/{tender.pk}/"), "11-bids-opened")

    # ── 09. The purchaser draws the expert panel at random ───────────────────────────────
    officer = j.as_("purchaser")
    j.go(officer, f"/procurement/tenders/{tender.pk}/")
    officer.get_by_role("link", name="评审委员会").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/panel/")
    officer.get_by_role("button", name="随机抽取评审专家").click()
    officer.wait_for_load_state()
    expect(officer.get_by_text("结果一致")).to_be_visible()
    j.shot(officer, "12-purchaser-draws-the-experts")
    members = list(
        PanelMember.objects.filter(tender=tender, status="drawn").select_related("expert__user")
    )
    assert len(members) == 3

    # ── 10. Each expert declares no conflict, then scores independently ──────────────────
    for n, m in enumerate(members):
        expert = j.as_(m.expert.user.username)
        expert.locator("main").get_by_role("link", name="我的评审").click()
        expert.wait_for_url("**/procurement/reviews/")
        expert.get_by_role("link", name="声明利害关系").click()
        expert.wait_for_url(f"**/procurement/tenders/{tender.pk}/review/")
        if n == 0:
            j.shot(expert, "13-expert-declares")
        expert.get_by_label("本人与各投标人不存在利害关系").check()
        expert.get_by_role("button", name="提交声明").click()
        expert.wait_for_url(f"**/procurement/tenders/{tender.pk}/review/")
        table = expert.get_by_test_id("score-table")
        for row, share in (("阳光家庭综合服务中心", 0.9), ("上海壹方社会服务事业发展中心", 0.8)):
            boxes = table.get_by_role("row").filter(has_text=row).locator("input[type=number]")
            for i in range(boxes.count()):
                box = boxes.nth(i)
                box.fill(str(round(float(box.get_attribute("max")) * share)))
        if n == 0:
            j.shot(expert, "14-expert-scores")
        expert.get_by_role("button", name="提交评分").click()
        expert.wait_for_load_state()
        expect(expert.get_by_test_id("sheet-status")).to_have_text("已提交")
    tender.refresh_from_db()
    assert tender.status == "evaluated", tender.status

    # ── 11. The purchaser confirms the recommended bidder: the award notice is public ────
    j.go(officer, f"/procurement/tenders/{tender.pk}/")
    officer.get_by_role("link", name="确定中标人").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/award/")
    expect(officer.get_by_test_id("recommended")).to_contain_text("阳光家庭综合服务中心")
    j.shot(officer, "15-purchaser-confirms-the-award")
    officer.get_by_role("button", name="确定中标人并发布公告").click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/notice/")
    expect(officer.get_by_test_id("notice-winner")).to_contain_text("阳光家庭综合服务中心")
    j.shot(officer, "16-award-notice")

    # ── 12. The losing bidder challenges the result; the purchaser answers ───────────────
    loser = j.as_("yifang")
    j.go(loser, f"/procurement/tenders/{tender.pk}/")
    loser.get_by_role("link", name="提出质疑").click()
    loser.get_by_label("质疑事项和理由").fill(
        "我机构服务方案的专业性评分偏低，请说明服务方案一项的评分依据。"
    )
    j.shot(loser, "17-losing-bidder-challenges")
    loser.get_by_role("button", name="提交质疑").click()
    loser.wait_for_load_state()
    challenge = Challenge.objects.get(tender=tender)
    # The purchaser learns of it from the notifications, which lead to the tender page.
    j.go(officer, "/dashboard/")
    officer.get_by_role("navigation").get_by_role("link", name=re.compile("^通知")).click()
    officer.wait_for_url("**/notifications/")
    officer.get_by_role(
        "button", name=re.compile(rf"^请答复质疑，截止 .*：{re.escape(tender.title)}")
    ).click()
    officer.wait_for_url(f"**/procurement/tenders/{tender.pk}/")
    officer.get_by_label("答复内容").fill(
        "经复核，评审专家按评分表独立评分，服务方案得分有评分记录为据，质疑不成立。"
    )
    officer.get_by_label("不成立").check()
    officer.get_by_role("button", name="答复质疑").click()
    officer.wait_for_load_state()
    challenge.refresh_from_db()
    assert challenge.status != "filed", challenge.status
    j.go(loser, "/notifications/")
    loser.get_by_role("button", name=f"质疑答复：{tender.title}").click()
    loser.wait_for_url(f"**/procurement/tenders/{tender.pk}/")
    expect(loser.get_by_text("质疑不成立").first).to_be_visible()
    j.shot(loser, "18-challenge-answered")

    # ── 13. The challenge window closes (tick); the parties sign the contract ────────────
    award = Award.objects.get(tender=tender)
    after_window = timezone.localtime(award.challenge_deadline).date() + dt.timedelta(days=1)
    j.jump(local(next_working_day(after_window), 9))
    tender.refresh_from_db()
    assert tender.status == "concluded", tender.status
    officer = j.as_("purchaser")
    officer.locator("main .panels").get_by_role("link", name="签订合同").click()
    officer.wait_for_url("**/contracts/new/")
    officer.get_by_role("row", name=re.compile(TITLE)).get_by_role("link", name="起草合同").click()
    officer.wait_for_url(re.compile(r".*/contracts/new/\d+/$"))
    expect(officer.get_by_label("合同金额（元）")).to_have_value("560000.00")
    officer.get_by_label("服务数量").fill("服务独居老人 200 名，全年上门探访 4800 人次")
    officer.get_by_label("第 1 行预算科目", exact=True).fill("人员费")
    officer.get_by_label("第 1 行预算金额（元）", exact=True).fill("480000.00")
    officer.get_by_label("第 2 行预算科目", exact=True).fill("活动费")
    officer.get_by_label("第 2 行预算金额（元）", exact=True).fill("80000.00")
    j.shot(officer, "19-purchaser-drafts-the-contract")
    officer.get_by_role("button", name="保存合同草稿").click()
    officer.wait_for_url(re.compile(r".*/contracts/\d+/$"))
    contract = Contract.objects.get(tender=tender)
    officer.get_by_role("link", name="签订本合同").click()
    officer.get_by_role("button", name="确认签订").click()
    officer.wait_for_url(f"**/contracts/{contract.pk}/")
    provider = j.as_("provider")
    provider.locator("main").get_by_role("link", name="合同待办").click()
    provider.wait_for_url("**/contracts/todo/")
    provider.get_by_role("link", name=re.compile(TITLE)).first.click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/**")
    j.go(provider, f"/contracts/{contract.pk}/")
    provider.get_by_role("link", name="签订本合同").click()
    provider.get_by_role("button", name="确认签订").click()
    provider.wait_for_url(f"**/contracts/{contract.pk}/")
    expect(provider.get_by_test_id("contract-status")).to_have_text("履行中")
    j.shot(provider, "20-contract-signed-and-published")

    # ── 14. The first instalment is paid; the evaluator is appointed ─────────────────────
    pay(j, officer, contract, 1, "PZ-1")
    j.shot(officer, "21-first-instalment-paid")
    j.go(officer, f"/contracts/{contract.pk}/")
    officer.get_by_test_id("evaluations-link").click()
    officer.wait_for_url(f"**/evaluations/contracts/{contract.pk}/")
    officer.get_by_label("第三方评估机构").select_option(label="上海申杰社会组织培育评估中心")
    officer.get_by_role("button", name="委托").click()
    officer.wait_for_load_state()
    expect(officer.get_by_test_id("appointed")).to_contain_text("上海申杰")
    j.shot(officer, "22-evaluator-appointed")

    # ── 15. Three months in: the first progress report ───────────────────────────────────
    contract.refresh_from_db()
    first_report = contract.reports.get(kind="progress", sequence=1)
    j.jump(local(first_report.due_on - dt.timedelta(days=2)))
    report(j, contract, first_report, "第一季度完成上门探访 1150 人次，建立一人一档 200 份。")
    j.shot(j.pages["provider"], "23-provider-files-a-progress-report")
    review(j, contract, first_report)

    # ── 16. Half-way: the mid-term report with its fund usage; the mid-term evaluation ───
    midterm = contract.reports.get(kind="midterm")
    j.jump(local(midterm.due_on - dt.timedelta(days=2)))
    report(
        j,
        contract,
        midterm,
        "上半年完成探访 2400 人次，陪同就医 86 次，发现并处置突发情况 3 起。",
        fund=[("人员费", "480000.00", "230000.00"), ("活动费", "80000.00", "36000.00")],
    )
    j.shot(j.pages["provider"], "24-provider-files-the-midterm-report")
    review(j, contract, midterm)
    evaluate(j, contract, "mid", "25")
    pay(j, j.as_("purchaser"), contract, 2, "PZ-2")
    j.shot(j.pages["purchaser"], "28-second-instalment-paid")

    # ── 17. Nine months in: progress report; residents answer the satisfaction survey ────
    second_report = contract.reports.get(kind="progress", sequence=2)
    j.jump(local(second_report.due_on - dt.timedelta(days=2)))
    report(j, contract, second_report, "第三季度完成探访 1200 人次，开展防诈骗讲座 4 场。")
    review(j, contract, second_report)
    officer = j.as_("purchaser")
    j.go(officer, f"/evaluations/contracts/{contract.pk}/")
    officer.get_by_role("link", name="发起满意度调查").click()
    officer.get_by_label("截止日期").fill(
        (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    )
    officer.get_by_label("答卷码数量").fill("3")
    officer.get_by_role("button", name=re.compile("发起|创建|生成")).click()
    officer.wait_for_load_state()
    tokens = [t.strip() for t in officer.get_by_test_id("tokens").locator("code").all_inner_texts()]
    assert len(tokens) == 3
    # Each printed slip holds its whole link (it used to run over into the next slip).
    overflowing = officer.get_by_test_id("tokens").evaluate(
        "ul => [...ul.querySelectorAll('li')].filter(li => li.scrollWidth > li.clientWidth).length"
    )
    assert overflowing == 0
    j.shot(officer, "29-purchaser-prints-survey-slips")
    survey_path = (
        "/evaluations/s/"
        + officer.get_by_test_id("survey-link").inner_text().rstrip("/").rsplit("/", 1)[-1]
        + "/"
    )
    for n, token in enumerate(tokens):
        phone = j.new_page(phone=True)
        j.go(phone, survey_path)
        phone.get_by_label("答卷码", exact=True).fill(token)
        for group in phone.get_by_role("group").all():
            radios = group.get_by_role("radio")
            if radios.count():
                radios.nth(radios.count() - 1 - (n % 2)).check()
        if n == 0:
            phone.get_by_label("您还有什么意见或建议？").fill("社工很耐心，希望周末也能上门。")
            j.shot(phone, "30-resident-answers-the-survey")
        phone.get_by_role("button", name="提交答卷").click()
        phone.wait_for_url(f"**{survey_path}thanks/")
        phone.context.close()

    # ── 18. After the year: final report, final evaluation, last instalment ──────────────
    final = contract.reports.get(kind="final")
    j.jump(local(next_working_day(contract.period_end + dt.timedelta(days=10))))
    report(
        j,
        contract,
        final,
        "全年服务独居老人 203 名，探访 4850 人次，满意度调查平均 90 分以上。",
        fund=[("人员费", "480000.00", "470000.00"), ("活动费", "80000.00", "78500.00")],
        attachment=True,
    )
    j.shot(j.pages["provider"], "31-provider-files-the-final-report")
    review(j, contract, final)
    evaluate(j, contract, "final", "32")
    pay(j, j.as_("purchaser"), contract, 3, "PZ-3")
    j.shot(j.pages["purchaser"], "35-last-instalment-paid")
    contract.refresh_from_db()
    assert [i.payment is not None for i in contract.instalments.order_by("sequence")] == [
        True,
        True,
        True,
    ]

    # ── 19. The resident follows what became of the need, from "my needs" to the grade ──
    resident = j.new_page(phone=True)
    resident_verifies(j, resident, "13900000101")
    j.go(resident, "/dashboard/")
    resident.locator("main").get_by_role("link", name="我的需求与点菜").click()
    resident.wait_for_url("**/needs/mine/")
    resident.get_by_role("link", name=f"立项申报 · {TITLE}").first.click()
    resident.wait_for_url(f"**/projects/proposals/{proposal.pk}/")
    progress = resident.get_by_test_id("project-progress")
    expect(progress).to_contain_text(contract.reference)
    j.shot(resident, "36-resident-follows-the-project")
    progress.get_by_role("link", name="绩效评价").click()
    resident.wait_for_url(f"**/evaluations/contracts/{contract.pk}/")
    final_evaluation = contract.evaluations.get(stage="final")
    expect(resident.get_by_test_id("evaluation-final")).to_contain_text(
        f"{final_evaluation.total}{final_evaluation.get_grade_display()}"
    )
    resident.context.close()

    # ── 20. Anyone: the public portal, the OCDS record, the statistics ───────────────────
    visitor = j.new_page()
    j.go(visitor, "/open/")
    visitor.get_by_label("搜索公开信息").fill("独居老人关爱")
    visitor.get_by_role("button", name="搜索").click()
    visitor.wait_for_url("**/open/search/**")
    expect(visitor.locator("main")).to_contain_text(f"{contract.title}（终期评估）")
    j.shot(visitor, "37-public-portal-search")
    j.go(visitor, f"/projects/proposals/{proposal.pk}/")
    visitor.get_by_test_id("ocds-record").click()
    visitor.wait_for_url("**/open/ocds/**")
    expect(visitor.get_by_test_id("ocds-contract").first).to_contain_text(contract.reference)
    j.shot(visitor, "38-ocds-record", full_page=False)
    visitor.get_by_test_id("ocds-json").click()
    visitor.wait_for_url("**/api/v1/ocds/records/**")
    import json

    package = json.loads(visitor.locator("body").inner_text())
    record = package["records"][0]
    tags = {tag for r in record["releases"] for tag in r.get("tag", [])}
    compiled = record["compiledRelease"]
    assert compiled["tender"]["id"] and compiled["awards"] and compiled["contracts"], tags
    transactions = compiled["contracts"][0].get("implementation", {}).get("transactions", [])
    assert len(transactions) == 3, transactions
    j.go(visitor, "/stats/")
    series = visitor.get_by_test_id("stats-series")
    expect(series.get_by_role("row").filter(has_text=str(proposal.year)).first).to_be_visible()
    j.shot(visitor, "39-statistics")
    visitor.context.close()

    # ── 21. The audit log of the whole year verifies ─────────────────────────────────────
    auditor = j.as_("auditor")
    auditor.locator("main").get_by_role("link", name="审计日志").first.click()
    auditor.wait_for_url("**/audit/**")
    j.shot(auditor, "40-auditor-reads-the-log", full_page=False)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("OK:"), out.getvalue()

    # docs/walkthrough.md illustrates every step with the screenshot taken here.
    walkthrough = (Path(django_settings.BASE_DIR) / "docs" / "walkthrough.md").read_text()
    missing = [n for n in j.shots if f"(../var/e2e/{n}.png)" not in walkthrough]
    assert not missing, f"docs/walkthrough.md lacks {missing}"

    # No page of the year is slow (server time to the first byte of the HTML).
    slowest = sorted(j.timings[3:], reverse=True)[:5]  # after the cold start
    print("slowest pages (ms):", [(round(ms), url.replace(j.base, "")) for ms, url in slowest])
    assert len(j.timings) > 100 and slowest[0][0] < 3000, slowest
    print(f"journey took {time.monotonic() - started:.0f}s, {len(j.timings)} pages")
