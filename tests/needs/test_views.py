"""The web pages: verification by code, residents' own page with follow-ups, purchasers'
moderation and menu editing, public pages that never show who a resident is."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caidan.accounts.middleware import SESSION_KEY
from caidan.accounts.models import Membership
from caidan.needs import services
from caidan.needs.followups import register_followup, unregister_followup
from caidan.needs.inputs import NeedModerationInput
from caidan.needs.models import Menu, MenuOrder, Need, NeedStatus

from .conftest import code_in

ID_NUMBER = "310105199003071236"
PERSONAL = re.compile(
    r"(?<!\d)1[3-9]\d{9}(?!\d)"  # a mobile number
    r"|\d{3}\*{4}\d{4}"  # a masked one
    r"|(?<![\dA-Za-z])\d{17}[\dX](?![\dA-Za-z])"  # an ID number
    r"|\d{4}\*{10}\d{3}[\dX]"  # a masked one
)


def _verify_in_browser(client, value, kind="phone", next_url="", capture=None):
    with capture(execute=True):
        resp = client.post(
            "/needs/verify/", {"step": "start", "kind": kind, "value": value, "next": next_url}
        )
    assert resp.status_code == 200, resp.content.decode()[:500]
    return resp


def test_verification_logs_the_resident_in(
    world, client, locmem_sms, new_phone, django_capture_on_commit_callbacks
):
    blank = client.get("/needs/verify/")
    assert blank.status_code == 200 and 'class="error"' not in blank.content.decode()
    phone = new_phone()
    resp = _verify_in_browser(
        client, phone, next_url="/needs/new/", capture=django_capture_on_commit_callbacks
    )
    html = resp.content.decode()
    assert f"{phone[:3]}****{phone[-4:]}" in html and 'name="code"' in html
    code = code_in(locmem_sms)
    bad = client.post(
        "/needs/verify/",
        {"step": "confirm", "kind": "phone", "value": phone, "code": "12", "next": "/needs/new/"},
    )
    assert bad.status_code == 400 and "验证码应为 6 位数字" in bad.content.decode()
    resp = client.post(
        "/needs/verify/",
        {"step": "confirm", "kind": "phone", "value": phone, "code": code, "next": "/needs/new/"},
    )
    assert resp.status_code == 302 and resp.url == "/needs/new/"
    membership = Membership.objects.get(pk=client.session[SESSION_KEY])
    assert membership.role == "resident"
    page = client.get("/needs/new/")
    assert page.status_code == 200
    unit = world.unit("310105-001")
    resp = client.post(
        "/needs/new/",
        {
            "unit": unit.pk,
            "community": "愚园路居委会",
            "target_group": "elderly_alone",
            "text": "独居老人希望有人定期上门探访。",
        },
    )
    assert resp.status_code == 302 and resp.url == "/needs/mine/"
    assert Need.objects.filter(identity__user=membership.user).count() == 1
    # the number was never kept in the session either
    assert phone not in str(dict(client.session.items()))


def test_rate_limited_verification_says_so(
    world, client, new_phone, django_capture_on_commit_callbacks
):
    phone = new_phone()
    _verify_in_browser(client, phone, capture=django_capture_on_commit_callbacks)
    resp = client.post("/needs/verify/", {"step": "start", "kind": "phone", "value": phone})
    assert resp.status_code == 429 and "秒后再试" in resp.content.decode()


def test_anonymous_residents_are_sent_to_verification(world, client, open_menu):
    before = MenuOrder.objects.count()
    assert client.get("/needs/new/").url == "/needs/verify/?next=%2Fneeds%2Fnew%2F"
    assert client.get("/needs/mine/").url.startswith("/needs/verify/")
    item = open_menu.items.first()
    resp = client.post(f"/needs/items/{item.pk}/order/", {"next": f"/needs/menus/{open_menu.pk}/"})
    assert resp.status_code == 302 and resp.url.startswith("/needs/verify/")
    assert MenuOrder.objects.count() == before


def test_staff_cannot_state_needs(world, login):
    assert login("purchaser").get("/needs/new/").status_code == 403


def test_ordering_in_the_browser(world, client, login, demo_resident, open_menu):
    client = login("resident")
    item = open_menu.items.first()
    page = client.get(f"/needs/menus/{open_menu.pk}/").content.decode()
    assert f'action="/needs/items/{item.pk}/order/"' in page
    resp = client.post(f"/needs/items/{item.pk}/order/")
    assert resp.status_code == 302
    page = client.get(resp.url).content.decode()
    assert "已支持" in page
    resp = client.post(f"/needs/items/{item.pk}/order/", follow=True)
    assert "每人每项只能支持一次" in resp.content.decode()
    assert MenuOrder.objects.filter(menu_item=item).count() == 1


def test_my_page_shows_followups(world, login, demo_resident, open_menu, make_need):
    need = make_need(demo_resident)
    services.menu_order_place(actor=demo_resident, menu_item=open_menu.items.first())

    def project_link(obj):
        if isinstance(obj, Need):
            return [{"label": "立项申报 · 已审定", "url": "/projects/1/", "status": "已审定"}]
        return []

    def broken(obj):
        raise RuntimeError("another app's bug")

    register_followup(project_link)
    register_followup(broken)
    try:
        html = login("resident").get("/needs/mine/").content.decode()
    finally:
        unregister_followup(project_link)
        unregister_followup(broken)
    assert need.text in html
    assert "立项申报 · 已审定" in html and 'href="/projects/1/"' in html
    assert f'href="/needs/menus/{open_menu.pk}/results/"' in html and "点菜进行中" in html


def test_reporting_from_the_public_page(world, login, make_need):
    need = make_need()
    client = login("provider")
    resp = client.post(f"/needs/{need.pk}/report/", {"reason": "广告", "next": "/needs/"})
    assert resp.status_code == 302 and resp.url == "/needs/"
    assert Need.objects.get(pk=need.pk).report_count == 1


def test_moderation_pages(world, client, login, make_need):
    need = make_need()
    assert client.get("/needs/moderation/").status_code == 302  # staff login
    assert login("resident").get("/needs/moderation/").status_code == 403
    client = login("purchaser2", "purchaser")
    assert need.text not in client.get("/needs/moderation/").content.decode()
    assert client.post(f"/needs/{need.pk}/hide/", {"reason": "越权"}).status_code == 403
    client = login("purchaser", "purchaser")
    assert need.text in client.get("/needs/moderation/").content.decode()
    resp = client.post(f"/needs/{need.pk}/hide/", {"reason": "含个人信息"})
    assert resp.status_code == 302
    assert Need.objects.get(pk=need.pk).status == NeedStatus.HIDDEN
    assert need.text not in client.get("/needs/").content.decode()
    client.post(f"/needs/{need.pk}/restore/", {"reason": "核实无误"})
    assert Need.objects.get(pk=need.pk).status == NeedStatus.VISIBLE


def test_drawing_up_a_menu_in_the_browser(world, login, catalog):
    client = login("purchaser", "purchaser")
    assert client.get("/needs/menus/manage/").status_code == 200
    resp = client.post(
        "/needs/menus/manage/",
        {
            "title": "第二期服务菜单",
            "community": "万航渡路居委会",
            "description": "",
            "ordering_opens_at": "2030-03-01T09:00",
            "ordering_closes_at": "2030-03-15T17:00",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    menu = Menu.objects.get(title="第二期服务菜单")
    edit = client.get(resp.url)
    assert edit.status_code == 200 and catalog["visit"].name in edit.content.decode()
    resp = client.post(
        resp.url,
        {"action": "add_item", "catalog_item": catalog["visit"].pk, "estimated_budget": "80000"},
    )
    assert resp.status_code == 302 and menu.items.count() == 1
    resp = client.post(
        f"/needs/menus/{menu.pk}/edit/",
        {"action": "add_item", "catalog_item": catalog["mind"].pk, "estimated_budget": "1.234"},
    )
    assert resp.status_code == 200 and "两位小数" in resp.content.decode()
    client.post(f"/needs/menus/{menu.pk}/publish/")
    assert Menu.objects.get(pk=menu.pk).status == "published"
    other = login("purchaser2", "purchaser")
    assert other.get(f"/needs/menus/{menu.pk}/edit/").status_code == 403
    assert other.post(f"/needs/menus/{menu.pk}/close/", {"reason": "x"}).status_code == 403


def test_frozen_menu_page_says_why(world, login, open_menu):
    client = login("purchaser", "purchaser")
    html = client.get(f"/needs/menus/{open_menu.pk}/edit/").content.decode()
    assert 'data-testid="frozen"' in html and "remove" not in html
    assert re.search(r'name="ordering_closes_at"[^>]*disabled', html)
    item = open_menu.items.first()
    resp = client.post(f"/needs/menus/{open_menu.pk}/items/{item.pk}/remove/", follow=True)
    assert "冻结" in resp.content.decode()
    resp = client.post(
        f"/needs/menus/{open_menu.pk}/edit/",
        {
            "action": "details",
            "title": "更正后的标题",
            "community": "想偷偷改社区",
            "ordering_opens_at": "2030-01-01T09:00",
            "ordering_closes_at": "2030-01-02T09:00",
        },
    )
    assert resp.status_code == 302
    menu = Menu.objects.get(pk=open_menu.pk)
    assert menu.title == "更正后的标题" and menu.community == open_menu.community
    assert menu.ordering_closes_at == open_menu.ordering_closes_at


def test_draft_pages_are_not_public(world, client, login, make_menu):
    draft = make_menu()
    assert client.get(f"/needs/menus/{draft.pk}/").status_code == 404
    assert client.get(f"/needs/menus/{draft.pk}/results/").status_code == 404
    assert login("purchaser", "purchaser").get(f"/needs/menus/{draft.pk}/").status_code == 200


def test_results_page_and_downloads(world, client, resident, open_menu):
    item = open_menu.items.first()
    services.menu_order_place(actor=resident(), menu_item=item)
    html = client.get(f"/needs/menus/{open_menu.pk}/results/").content.decode()
    assert item.title in html and "共 1 次支持" in html
    csv = client.get(f"/needs/menus/{open_menu.pk}/results.csv")
    assert csv["Content-Type"].startswith("text/csv") and item.title in csv.content.decode()
    xlsx = client.get(f"/needs/menus/{open_menu.pk}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_public_pages_never_show_a_phone_or_id_number(
    world, client, resident, verify, make_need, open_menu, purchaser
):
    from .conftest import resident_actor

    phone_actor = resident()
    id_actor = resident_actor(verify(ID_NUMBER, kind="id_number"))
    for actor in (phone_actor, id_actor):
        make_need(actor)
        services.menu_order_place(actor=actor, menu_item=open_menu.items.first())
    hidden = make_need(phone_actor, text="这一条会被隐藏，但提出人同样不能出现。")
    services.need_hide(actor=purchaser, need=hidden, data=NeedModerationInput.parse(reason="测试"))
    pages = [
        "/needs/",
        f"/needs/?unit={open_menu.unit_id}",
        "/needs/menus/",
        f"/needs/menus/{open_menu.pk}/",
        f"/needs/menus/{open_menu.pk}/results/",
        f"/needs/menus/{open_menu.pk}/results.csv",
        "/api/v1/needs",
        f"/api/v1/needs/menus/{open_menu.pk}",
        f"/api/v1/needs/menus/{open_menu.pk}/results",
    ]
    for path in pages:
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = resp.content.decode("utf-8", "ignore")
        assert not PERSONAL.search(text), (path, PERSONAL.search(text))
        assert "居民（" not in text and "resident-" not in text, path


@pytest.mark.parametrize(
    "name",
    ["needs:index", "needs:menus", "needs:verify"],
)
def test_public_pages_render_for_everyone(world, client, login, name):
    assert client.get(reverse(name)).status_code == 200
    for user in ("resident", "purchaser", "admin"):
        assert login(user).get(reverse(name)).status_code == 200
