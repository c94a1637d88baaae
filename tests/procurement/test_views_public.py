"""The procurement pages: who sees what — the public list (bounded), drafts for their
purchaser only, the announcement, sealed bids never shown before opening, the opening
record; navigation and dashboards per role."""

from __future__ import annotations

import pytest
from django.utils import timezone

from caidan.procurement.inputs import BidContentInput
from caidan.procurement.models import Tender

from . import factories
from .view_helpers import _as, _html

pytestmark = pytest.mark.django_db

SECRET_PRICE = "876543.21"


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
    assert "¥1,000,000.00" in html and "¥10,000.00" in html  # budget, bid security
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
    assert "¥800,000.00" in html and "¥900,000.00" in html


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
