"""The procurement pages after the evaluation: the award confirmed and its notice public, the
evaluation data only after the award, the winner declining, a loser's challenge answered or
withdrawn, a failed tender re-tendered."""

from __future__ import annotations

import json

import pytest

from caidan.accounts.models import Membership
from caidan.procurement.models import Award, Bid, Challenge, PanelMember, Tender

from .view_helpers import _as, _html

pytestmark = pytest.mark.django_db


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
    assert best.organization.name in html and "¥800,000.00" in html
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
