"""Reading the catalog: tree, Chinese substring search, filters, comparison, visibility."""

import datetime as dt

import pytest

from caidan.catalog import services
from caidan.catalog.inputs import CatalogVersionInput
from caidan.catalog.models import CatalogItem, CatalogVersion
from caidan.catalog.selectors import (
    catalog_compare,
    catalog_current,
    catalog_item_get_for,
    catalog_item_list,
    catalog_tree,
    catalog_version_get_for,
    catalog_versions,
)
from caidan.common.errors import NotFound, ValidationError


@pytest.fixture
def current(world):
    return catalog_current()


def test_tree_is_level_1_then_2_then_3(current, django_assert_num_queries):
    with django_assert_num_queries(1):
        tree = catalog_tree(version=current)
    assert [n.item.code for n in tree] == ["01", "02", "03", "04", "05"]
    assert [n.item.name for n in tree][:2] == ["基本公共服务", "社会管理性服务"]
    elderly = tree[0].children[0]
    assert elderly.item.name == "养老服务"
    assert [c.item.name for c in elderly.children][:3] == [
        "居家养老服务",
        "老年人日间照料",
        "老年人探访",
    ]
    assert all(not c.children for c in elderly.children)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("养老", {"居家养老服务", "养老服务", "养老服务机构运营管理"}),
        ("调解", {"人民调解", "医患纠纷人民调解", "矛盾调解服务"}),
        ("满意度", {"社会满意度调查"}),
        ("帮教", {"安置帮教", "社区矫正与安置帮教"}),
        ("一窗式", {"社区窗口服务"}),  # found in the description
        ("不存在的服务", set()),
    ],
)
def test_chinese_substring_search(current, q, expected):
    names = {i.name for i in catalog_item_list(version=current, q=q, limit=100).items}
    assert expected <= names
    if not expected:
        assert names == set()


def test_search_is_within_one_version(current):
    old = CatalogVersion.objects.get(name="2016年8月修订版")
    assert catalog_item_list(version=current, q="满意度").items
    assert not catalog_item_list(version=old, q="满意度").items


def test_filters_and_pagination(current):
    level1 = catalog_item_list(version=current, level=1, limit=100).items
    assert [i.code for i in level1] == ["01", "02", "03", "04", "05"]
    children = catalog_item_list(version=current, parent="0202", limit=100).items
    assert [i.name for i in children] == ["人民调解", "医患纠纷人民调解"]
    assert {i.level for i in catalog_item_list(version=current, parent="01", limit=100).items} == {
        2
    }
    by_code = catalog_item_list(version=current, q="0202").items
    assert [i.code for i in by_code] == ["0202", "020201", "020202"]
    first = catalog_item_list(version=current, limit=10)
    second = catalog_item_list(version=current, limit=10, cursor=first.next_cursor)
    assert first.next_cursor and second.items
    assert first.items[-1].code < second.items[0].code
    with pytest.raises(ValidationError):
        catalog_item_list(version=current, level=4)
    with pytest.raises(ValidationError):
        catalog_item_list(version=current, parent="abc")
    with pytest.raises(ValidationError):
        catalog_item_list(version=current, q="长" * 101)


def test_compare_added_removed_changed(world):
    old = CatalogVersion.objects.get(name="2016年8月修订版")
    new = CatalogVersion.objects.get(name="2017年7月修订版")
    result = catalog_compare(a=old, b=new)
    added = {i.name for i in result.added}
    assert {"社会满意度调查", "权益维护服务", "公益性教育产品的创作与管理"} <= added
    assert {"公益性教育活动的组织宣传与承办", "行业标准研究、制订的辅助性服务"} <= added
    assert [i.code for i in result.removed] == ["010302"]
    changed = {c.code: {f.field: (f.old, f.new) for f in c.changes} for c in result.changed}
    assert changed["010101"] == {"guidance_price": ("30.00", "32.00")}
    assert set(changed["010103"]) == {"description"}
    assert all(c.old.version_id == old.pk and c.new.version_id == new.pk for c in result.changed)
    home = next(c for c in result.changed if c.code == "010101").changes[0]
    assert (home.label, home.old_display, home.new_display) == ("指导价", "¥30.00", "¥32.00")
    same = catalog_compare(a=new, b=new)
    assert same.is_same and same.unchanged == CatalogItem.objects.filter(version=new).count()


def test_compare_detects_every_compared_field(make_draft, small_items, admin):
    a = make_draft(small_items)
    b = services.catalog_version_create(
        copy_from=a,
        actor=admin,
        data=CatalogVersionInput.parse(name="比较用", effective_date=dt.date(2035, 1, 1)),
    )
    item = CatalogItem.objects.get(version=b, code="010101")
    services.catalog_item_update(
        item=item,
        actor=admin,
        changes={
            "name": "新名称",
            "description": "新说明",
            "category": "affairs",
            "guidance_price": "31",
            "price_unit": "元/次",
            "bought_first": True,
        },
    )
    result = catalog_compare(a=a, b=b)
    [change] = result.changed
    assert [f.field for f in change.changes] == [
        "name",
        "description",
        "category",
        "guidance_price",
        "price_unit",
        "bought_first",
    ]
    assert change.changes[2].old_display == "服务类" and change.changes[2].new_display == "事务类"


def test_drafts_are_invisible_to_everyone_but_the_admin(world, make_draft, small_items):
    draft = make_draft(small_items)
    item = CatalogItem.objects.filter(version=draft).first()
    for username in ("purchaser", "provider", "resident"):
        actor = world.actor(username)
        with pytest.raises(NotFound):
            catalog_version_get_for(actor=actor, version_id=draft.pk)
        with pytest.raises(NotFound):
            catalog_item_get_for(actor=actor, item_id=item.pk)
        assert draft not in catalog_versions(actor=actor)
    admin = world.actor("admin")
    assert catalog_version_get_for(actor=admin, version_id=draft.pk) == draft
    assert draft in catalog_versions(actor=admin)
