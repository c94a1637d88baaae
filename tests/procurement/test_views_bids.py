"""The procurement pages, the bidder's side: a bid with confirmation and receipt, refused
after the deadline with the server's time, my bids and withdrawing, bid pages for bidders
only, an ineligible bidder told why before writing a bid."""

from __future__ import annotations

import pytest
from django.utils import timezone

from caidan.procurement.inputs import BidContentInput
from caidan.procurement.models import Bid

from . import factories
from .view_helpers import _as, _html

pytestmark = pytest.mark.django_db


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
    assert "确认递交投标" in html and "¥880,000.00" in html and "服务器当前时间" in html
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
