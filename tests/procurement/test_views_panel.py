"""The procurement pages of the committee: the purchaser draws the panel and records a
recusal, a bidder requests one, the expert declares and scores, a conflicted expert's scores
voided, a submitted score corrected; expert pages refuse others; my reviews (bounded)."""

from __future__ import annotations

import pytest

from caidan.procurement.inputs import SheetScoresInput
from caidan.procurement.models import Bid, Expert, PanelMember, ScoreSheet

from . import factories
from .view_helpers import _as, _html, _score_everyone

pytestmark = pytest.mark.django_db


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
    assert "的服务方案" in html and "¥800,000.00" in html
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
