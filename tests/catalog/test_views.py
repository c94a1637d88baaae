"""The catalog pages: public (no login, Chinese, search with an accessible label) and the
platform admin's desk (drafts, items, import with per-row errors, publishing)."""

import datetime as dt
import re

import pytest

from caidan.catalog.models import CatalogItem, CatalogVersion, NegativeListEntry
from caidan.catalog.selectors import catalog_current

from .conftest import xlsx_upload

USERS = [None, "admin", "registrar", "purchaser", "provider", "auditor", "resident"]


@pytest.fixture
def ids(world):
    current = catalog_current()
    old = CatalogVersion.objects.get(name="2016年8月修订版")
    item = CatalogItem.objects.get(version=current, code="020202")
    return {"current": current.pk, "old": old.pk, "item": item.pk}


PUBLIC_PAGES = [
    "/catalog/",
    "/catalog/?q=养老",
    "/catalog/versions/",
    "/catalog/v/{old}/",
    "/catalog/v/{old}/?q=调解",
    "/catalog/items/{item}/",
    "/catalog/compare/",
    "/catalog/compare/?a={old}&b={current}",
    "/catalog/negative-list/",
    "/catalog/negative-list/?text=装修工程",
    "/catalog/v/{current}/export.xlsx",
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(login, client, ids, user, path):
    if user:
        login(user)
    resp = client.get(path.format(**ids))
    assert resp.status_code == 200, (user, path)


ADMIN_PAGES = [
    "/catalog/manage/",
    "/catalog/manage/v/{current}/",
    "/catalog/manage/v/{draft}/items/new/",
    "/catalog/manage/items/{draft_item}/edit/",
    "/catalog/manage/v/{draft}/import/",
    "/catalog/manage/negative-list/",
    "/catalog/manage/negative-list/{entry}/",
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages(world, login, client, ids, make_draft, small_items, user, path):
    draft = make_draft(small_items)
    ids = {
        **ids,
        "draft": draft.pk,
        "draft_item": CatalogItem.objects.filter(version=draft).first().pk,
        "entry": NegativeListEntry.objects.first().pk,
    }
    if user:
        login(user)
    resp = client.get(path.format(**ids))
    if user is None:
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    elif user == "admin":
        assert resp.status_code == 200
    else:
        assert resp.status_code == 403 and "无权" in resp.content.decode()


@pytest.mark.parametrize("user", ["purchaser", "resident"])
def test_admin_posts_are_refused_for_others(world, login, make_draft, small_items, user):
    draft = make_draft(small_items)
    client = login(user)
    for path in (
        f"/catalog/manage/v/{draft.pk}/publish/",
        f"/catalog/manage/v/{draft.pk}/discard/",
        f"/catalog/manage/items/{CatalogItem.objects.filter(version=draft, level=3).first().pk}/delete/",
    ):
        assert client.post(path).status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft and CatalogItem.objects.filter(version=draft).count() == len(small_items)


def test_index_shows_the_current_tree_in_chinese(client, world):
    html = client.get("/catalog/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "2017年7月修订版" in html and "现行版本" in html
    for name in ("基本公共服务", "政府履职所需辅助性事项", "居家养老服务", "社会满意度调查"):
        assert name in html
    assert "¥32.00" in html and "服务类" in html and "优先向社会组织购买" in html
    assert 'name="viewport"' in html
    # the search box has a visible, associated label
    assert re.search(r'<label for="catalog-q">搜索服务目录</label>', html)
    assert re.search(r'<input id="catalog-q" type="search" name="q"', html)


def test_search_results_link_to_item_pages(client, world):
    resp = client.get("/catalog/", {"q": "调解"})
    html = resp.content.decode()
    results = re.search(r'data-testid="search-results">(.*?)</ol>', html, re.S).group(1)
    links = re.findall(r'<a href="/catalog/items/(\d+)/">', results)
    names = set(
        CatalogItem.objects.filter(pk__in=[int(x) for x in links]).values_list("name", flat=True)
    )
    assert {"人民调解", "医患纠纷人民调解", "矛盾调解服务"} <= names
    assert "<mark>调解</mark>" in results
    item = client.get(f"/catalog/items/{links[0]}/")
    assert item.status_code == 200
    empty = client.get("/catalog/", {"q": "火星探测"}).content.decode()
    assert "没有名称或说明包含该文字的条目" in empty


def test_search_escapes_the_query(client, world):
    html = client.get("/catalog/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_item_page_points_to_the_current_version(client, world):
    old = CatalogItem.objects.get(version__name="2016年8月修订版", code="010101")
    new = CatalogItem.objects.get(version__name="2017年7月修订版", code="010101")
    html = client.get(f"/catalog/items/{old.pk}/").content.decode()
    assert "不是现行版本" in html and f"/catalog/items/{new.pk}/" in html
    assert "¥30.00" in html and "基本公共服务" in html and "养老服务" in html
    html = client.get(f"/catalog/items/{new.pk}/").content.decode()
    assert "不是现行版本" not in html and "¥32.00" in html


def test_draft_pages_are_404_for_the_public(client, world, make_draft, small_items):
    draft = make_draft(small_items)
    item = CatalogItem.objects.filter(version=draft).first()
    assert client.get(f"/catalog/v/{draft.pk}/").status_code == 404
    assert client.get(f"/catalog/items/{item.pk}/").status_code == 404
    assert client.get("/catalog/v/999999/").status_code == 404


def test_compare_page_shows_old_and_new(client, ids):
    html = client.get("/catalog/compare/", {"a": ids["old"], "b": ids["current"]}).content.decode()
    assert "社会满意度调查" in html and "权益维护服务" in html  # added
    assert "救助对象家庭经济状况核对辅助" in html  # removed
    assert re.search(r'diff-old">¥30.00</span> → <span class="diff-new">¥32.00', html)
    default = client.get("/catalog/compare/").content.decode()
    assert "社会满意度调查" in default  # latest revision by default


def test_negative_list_page_checks_text(client, world):
    html = client.get("/catalog/negative-list/").content.decode()
    assert "财政部令第102号" in html and "劳务派遣" in html
    html = client.get("/catalog/negative-list/", {"text": "社区用房装修"}).content.decode()
    assert 'data-testid="negative-matches"' in html and "装修" in html


def test_admin_creates_a_draft_edits_and_publishes(world, login):
    client = login("admin")
    source = catalog_current()
    resp = client.post(
        "/catalog/manage/",
        {"name": "2030年修订版", "effective_date": "2030-01-01", "copy_from": source.pk},
    )
    version = CatalogVersion.objects.get(name="2030年修订版")
    assert resp.status_code == 302 and resp["Location"] == f"/catalog/manage/v/{version.pk}/"
    page = client.get(resp["Location"]).content.decode()
    assert 'data-confirm="发布后该版本不可再修改。确定发布？"' in page  # site.js asks first
    assert "社会满意度调查" in page
    resp = client.post(
        f"/catalog/manage/v/{version.pk}/items/new/",
        {
            "code": "010105",
            "name": "老年人助浴",
            "category": "service",
            "guidance_price": "40",
            "price_unit": "元/人·次",
            "bought_first": "on",
        },
    )
    assert resp.status_code == 302
    item = CatalogItem.objects.get(version=version, code="010105")
    assert item.bought_first and item.guidance_price == 40
    resp = client.post(
        f"/catalog/manage/v/{version.pk}/items/new/",
        {"code": "010106", "name": "养老院装修", "category": "service"},
    )
    assert resp.status_code == 200
    assert "装修" in resp.content.decode() and "财政部令第102号第十条" in resp.content.decode()
    resp = client.post(
        f"/catalog/manage/items/{item.pk}/edit/",
        {
            "name": "老年人助浴服务",
            "category": "service",
            "guidance_price": "45",
            "price_unit": "元/人·次",
        },
    )
    assert resp.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.guidance_price, item.bought_first) == ("老年人助浴服务", 45, False)
    assert client.post(f"/catalog/manage/items/{item.pk}/delete/").status_code == 302
    assert not CatalogItem.objects.filter(pk=item.pk).exists()
    resp = client.post(f"/catalog/manage/v/{version.pk}/publish/", follow=True)
    version.refresh_from_db()
    assert version.status == "published"
    assert "已发布" in resp.content.decode()
    assert catalog_current(on=dt.date(2030, 1, 1)) == version
    resp = client.post(f"/catalog/manage/v/{version.pk}/publish/", follow=True)
    assert "不能发布" in resp.content.decode()


def test_admin_import_shows_a_row_error_table(world, login, make_draft):
    draft = make_draft()
    client = login("admin")
    bad = xlsx_upload([["01", "基本公共服务"], ["0201", "无上级"], ["01", "重复"]])
    resp = client.post(f"/catalog/manage/v/{draft.pk}/import/", {"file": bad})
    assert resp.status_code == 400
    html = resp.content.decode()
    table = re.search(r'data-testid="import-errors">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", table) == [
        ("3", "编码"),
        ("4", "编码"),
    ]
    assert not CatalogItem.objects.filter(version=draft).exists()
    good = xlsx_upload([["01", "基本公共服务"], ["0101", "养老服务"]])
    resp = client.post(f"/catalog/manage/v/{draft.pk}/import/", {"file": good})
    assert resp.status_code == 302
    assert CatalogItem.objects.filter(version=draft).count() == 2
    not_excel = xlsx_upload([], name="catalog.csv")
    resp = client.post(f"/catalog/manage/v/{draft.pk}/import/", {"file": not_excel})
    assert resp.status_code == 400 and ".xlsx" in resp.content.decode()


def test_admin_discards_a_draft(world, login, make_draft, small_items):
    draft = make_draft(small_items)
    client = login("admin")
    resp = client.post(f"/catalog/manage/v/{draft.pk}/discard/")
    assert resp.status_code == 302 and resp["Location"] == "/catalog/manage/"
    assert not CatalogVersion.objects.filter(pk=draft.pk).exists()


def test_admin_manages_the_negative_list(world, login):
    client = login("admin")
    resp = client.post(
        "/catalog/manage/negative-list/",
        {
            "code": "NL07",
            "title": "本辖区规定",
            "legal_basis": "财政部令第102号第十条第（六）项",
            "keywords": "彩票、博彩",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    entry = NegativeListEntry.objects.get(code="NL07")
    assert entry.keywords == ["彩票", "博彩"]
    resp = client.post(
        f"/catalog/manage/negative-list/{entry.pk}/",
        {
            "title": "本辖区规定",
            "legal_basis": "财政部令第102号第十条第（六）项",
            "keywords": "彩票",
            "is_active": "",
        },
    )
    assert resp.status_code == 302
    entry.refresh_from_db()
    assert entry.keywords == ["彩票"] and not entry.is_active


@pytest.fixture
def english(client):
    """Compiled catalogs, fresh translation caches, and the English language cookie."""
    import gettext as gettext_module
    import io

    from django.conf import settings
    from django.core.management import call_command
    from django.utils.translation import trans_real

    def reset():
        gettext_module._translations.clear()
        trans_real._translations = {}
        trans_real._default = None

    call_command("compile_translations", stdout=io.StringIO())
    reset()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    reset()


def test_pages_in_english(english, world, ids):
    html = english.get("/catalog/").content.decode()
    assert '<html lang="en">' in html
    assert '<label for="catalog-q">Search the service catalog</label>' in html
    assert "Current version" in html and "Guidance price" in html
    html = english.get("/catalog/compare/").content.decode()
    assert "Older version" in html and "Changes (old → new)" in html
