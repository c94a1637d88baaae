"""The procurement pages: who sees what, every action through its form, errors shown on the
form, sealed bids never shown before opening, and a bounded public list."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from caidan.accounts.middleware import SESSION_KEY
from caidan.accounts.models import Membership
from caidan.procurement.inputs import BidContentInput, SheetScoresInput
from caidan.procurement.models import (
    Amendment,
    Award,
    Bid,
    Challenge,
    Clarification,
    Expert,
    ExpertTie,
    PanelMember,
    ScoreSheet,
    Tender,
)

from . import factories

pytestmark = pytest.mark.django_db

SECRET_PRICE = "876543.21"


def _as(client, user, role=None):
    """Log the test client in as any user (e.g. a factory-made bidder or expert)."""
    client.force_login(user)
    qs = Membership.objects.filter(user=user, is_active=True)
    if role:
        qs = qs.filter(role=role)
    session = client.session
    session[SESSION_KEY] = qs.order_by("id").first().pk
    session.save()
    return client


def _html(response) -> str:
    return response.content.decode()


def _deadline(days=25):
    return factories.next_working_deadline(timezone.now() + dt.timedelta(days=days))


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _tender_post(proposal, **overrides):
    data = {
        "title": proposal.title,
        "method": proposal.procurement_method,
        "method_change_reason": "",
        "evaluation_method": "comprehensive",
        "aggregate": "mean",
        "description": "为辖区独居老人提供每周上门探访。",
        "budget": str(proposal.budget),
        "bid_security": "10000.00",
        "grade_policy": "none",
        "price_points": "30",
        "committee_size": "",
        "reserve_count": "",
        "invited_organization": "",
        "justification": "",
        "posts": "",
        "post_requirements": "",
        "post_price_cap": "",
        "deadline": "",
        "factor_1_id": "plan",
        "factor_1_name": "服务方案",
        "factor_1_max": "40",
        "factor_2_id": "team",
        "factor_2_name": "团队与资质",
        "factor_2_max": "20",
        "factor_3_id": "experience",
        "factor_3_name": "同类项目经验",
        "factor_3_max": "10",
    }
    data.update(overrides)
    return data


def _score_everyone(tender, members=None, *, skip=()):
    """Declare and submit full sheets for the seated members (bid i gets lower marks)."""
    from caidan.procurement.services.evaluation import scorable_bids, scores_save, scores_submit
    from caidan.procurement.services.panel import panel_declare

    members = members or list(
        PanelMember.objects.filter(tender=tender, status__in=["drawn", "active"])
    )
    bids = scorable_bids(tender)
    for m in members:
        if m.pk in skip:
            continue
        actor = factories.expert_actor(m.expert)
        if m.status == "drawn":
            panel_declare(member=m, no_conflict=True, actor=actor)
        scores = {
            str(b.pk): {f["id"]: str(max(int(f["max"]) - 3 * i, 0)) for f in tender.factors}
            for i, b in enumerate(bids)
        }
        scores_save(member=m, data=SheetScoresInput.parse(scores=scores), actor=actor)
        scores_submit(member=m, actor=actor)


@pytest.fixture
def drawn(world):
    """An opened tender (3 valid bids) with its committee drawn."""
    from caidan.procurement.services.draw import panel_draw

    factories.make_expert_pool(world, n=9)
    tender = factories.opened_tender(world)
    assert tender.status == "evaluating", tender.failed_reason
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    return tender


@pytest.fixture
def evaluated(world, drawn):
    _score_everyone(drawn)
    drawn.refresh_from_db()
    assert drawn.status == "evaluated"
    return drawn


@pytest.fixture
def awarded(world, evaluated):
    from caidan.procurement.services import award_confirm

    award_confirm(tender=evaluated, actor=world.actor("purchaser"))
    evaluated.refresh_from_db()
    return evaluated


# --- the public list ----------------------------------------------------------------------


def test_public_list_with_filters(world, client):
    tender = factories.published_tender(world, title="社区助餐服务")
    html = _html(client.get("/procurement/"))
    assert "社区助餐服务" in html and tender.reference in html
    assert "社区助餐服务" in _html(client.get("/procurement/?status=published&method=open_tender"))
    assert "社区助餐服务" not in _html(client.get("/procurement/?method=single_source"))
    assert "社区助餐服务" in _html(client.get("/procurement/?q=助餐"))
    assert "社区助餐服务" not in _html(client.get("/procurement/?q=不存在的项目"))
    response = client.get("/procurement/?cursor=not-a-cursor")
    assert response.status_code == 400 and "分页游标无效" in _html(response)


def test_drafts_are_listed_for_their_purchaser_only(world, login):
    factories.draft_tender(world, title="草稿中的采购")
    assert "草稿中的采购" in _html(login("purchaser").get("/procurement/"))
    assert "草稿中的采购" not in _html(login("purchaser2").get("/procurement/"))
    assert "草稿中的采购" not in _html(login("provider").get("/procurement/"))


def test_public_list_has_a_bounded_query_count(world, client, login, django_assert_max_num_queries):
    base = factories.published_tender(world)
    for i in range(24):
        Tender.objects.create(
            **{
                f.attname: getattr(base, f.attname)
                for f in Tender._meta.concrete_fields
                if f.attname not in ("id", "reference")
            },
            reference=f"{base.reference}-{i}",
        )
    assert Tender.objects.filter(status="published").count() >= 25
    with django_assert_max_num_queries(6):
        response = client.get("/procurement/")
    assert response.status_code == 200
    next_page = response.context["page"].next_cursor
    assert next_page
    with django_assert_max_num_queries(6):
        assert client.get(f"/procurement/?cursor={next_page}").status_code == 200
    purchaser = login("purchaser")
    with django_assert_max_num_queries(8):
        assert purchaser.get("/procurement/").status_code == 200


# --- the announcement --------------------------------------------------------------------


def test_announcement_is_public(world, client):
    tender = factories.published_tender(world, title="探访服务采购")
    response = client.get(f"/procurement/tenders/{tender.pk}/")
    assert response.status_code == 200
    html = _html(response)
    assert "探访服务采购" in html and "公开招标" in html
    assert "1000000.00" in html and "10000.00" in html  # budget, bid security
    assert timezone.localtime(tender.deadline).strftime("%Y-%m-%d %H:%M") in html
    assert "北京时间" in html
    for name in ("服务方案", "团队与资质", "同类项目经验"):
        assert name in html
    assert "递交投标" not in html  # only for bidders


def test_single_source_shows_its_justification(world, client):
    bidder = factories.make_bidder(world)
    tender = factories.published_tender(
        world,
        method="single_source",
        evaluation_method="lowest_price",
        invited_organization=bidder.org,
        justification="该服务只有一家具备资质的社会组织能够提供，且需保持服务连续性。",
        days=10,
    )
    html = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert "只有一家具备资质的社会组织" in html and bidder.org.name in html


def test_drafts_are_hidden_from_others(world, client, login):
    tender = factories.draft_tender(world)
    url = f"/procurement/tenders/{tender.pk}/"
    assert client.get(url).status_code == 404
    assert login("purchaser2").get(url).status_code == 404
    assert login("provider").get(url).status_code == 404
    assert login("purchaser").get(url).status_code == 200
    assert login("admin").get(url).status_code == 200
    assert client.get("/procurement/tenders/999999/").status_code == 404


def test_sealed_content_never_appears_before_opening(world, client, login):
    from caidan.procurement.services import bid_submit

    tender = factories.published_tender(world)
    bidder = factories.make_bidder(world)
    bid = bid_submit(
        tender=tender,
        organization=bidder.org,
        data=BidContentInput.parse(
            {"price": SECRET_PRICE, "plan": "密封方案甲乙丙", "team": "密封团队丁戊"}
        ),
        actor=bidder.actor,
    )
    pages = [f"/procurement/tenders/{tender.pk}/", "/procurement/"]
    for who in (None, "purchaser", "admin", "auditor", "provider", "expert"):
        c = login(who) if who else client
        for url in pages:
            html = _html(c.get(url))
            assert "876543" not in html and "密封方案" not in html and "密封团队" not in html, (
                who,
                url,
            )
    # The purchaser's history names no bidder before opening, nor shows how many bid.
    html = _html(login("purchaser").get(pages[0]))
    assert "递交密封投标" not in html and bidder.user.get_full_name() not in html
    # The bidder itself sees its receipt, never the price.
    own = _as(client, bidder.user)
    for url in ("/procurement/bids/", f"/procurement/bids/{bid.pk}/", pages[0]):
        html = _html(own.get(url))
        assert bid.receipt[:16] in html and "876543" not in html


def test_opening_record_after_opening(world, client):
    tender = factories.opened_tender(world, prices=("800000.00", "900000.00", "1200000.00"))
    html = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert "开标记录" in html
    assert "800000.00" in html and "900000.00" in html


# --- drafting and publication ---------------------------------------------------------------


def test_purchaser_starts_a_tender_from_an_approved_project(world, login):
    proposal = factories.approved_proposal(world, title="助残服务项目")
    c = login("purchaser")
    html = _html(c.get("/procurement/new/"))
    assert "助残服务项目" in html
    url = f"/procurement/new/{proposal.pk}/"
    page = c.get(url)
    assert page.status_code == 200 and "助残服务项目" in _html(page)
    response = c.post(url, _tender_post(proposal))
    tender = Tender.objects.get(proposal=proposal)
    assert response.status_code == 302 and response.url == f"/procurement/tenders/{tender.pk}/"
    assert tender.status == "draft" and tender.committee_size == 5
    assert [f["id"] for f in tender.factors] == ["plan", "team", "experience"]
    assert "助残服务项目" not in _html(c.get("/procurement/new/"))  # it has a live tender now


def test_tender_form_shows_service_errors_on_fields(world, login):
    proposal = factories.approved_proposal(world)
    c = login("purchaser")
    url = f"/procurement/new/{proposal.pk}/"
    response = c.post(url, _tender_post(proposal, factor_3_max="20"))
    assert response.status_code == 200
    assert "价格分与各评分因素分值之和须为 100 分，当前为 110 分" in _html(response)
    response = c.post(url, _tender_post(proposal, bid_security="50000.00"))
    assert "投标保证金 50000.00 元超过采购预算的 2%" in _html(response)
    assert response.context["form"].errors["bid_security"]
    response = c.post(url, _tender_post(proposal, factor_2_id="Team"))
    assert response.context["form"].errors["factor_2_id"]
    response = c.post(url, _tender_post(proposal, budget=""))
    assert response.context["form"].errors["budget"]
    assert not Tender.objects.filter(proposal=proposal).exists()


def test_only_purchasers_start_tenders(world, client, login):
    proposal = factories.approved_proposal(world)
    url = f"/procurement/new/{proposal.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert login("provider").get(url).status_code == 403
    assert login("provider").get("/procurement/new/").status_code == 403
    assert login("purchaser2").get(url).status_code == 404  # another street's project


def test_edit_draft_and_publish_with_confirmation(world, login):
    tender = factories.draft_tender(world)
    c = login("purchaser")
    edit = f"/procurement/tenders/{tender.pk}/edit/"
    assert c.get(edit).status_code == 200
    data = _tender_post(tender.proposal, title="修改后的名称", factor_1_max="40")
    response = c.post(edit, data)
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.title == "修改后的名称"

    publish = f"/procurement/tenders/{tender.pk}/publish/"
    page = _html(c.get(publish))
    assert "不可撤回" in page and "投标期开始" in page
    response = c.post(publish)  # no deadline yet
    assert response.status_code == 200 and "请设定投标截止（开标）时间" in _html(response)
    tender.refresh_from_db()
    assert tender.status == "draft"

    deadline = _deadline()
    c.post(edit, {**data, "deadline": _local(deadline)})
    response = c.post(publish)
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == "published" and tender.deadline == deadline


def test_others_cannot_manage(world, login, client):
    tender = factories.published_tender(world)
    for path in ("edit", "publish", "amend", "cancel", "questions", "award"):
        url = f"/procurement/tenders/{tender.pk}/{path}/"
        assert login("purchaser2").get(url).status_code == 403, path
        assert login("provider").get(url).status_code == 403, path
        response = client.logout() or client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, path
    assert login("purchaser2").post(f"/procurement/tenders/{tender.pk}/cancel/", {"reason": "x"})
    tender.refresh_from_db()
    assert tender.status == "published"


def test_amend_and_cancel(world, login):
    tender = factories.published_tender(world)
    c = login("purchaser")
    url = f"/procurement/tenders/{tender.pk}/amend/"
    response = c.post(url, {"summary": "", "affects_bids": ""})
    assert response.status_code == 200 and response.context["form"].errors["summary"]
    response = c.post(url, {"summary": "更正服务地址为江苏路 480 号。", "affects_bids": ""})
    assert response.status_code == 302
    assert Amendment.objects.get(tender=tender).summary == "更正服务地址为江苏路 480 号。"
    assert "更正服务地址" in _html(c.get(f"/procurement/tenders/{tender.pk}/"))

    cancel = f"/procurement/tenders/{tender.pk}/cancel/"
    assert "取消后不可恢复" in _html(c.get(cancel))
    response = c.post(cancel, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert c.post(cancel, {"reason": "需求发生变化"}).status_code == 302
    tender.refresh_from_db()
    assert tender.status == "cancelled" and tender.cancelled_reason == "需求发生变化"


# --- questions ------------------------------------------------------------------------------


def test_question_and_public_answer_without_the_asker(world, client, login):
    tender = factories.published_tender(world)
    provider = login("provider")
    url = f"/procurement/tenders/{tender.pk}/ask/"
    response = provider.post(url, {"question": ""})
    assert response.status_code == 200 and response.context["form"].errors["question"]
    assert provider.post(url, {"question": "服务对象名单何时提供？"}).status_code == 302
    question = Clarification.objects.get(tender=tender)

    purchaser = login("purchaser")
    page = _html(purchaser.get(f"/procurement/tenders/{tender.pk}/questions/"))
    # Before opening nobody, the purchaser included, learns who asked (招标投标法 §22).
    assert "服务对象名单何时提供" in page and "阳光家庭综合服务中心" not in page
    assert "提问人开标前不公开" in page
    # The asker still sees its own question.
    own = _html(login("provider").get(f"/procurement/tenders/{tender.pk}/"))
    assert "服务对象名单何时提供" in own
    purchaser = login("purchaser")
    response = purchaser.post(
        f"/procurement/tenders/{tender.pk}/questions/",
        {"clarification": question.pk, "answer": "合同签订后三日内提供。"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "合同签订后三日内提供。"

    client.logout()
    html = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert "服务对象名单何时提供" in html and "合同签订后三日内提供" in html
    assert "阳光家庭综合服务中心" not in html
    assert login("purchaser").post(url, {"question": "采购人不能提问"}).status_code == 403


# --- bids ------------------------------------------------------------------------------------


def test_bid_with_confirmation_and_receipt(world, login):
    tender = factories.published_tender(world)
    c = login("provider")
    url = f"/procurement/tenders/{tender.pk}/bid/"
    page = _html(c.get(url))
    assert "投标截止时间" in page and timezone.localtime(tender.deadline).strftime("%H:%M") in page
    response = c.post(url, {"price": "", "plan": "", "team": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"price", "plan"}

    data = {"price": "880000.00", "plan": "每周上门探访两次", "team": "社工 6 名"}
    response = c.post(url, data)
    html = _html(response)
    assert "确认递交投标" in html and "880000.00" in html and "服务器当前时间" in html
    assert not Bid.objects.filter(tender=tender).exists()  # not yet

    response = c.post(url, {**data, "confirm": "1"})
    bid = Bid.objects.get(tender=tender)
    assert response.status_code == 302 and response.url == f"/procurement/bids/{bid.pk}/"
    assert bid.status == "submitted" and bid.price is None  # sealed
    receipt = c.get(response.url)
    assert "请保存回执" in _html(receipt) and bid.receipt in _html(receipt)

    # Submitting again replaces the earlier bid.
    c.post(url, {**data, "price": "870000.00", "confirm": "1"})
    bid.refresh_from_db()
    assert bid.status == "replaced"
    assert Bid.objects.filter(tender=tender, status="submitted").count() == 1


def test_bid_over_the_deadline_is_refused_with_server_time(world, login):
    tender = factories.past_deadline_tender(world)
    c = login("provider")
    data = {"price": "880000.00", "plan": "方案", "team": "", "confirm": "1"}
    response = c.post(f"/procurement/tenders/{tender.pk}/bid/", data)
    assert response.status_code == 200
    html = _html(response)
    assert "投标已截止" in html and "服务器时间" in html
    assert not Bid.objects.filter(tender=tender).exists()


def test_my_bids_and_withdraw(world, login):
    from caidan.procurement.services import bid_submit

    tender = factories.published_tender(world)
    provider = world.actor("provider")
    bid = bid_submit(
        tender=tender,
        organization=provider.organization,
        data=BidContentInput.parse({"price": "900000.00", "plan": "方案"}),
        actor=provider,
    )
    c = login("provider")
    html = _html(c.get("/procurement/bids/"))
    assert bid.receipt[:20] in html and tender.title in html and "撤回" in html
    response = c.post(f"/procurement/bids/{bid.pk}/withdraw/")
    assert response.status_code == 302
    bid.refresh_from_db()
    assert bid.status == "withdrawn"
    assert c.get(f"/procurement/bids/{bid.pk}/withdraw/").status_code == 405


def test_bid_pages_are_for_bidders_only(world, client, login):
    from caidan.procurement.services import bid_submit

    tender = factories.published_tender(world)
    provider = world.actor("provider")
    bid = bid_submit(
        tender=tender,
        organization=provider.organization,
        data=BidContentInput.parse({"price": "900000.00", "plan": "方案"}),
        actor=provider,
    )
    for url in (f"/procurement/tenders/{tender.pk}/bid/", "/procurement/bids/"):
        assert login("purchaser").get(url).status_code == 403
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    other = factories.make_bidder(world)
    assert _as(client, other.user).get(f"/procurement/bids/{bid.pk}/").status_code == 404
    assert client.post(f"/procurement/bids/{bid.pk}/withdraw/").status_code == 404
    bid.refresh_from_db()
    assert bid.status == "submitted"


# --- experts: draw, declaration, scores ----------------------------------------------------


def test_purchaser_draws_the_panel(world, login, client):
    factories.make_expert_pool(world, n=9)
    tender = factories.opened_tender(world)
    c = login("purchaser")
    url = f"/procurement/tenders/{tender.pk}/panel/"
    assert "随机抽取评审专家" in _html(c.get(url))
    response = c.post(f"{url}draw/")
    assert response.status_code == 302
    members = PanelMember.objects.filter(tender=tender)
    assert members.filter(status="drawn").count() == 5 and members.count() == 7
    html = _html(c.get(url))
    assert all(m.expert.name in html for m in members)
    assert "结果一致" in html
    assert login("purchaser2").get(url).status_code == 403
    assert login("provider").get(url).status_code == 403
    assert login("auditor").get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_recusal_recorded_by_the_purchaser(world, login, drawn):
    member = PanelMember.objects.filter(tender=drawn, status="drawn").first()
    c = login("purchaser")
    response = c.post(
        f"/procurement/tenders/{drawn.pk}/panel/{member.pk}/recuse/",
        {"reason": "投标人申请回避：曾在其任职"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "recused" and member.replaced_by is not None
    assert PanelMember.objects.filter(tender=drawn, status="drawn").count() == 5


def test_expert_declares_then_scores(world, client, drawn):
    members = list(PanelMember.objects.filter(tender=drawn, status="drawn"))
    me = members[0]
    c = _as(client, me.expert.user)
    assert drawn.title in _html(c.get("/procurement/reviews/"))
    url = f"/procurement/tenders/{drawn.pk}/review/"
    page = _html(c.get(url))
    assert "利害关系声明" in page
    assert "的服务方案" not in page and "800000.00" not in page  # no bid before declaring
    response = c.post(f"{url}declare/", {"no_conflict": "no", "declaration": ""})
    assert response.status_code == 200 and response.context["form"].errors["declaration"]
    assert c.post(f"{url}declare/", {"no_conflict": "yes"}).status_code == 302
    me.refresh_from_db()
    assert me.status == "active"

    page = c.get(url)
    html = _html(page)
    assert "的服务方案" in html and "800000.00" in html
    bids = [row["bid"] for row in page.context["rows"]]
    assert len(bids) == 3
    factors = drawn.factors
    bad = {f"s-{bids[0].pk}-plan": "41"}
    response = c.post(url, {**bad, "action": "save"})
    assert response.status_code == 200 and "超出评分标准规定的范围" in _html(response)
    partial = {f"s-{bids[0].pk}-plan": "35"}
    assert c.post(url, {**partial, "action": "save"}).status_code == 302
    assert ScoreSheet.objects.get(member=me).scores == {str(bids[0].pk): {"plan": "35.00"}}
    response = c.post(url, {**partial, "action": "submit"})
    assert "评分不完整" in _html(response)
    full = {
        f"s-{b.pk}-{f['id']}": str(int(f["max"]) - 2 * i)
        for i, b in enumerate(bids)
        for f in factors
    }
    assert c.post(url, {**full, "action": "submit"}).status_code == 302
    sheet = ScoreSheet.objects.get(member=me)
    assert sheet.submitted_at is not None
    html = _html(c.get(url))
    assert "已提交" in html and 'name="s-' not in html  # no score inputs any more
    assert ">其他专家的评分</h2>" not in html

    _score_everyone(drawn, members[1:])
    drawn.refresh_from_db()
    assert drawn.status == "evaluated"
    html = _html(c.get(url))
    assert ">其他专家的评分</h2>" in html and members[1].expert.name in html


def test_expert_pages_refuse_others(world, login, client, drawn):
    url = f"/procurement/tenders/{drawn.pk}/review/"
    outsider = Expert.objects.filter(is_active=True).exclude(panels__tender=drawn).first()
    assert _as(client, outsider.user).get(url).status_code == 403
    assert login("purchaser").get(url).status_code == 403
    assert login("provider").get("/procurement/reviews/").status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


# --- award, notice, decline, challenges --------------------------------------------------------


def test_purchaser_confirms_the_award_and_the_notice_is_public(world, login, client, evaluated):
    c = login("purchaser")
    url = f"/procurement/tenders/{evaluated.pk}/award/"
    html = _html(c.get(url))
    best = Bid.objects.get(tender=evaluated, rank=1)
    assert best.organization.name in html and "确定中标人并发布公告" in html
    response = c.post(url, {"bid": str(best.pk), "note": ""})
    assert response.status_code == 302 and response.url.endswith("/notice/")
    award = Award.objects.get(tender=evaluated)
    assert award.bid == best and award.status == "confirmed"

    client.logout()
    response = client.get(f"/procurement/tenders/{evaluated.pk}/notice/")
    assert response.status_code == 200
    html = _html(response)
    assert best.organization.name in html and "800000.00" in html
    experts = PanelMember.objects.filter(tender=evaluated, status="active")
    assert experts.count() == 5 and all(m.expert.name in html for m in experts)
    assert "score_check" in html and "质疑截止" in html
    data = client.get(f"/procurement/tenders/{evaluated.pk}/notice/evaluation.json")
    assert data.status_code == 200
    assert data["Content-Disposition"] == (
        f'attachment; filename="{evaluated.reference}-evaluation.json"'
    )
    evaluation = json.loads(data.content)
    assert evaluation["method"] == "comprehensive" and len(evaluation["scores"]) == 5


def test_notice_and_evaluation_data_only_after_the_award(world, client, evaluated):
    assert client.get(f"/procurement/tenders/{evaluated.pk}/notice/").status_code == 404
    url = f"/procurement/tenders/{evaluated.pk}/notice/evaluation.json"
    assert client.get(url).status_code == 404


def test_winner_declines(world, client, awarded):
    award = Award.objects.get(tender=awarded)
    winner = Membership.objects.filter(organization=award.bid.organization).first().user
    c = _as(client, winner)
    html = _html(c.get(f"/procurement/tenders/{awarded.pk}/notice/"))
    assert "放弃中标" in html
    url = f"/procurement/tenders/{awarded.pk}/decline/"
    response = c.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert c.post(url, {"reason": "人员无法到位"}).status_code == 302
    award.refresh_from_db()
    assert award.status == "declined"


def test_loser_challenges_and_purchaser_answers(world, client, login, awarded):
    loser = Bid.objects.get(tender=awarded, rank=2)
    user = Membership.objects.filter(organization=loser.organization).first().user
    c = _as(client, user)
    url = f"/procurement/tenders/{awarded.pk}/challenge/"
    assert c.get(url).status_code == 200
    assert c.post(f"/procurement/tenders/{awarded.pk}/decline/", {"reason": "x"}).status_code == 403
    response = c.post(url, {"grounds": ""})
    assert response.status_code == 200 and response.context["form"].errors["grounds"]
    assert c.post(url, {"grounds": "中标人团队资质不符合要求。"}).status_code == 302
    challenge = Challenge.objects.get(tender=awarded)

    p = login("purchaser")
    assert "中标人团队资质不符合要求" in _html(p.get(f"/procurement/tenders/{awarded.pk}/"))
    response = p.post(
        f"/procurement/tenders/{awarded.pk}/challenges/{challenge.pk}/answer/",
        {"answer": "经核查，中标人团队资质符合要求。", "upheld": "no"},
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == "answered" and challenge.upheld is False
    assert Award.objects.get(tender=awarded).status == "confirmed"


def test_fail_and_retender(world, login, drawn):
    c = login("purchaser")
    url = f"/procurement/tenders/{drawn.pk}/fail/"
    assert "废标后本次采购终止" in _html(c.get(url))
    assert c.post(url, {"reason": "采购需求发生重大变化"}).status_code == 302
    drawn.refresh_from_db()
    assert drawn.status == "failed"
    assert "采购需求发生重大变化" in _html(c.get(f"/procurement/tenders/{drawn.pk}/"))
    response = c.post(
        f"/procurement/tenders/{drawn.pk}/retender/", {"method": "open_tender", "reason": ""}
    )
    new = Tender.objects.get(previous=drawn)
    assert response.status_code == 302 and response.url == f"/procurement/tenders/{new.pk}/"
    assert new.status == "draft"


# --- the expert pool --------------------------------------------------------------------------


def test_admin_manages_the_expert_pool(world, login):
    c = login("admin")
    response = c.get("/procurement/experts/")
    assert response.status_code == 200
    bad = c.post("/procurement/experts/", {"name": "", "specialties": []})
    assert bad.status_code == 200 and set(bad.context["form"].errors) >= {"name", "specialties"}
    response = c.post(
        "/procurement/experts/",
        {"name": "杨评审", "specialties": ["elderly"], "title": "教授", "employer_name": "某大学"},
    )
    expert = Expert.objects.get(name="杨评审")
    assert response.status_code == 302 and response.url == f"/procurement/experts/{expert.pk}/"
    assert "杨评审" in _html(c.get("/procurement/experts/?q=杨"))
    assert "杨评审" not in _html(c.get("/procurement/experts/?q=不存在"))

    org = Membership.objects.get(user__username="provider").organization
    url = f"/procurement/experts/{expert.pk}/"
    response = c.post(
        url,
        {
            "organization": org.pk,
            "kind": "employee",
            "started_on": "2024-05-01",
            "ended_on": "2023-01-01",
        },
    )
    assert response.status_code == 200 and "早于起始日期" in _html(response)
    response = c.post(url, {"organization": org.pk, "kind": "employee", "started_on": "2023-01-01"})
    assert response.status_code == 302
    tie = ExpertTie.objects.get(expert=expert)
    assert tie.organization == org and tie.kind == "employee"
    assert org.name in _html(c.get(url))

    assert login("purchaser").get("/procurement/experts/").status_code == 403
    assert login("expert").get(url).status_code == 403


def test_expert_pool_is_paginated(world, login):
    factories.make_expert_pool(world, n=25)
    c = login("admin")
    page = c.get("/procurement/experts/").context["page"]
    assert len(page.items) == 20 and page.next_cursor
    assert c.get(f"/procurement/experts/?cursor={page.next_cursor}").status_code == 200


# --- navigation and dashboards --------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "present", "absent"),
    [
        (None, ["政府采购"], ["我的投标", "我的评审", "专家库"]),
        ("provider", ["政府采购", "我的投标"], ["我的评审", "专家库"]),
        ("hub", ["我的投标"], ["我的评审"]),
        ("expert", ["我的评审"], ["我的投标", "专家库"]),
        ("admin", ["专家库"], ["我的投标", "我的评审"]),
        ("purchaser", ["政府采购"], ["我的投标", "我的评审", "专家库"]),
    ],
)
def test_navigation_per_role(world, client, login, user, present, absent):
    c = login(user) if user else client
    html = _html(c.get("/"))
    nav = html[html.index("<nav") : html.index("</nav>")]
    for label in present:
        assert f">{label}</a>" in nav, (user, label)
    for label in absent:
        assert f">{label}</a>" not in nav, (user, label)


@pytest.mark.parametrize(
    ("user", "link"),
    [
        ("purchaser", "/procurement/"),
        ("purchaser", "/procurement/new/"),
        ("provider", "/procurement/bids/"),
        ("expert", "/procurement/reviews/"),
        ("admin", "/procurement/experts/"),
    ],
)
def test_dashboard_panels_link_to_procurement(world, login, user, link):
    c = login(user)
    assert f'href="{link}"' in _html(c.get("/dashboard/"))
    assert c.get(link).status_code == 200


def test_admin_approves_a_change_of_method(world, login):
    from caidan.procurement.services import tender_update

    tender = factories.draft_tender(world)

    tender_update(
        tender=tender,
        changes={
            "method": "consultation",
            "method_change_reason": "上次公开招标仅两家有效投标",
        },
        actor=world.actor("purchaser"),
    )
    url = f"/procurement/tenders/{tender.pk}/"
    assert "须经财政部门批准" in _html(login("purchaser").get(url))
    assert "批准变更采购方式</button>" not in _html(login("purchaser").get(url))
    assert login("purchaser").post(f"{url}approve-method/").status_code == 403
    c = login("admin")
    assert "批准变更采购方式</button>" in _html(c.get(url))
    assert c.post(f"{url}approve-method/").status_code == 302
    tender.refresh_from_db()
    assert tender.method_change_approved_by == world.user("admin")
    assert "须经财政部门批准" not in _html(c.get(url))


def test_challenger_withdraws(world, client, awarded):
    loser = Bid.objects.get(tender=awarded, rank=3)
    user = Membership.objects.filter(organization=loser.organization).first().user
    c = _as(client, user)
    c.post(f"/procurement/tenders/{awarded.pk}/challenge/", {"grounds": "评分有误。"})
    challenge = Challenge.objects.get(tender=awarded)
    other = Bid.objects.get(tender=awarded, rank=2)
    outsider = Membership.objects.filter(organization=other.organization).first().user
    url = f"/procurement/tenders/{awarded.pk}/challenges/{challenge.pk}/withdraw/"
    assert _as(client, outsider).post(url).status_code == 404  # not its challenge
    assert _as(client, user).post(url).status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == "withdrawn"


def test_drawn_expert_finds_the_review_from_the_announcement(world, client, drawn):
    member = PanelMember.objects.filter(tender=drawn, status="drawn").first()
    c = _as(client, member.expert.user)
    html = _html(c.get(f"/procurement/tenders/{drawn.pk}/"))
    assert f'href="/procurement/tenders/{drawn.pk}/review/"' in html
    response = c.get(f"/procurement/tenders/{drawn.pk}/panel/")  # the notification's link
    assert response.status_code == 302 and response.url.endswith("/review/")


def test_bidder_requests_an_experts_recusal(world, client):
    from caidan.audit.models import AuditEvent

    from .factories import make_bidders, opened_tender

    bidders = make_bidders(world, 3)
    tender = opened_tender(world, bidders=bidders)
    client.force_login(bidders[0].user)
    url = f"/procurement/tenders/{tender.pk}/recusal-request/"
    page = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert url in page
    resp = client.post(url, {"expert_name": "", "reason": ""})
    assert resp.status_code == 200 and "申请回避的事实和理由" in resp.content.decode()
    resp = client.post(url, {"expert_name": "张某", "reason": "曾任另一投标人理事"})
    assert resp.status_code == 302
    event = AuditEvent.objects.get(kind="panel.recusal_requested")
    assert event.note == "曾任另一投标人理事"


def test_purchaser_attaches_documents_and_a_late_one_is_an_amendment(world, client, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.procurement.models import Amendment

    from .factories import draft_tender, published_tender

    def pdf(name):
        return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")

    login("purchaser")
    draft = draft_tender(world)
    resp = client.post(
        f"/procurement/tenders/{draft.pk}/documents/",
        {"file": pdf("招标文件.pdf"), "description": "正文"},
    )
    assert resp.status_code == 302
    assert not Amendment.objects.filter(tender=draft).exists()  # a draft: simply attached
    page = client.get(f"/procurement/tenders/{draft.pk}/").content.decode()
    assert "招标文件.pdf" in page
    tender = published_tender(world, days=21)
    old = tender.deadline
    client.post(
        f"/procurement/tenders/{tender.pk}/documents/",
        {"file": pdf("补充说明.pdf"), "description": ""},
    )
    amendment = Amendment.objects.get(tender=tender)
    assert "补充说明.pdf" in amendment.summary
    tender.refresh_from_db()
    assert tender.deadline == old  # 21 days ahead: not late
    client.logout()
    public = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert "补充说明.pdf" in public and "上传并附加" not in public
    login("purchaser2")
    resp = client.post(f"/procurement/tenders/{tender.pk}/documents/", {"file": pdf("x.pdf")})
    assert resp.status_code == 403


# --- voiding scores, corrections, pool maintenance ------------------------------------------


def test_purchaser_voids_a_conflicted_experts_scores(world, login, client, evaluated):
    members = list(PanelMember.objects.filter(tender=evaluated).order_by("position"))
    scored, reserve = members[0], members[5]
    assert scored.status == "active" and reserve.status == "reserve"
    c = login("purchaser")
    panel = f"/procurement/tenders/{evaluated.pk}/panel/"
    html = _html(c.get(panel))
    assert "财库〔2016〕198号" in html
    assert html.count('data-testid="void-link"') == 5  # one per scored member
    assert f"{panel}{scored.pk}/void/" in html and f"{panel}{reserve.pk}/void/" not in html

    url = f"{panel}{scored.pk}/void/"
    page = c.get(url)
    assert page.status_code == 200
    html = _html(page)
    assert "财库〔2016〕198号" in html and scored.expert.name in html
    assert "备选专家递补" in html and 'name="reason"' in html
    response = c.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    scored.refresh_from_db()
    assert scored.status == "active"

    response = c.post(f"{panel}{reserve.pk}/void/", {"reason": "曾任投标人理事"})
    assert response.status_code == 200 and "尚未评分" in _html(response)  # recuse instead
    assert c.get(f"{panel}999999/void/").status_code == 404
    assert login("purchaser2").get(url).status_code == 403
    assert login("provider").post(url, {"reason": "x"}).status_code == 403
    assert login("auditor").post(url, {"reason": "x"}).status_code == 403
    assert _as(client, scored.expert.user).post(url, {"reason": "x"}).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302

    c = login("purchaser")
    response = c.post(url, {"reason": "经核实，近三年曾在投标人处任职"})
    assert response.status_code == 302 and response.url == panel
    scored.refresh_from_db()
    reserve.refresh_from_db()
    assert scored.status == "voided" and scored.replaced_by == reserve
    assert reserve.status == "drawn"
    assert ScoreSheet.objects.get(member=scored).voided is True
    evaluated.refresh_from_db()
    assert evaluated.result is None
    html = _html(c.get(panel))
    assert "经核实，近三年曾在投标人处任职" in html
    assert f"{panel}{scored.pk}/void/" not in html
    assert html.count('data-testid="void-link"') == 4


def test_scores_cannot_be_voided_after_the_award(world, login, awarded):
    member = PanelMember.objects.filter(tender=awarded, status="active").first()
    c = login("purchaser")
    panel = f"/procurement/tenders/{awarded.pk}/panel/"
    assert 'data-testid="void-link"' not in _html(c.get(panel))
    response = c.post(f"{panel}{member.pk}/void/", {"reason": "应当回避"})
    assert response.status_code == 200 and "中标结果确定后不能再作废" in _html(response)
    member.refresh_from_db()
    assert member.status == "active"


def _correction(bid, **overrides):
    data = {
        "bid": str(bid.pk),
        "factor": "plan",
        "new_value": "30",
        "reason": "sum_error",
        "note": "分项合计抄写错误",
    }
    data.update(overrides)
    return data


def test_expert_corrects_a_submitted_score(world, client, login, evaluated):
    from caidan.procurement.models import ScoreCorrection

    member = PanelMember.objects.filter(tender=evaluated, status="active").order_by("position")[0]
    bid = Bid.objects.filter(tender=evaluated, status="valid").order_by("id").first()
    sheet = ScoreSheet.objects.get(member=member)
    old = sheet.scores[str(bid.pk)]["plan"]
    assert old == "40.00"
    c = _as(client, member.expert.user)
    url = f"/procurement/tenders/{evaluated.pk}/review/"
    html = _html(c.get(url))
    assert 'data-testid="correction-form"' in html and "87号令" in html
    for label in ("分值汇总计算错误", "客观评审因素评分不一致", "经评标委员会认定评分畸高、畸低"):
        assert label in html
    assert 'data-testid="corrections"' not in html  # none yet

    post = f"{url}correct/"
    response = c.post(post, _correction(bid, reason=""))
    assert response.status_code == 200 and response.context["correction_form"].errors["reason"]
    response = c.post(post, _correction(bid, reason="changed_mind"))
    assert response.context["correction_form"].errors["reason"]
    response = c.post(post, _correction(bid, new_value="41"))
    errors = response.context["correction_form"].errors
    assert response.status_code == 200 and "超出评分标准规定的范围" in errors["new_value"][0]
    response = c.post(post, _correction(bid, new_value="40"))
    assert "相同" in response.context["correction_form"].errors["new_value"][0]
    response = c.post(post, _correction(bid, factor="nope"))
    assert response.context["correction_form"].errors["factor"]
    assert not ScoreCorrection.objects.exists()

    assert c.post(post, _correction(bid)).status_code == 302
    correction = ScoreCorrection.objects.get(sheet=sheet)
    assert (correction.old_value, correction.new_value) == (40, 30)
    assert correction.reason == "sum_error" and correction.note == "分项合计抄写错误"
    sheet.refresh_from_db()
    assert sheet.scores[str(bid.pk)]["plan"] == "30.00"
    html = _html(c.get(url))
    table = html[html.index('data-testid="corrections"') :]
    assert "40.00 → 30.00" in table and "分值汇总计算错误" in table
    assert "分项合计抄写错误" in table and bid.organization.name in table

    other = PanelMember.objects.filter(tender=evaluated, status="active").order_by("position")[1]
    other_html = _html(_as(client, other.expert.user).get(url))
    assert "40.00 → 30.00" not in other_html  # only one's own corrections
    outsider = Expert.objects.filter(is_active=True).exclude(panels__tender=evaluated).first()
    assert _as(client, outsider.user).post(post, _correction(bid)).status_code == 403
    assert login("purchaser").post(post, _correction(bid)).status_code == 403
    assert ScoreCorrection.objects.count() == 1


def test_corrections_only_after_submission_and_before_the_award(world, client, drawn):
    from caidan.procurement.services import award_confirm
    from caidan.procurement.services.evaluation import scores_save
    from caidan.procurement.services.panel import panel_declare

    members = list(PanelMember.objects.filter(tender=drawn, status="drawn").order_by("position"))
    me = members[0]
    actor = factories.expert_actor(me.expert)
    panel_declare(member=me, no_conflict=True, actor=actor)
    bid = Bid.objects.filter(tender=drawn, status="valid").order_by("id").first()
    scores_save(
        member=me, data=SheetScoresInput.parse(scores={str(bid.pk): {"plan": "35"}}), actor=actor
    )
    c = _as(client, me.expert.user)
    url = f"/procurement/tenders/{drawn.pk}/review/"
    assert 'data-testid="correction-form"' not in _html(c.get(url))  # a draft: just edit it
    response = c.post(f"{url}correct/", _correction(bid))
    assert response.status_code == 200 and "评分尚未提交" in _html(response)

    _score_everyone(drawn)
    award_confirm(tender=drawn, actor=world.actor("purchaser"))
    html = _html(c.get(url))
    assert 'data-testid="correction-form"' not in html
    response = c.post(f"{url}correct/", _correction(bid, new_value="1"))
    assert response.status_code == 200 and "中标结果确定后不能修改评分" in _html(response)


def test_admin_edits_and_deactivates_an_expert(world, login, client):
    from caidan.audit.models import AuditEvent

    expert = factories.make_expert_pool(world, n=1)[0]
    url = f"/procurement/experts/{expert.pk}/"
    c = login("admin")
    html = _html(c.get(url))
    assert 'data-testid="expert-edit"' in html and f'value="{expert.name}"' in html
    assert 'data-testid="deactivate"' in html and "确定出库" in html

    response = c.post(f"{url}edit/", {"name": "", "specialties": []})
    assert response.status_code == 200
    assert set(response.context["edit_form"].errors) >= {"name", "specialties"}
    response = c.post(f"{url}edit/", {"name": "改名", "specialties": ["cooking"]})
    assert response.context["edit_form"].errors["specialties"]
    expert.refresh_from_db()
    assert expert.name != "改名"

    unit = world.unit("310105-002")
    response = c.post(
        f"{url}edit/",
        {
            "name": "杨教授",
            "title": "教授",
            "specialties": ["elderly", "disability"],
            "employer_name": "某社会工作学院",
            "employer_unit": str(unit.pk),
        },
    )
    assert response.status_code == 302 and response.url == url
    expert.refresh_from_db()
    assert (expert.name, expert.title, expert.employer_name) == ("杨教授", "教授", "某社会工作学院")
    assert expert.specialties == ["disability", "elderly"] and expert.employer_unit == unit
    event = AuditEvent.objects.filter(kind="expert.updated").latest("seq")
    assert event.new["name"] == "杨教授" and event.new["employer_unit"] == unit.pk
    html = _html(c.get(url))
    assert "杨教授" in html and unit.name in html

    for user in ("purchaser", "expert", "auditor"):
        other = login(user)
        assert (
            other.post(f"{url}edit/", {"name": "x", "specialties": ["elderly"]}).status_code == 403
        )
        assert other.post(f"{url}deactivate/").status_code == 403
    c = login("admin")
    assert c.post("/procurement/experts/999999/edit/", {"name": "x"}).status_code == 404
    assert c.get(f"{url}deactivate/").status_code == 405  # a POST with the confirmation
    expert.refresh_from_db()
    assert expert.name == "杨教授" and expert.is_active

    response = c.post(f"{url}deactivate/", follow=True)
    assert response.status_code == 200 and "已出库" in _html(response)
    expert.refresh_from_db()
    assert expert.is_active is False
    html = _html(c.get(url))
    assert 'data-testid="deactivate"' not in html and "不再被随机抽取" in html
    again = _html(c.post(f"{url}deactivate/", follow=True))
    assert "已不在库" in again
    client.logout()
    assert client.post(f"{url}deactivate/").status_code == 302


# --- query counts ---------------------------------------------------------------------------


def test_expert_pool_list_has_a_bounded_query_count(world, login, django_assert_max_num_queries):
    # Session, user, role, the page of experts (with login and unit), the units for the entry
    # form, the role switch and the inbox: 7 however many experts are on the page.
    factories.make_expert_pool(world, n=2)
    c = login("admin")
    with django_assert_max_num_queries(7):
        assert c.get("/procurement/experts/").status_code == 200
    factories.make_expert_pool(world, n=25)
    with django_assert_max_num_queries(7):
        response = c.get("/procurement/experts/")
    html = _html(response)
    assert len(response.context["page"].items) == 20
    assert html.count('href="/procurement/experts/') >= 20 and "pool-expert-" in html
    with django_assert_max_num_queries(7):
        assert c.get("/procurement/experts/?q=专家").status_code == 200


def _seat(world, tender, expert):
    """Draw ``tender``'s panel so that it seats ``expert``: the test commits the tender to
    a seed that does (the draw is reproducible; nobody can pick a seed through the app)."""
    import hashlib

    from caidan.procurement.models import Tender
    from caidan.procurement.services.draw import draw_order, panel_draw

    candidates = sorted(Expert.objects.filter(is_active=True).values_list("pk", flat=True))
    seed = next(
        f"seed-{i}"
        for i in range(1000)
        if expert.pk in draw_order(f"seed-{i}", candidates)[: tender.committee_size]
    )
    Tender.objects.filter(pk=tender.pk).update(
        draw_seed=seed, draw_commitment=hashlib.sha256(seed.encode()).hexdigest()
    )
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    return PanelMember.objects.get(tender=tender, expert=expert)


def test_my_reviews_has_a_bounded_query_count(world, client, django_assert_max_num_queries):
    # Session, user, role, the page of tenders (with units), the seats on them, the role
    # switch and the inbox: 7 however many reviews are listed.
    pool = factories.make_expert_pool(world, n=7)
    me = pool[0]
    c = _as(client, me.user)
    first = factories.opened_tender(world)
    assert _seat(world, first, me).status == "drawn"
    with django_assert_max_num_queries(7):
        response = c.get("/procurement/reviews/")
    assert [t.pk for t, seat in response.context["rows"]] == [first.pk]
    for _ in range(2):
        _seat(world, factories.opened_tender(world), me)
    with django_assert_max_num_queries(7):
        response = c.get("/procurement/reviews/")
    rows = response.context["rows"]
    assert len(rows) == 3 and all(seat.expert_id == me.pk for _, seat in rows)
    html = _html(response)
    assert html.count("声明利害关系") == 3


def test_ineligible_bidder_is_told_why_before_writing_a_bid(world, client):
    """Issue 9: an organization on the abnormal-activity list sees the reason on the tender
    page and on the bid page, and no bid form to fill in for nothing."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.common.identifiers import make_uscc
    from caidan.orgs.models import Organization

    tender = factories.published_tender(world)
    org = Organization.objects.get(uscc=make_uscc("52310105MJ0000007"))  # 君慧: abnormal list
    user = user_create(
        username="junhui-staff",
        password="x",
        display_name="君慧员工",
        actor=world.system,
        validate_password=False,
    )
    membership_grant(user=user, role="provider", organization=org, actor=world.system)
    _as(client, user)
    detail = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert 'data-testid="ineligible"' in detail and "活动异常名录" in detail
    assert f"/procurement/tenders/{tender.pk}/bid/" not in detail  # no 递交投标 button
    form = _html(client.get(f"/procurement/tenders/{tender.pk}/bid/"))
    assert "活动异常名录" in form and 'name="price"' not in form
    # An eligible provider still gets the form.
    _as(client, world.user("provider"))
    detail = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert 'data-testid="ineligible"' not in detail
    assert f"/procurement/tenders/{tender.pk}/bid/" in detail
