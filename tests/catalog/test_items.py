"""Item rules: hierarchical codes, parents, levels, categories, prices, the negative list."""

from decimal import Decimal

import pytest

from caidan.audit.models import AuditEvent
from caidan.catalog import services
from caidan.catalog.inputs import CatalogItemInput
from caidan.catalog.models import CatalogItem
from caidan.common.errors import Conflict, PermissionDenied, ValidationError


@pytest.fixture
def draft(make_draft, small_items):
    return make_draft(small_items)


def _create(draft, admin, **fields):
    data = {"code": "010103", "name": "老年人探访", "category": "service"}
    data.update(fields)
    return services.catalog_item_create(
        version=draft, actor=admin, data=CatalogItemInput.parse(**data)
    )


def test_level_and_parent_follow_from_the_code(draft, admin):
    item = _create(draft, admin, guidance_price="20", price_unit="元/人·次", bought_first=True)
    assert item.level == 3
    assert item.parent.code == "0101" and item.parent.parent.code == "01"
    assert item.guidance_price == Decimal("20.00")
    assert item.bought_first
    top = _create(draft, admin, code="02", name="社会管理性服务", category="")
    assert top.level == 1 and top.parent is None
    second = _create(draft, admin, code="0201", name="社区治理服务", category="")
    assert second.level == 2 and second.parent == top
    event = AuditEvent.objects.filter(kind="catalog.item_created").latest("seq")
    assert event.new["code"] == "0201" and event.new["version"] == draft.pk


@pytest.mark.parametrize(
    "code", ["1", "001", "01010", "0101011", "ab", "01a1", "", "00", "0100", "010100", " 0 1"]
)
def test_bad_code_shapes_are_refused(draft, admin, code):
    with pytest.raises(ValidationError) as exc:
        _create(draft, admin, code=code)
    assert exc.value.field == "code"
    assert "编码" in exc.value.message


def test_missing_parent_is_refused(draft, admin):
    with pytest.raises(ValidationError) as exc:
        _create(draft, admin, code="030101")
    assert exc.value.field == "code" and "0301" in exc.value.message
    with pytest.raises(ValidationError, match="“03”"):
        _create(draft, admin, code="0301", category="")


def test_duplicate_code_in_version_is_refused(draft, admin):
    with pytest.raises(ValidationError) as exc:
        _create(draft, admin, code="010101", name="重复")
    assert exc.value.code == "duplicate"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "entertainment"}, "category"),
        ({"code": "03", "name": "一级", "category": "service"}, "category"),
        ({"name": "  "}, "name"),
        ({"name": "名" * 201}, "name"),
        ({"guidance_price": "-1", "price_unit": "元"}, "guidance_price"),
        ({"guidance_price": "12.345", "price_unit": "元"}, "guidance_price"),
        ({"guidance_price": "十元", "price_unit": "元"}, "guidance_price"),
        ({"guidance_price": 12.5, "price_unit": "元"}, "guidance_price"),  # floats refused
        ({"guidance_price": "12"}, "price_unit"),  # a price needs its unit
        ({"code": "03", "name": "一级", "category": "", "guidance_price": "1"}, "guidance_price"),
        ({"sort_order": -1}, "sort_order"),
    ],
)
def test_field_rules(draft, admin, fields, field):
    with pytest.raises(ValidationError) as exc:
        _create(draft, admin, **fields)
    assert exc.value.field == field, exc.value.message


def test_category_accepts_its_chinese_label(draft, admin):
    assert _create(draft, admin, category="事务类").category == "affairs"


def test_negative_list_refuses_item_creation_naming_the_rule(draft, admin):
    with pytest.raises(ValidationError) as exc:
        _create(draft, admin, name="社区活动室装修")
    error = exc.value
    assert error.code == "negative_list" and error.field == "name"
    assert "装修" in error.message
    assert "政府采购法律、行政法规规定的货物和工程" in error.message
    assert "财政部令第102号第十条" in error.message
    assert error.detail["entry"] == "NL03" and error.detail["keyword"] == "装修"
    with pytest.raises(ValidationError) as exc:
        _create(draft, admin, description="含街道工作人员劳务派遣")
    assert exc.value.field == "description" and exc.value.detail["entry"] == "NL05"
    assert not CatalogItem.objects.filter(version=draft, code="010103").exists()


def test_negative_list_refuses_item_edits(draft, admin):
    item = CatalogItem.objects.get(version=draft, code="010101")
    with pytest.raises(ValidationError, match="融资"):
        services.catalog_item_update(
            item=item, actor=admin, changes={"description": "为养老机构提供融资服务"}
        )
    item.refresh_from_db()
    assert item.description == ""


def test_update_changes_only_what_is_given_and_audits_the_diff(draft, admin):
    item = CatalogItem.objects.get(version=draft, code="010101")
    services.catalog_item_update(
        item=item, actor=admin, changes={"guidance_price": "32", "bought_first": True}
    )
    item.refresh_from_db()
    assert item.guidance_price == Decimal("32.00") and item.bought_first
    assert item.name == "居家养老服务" and item.price_unit == "元/人·小时"
    event = AuditEvent.objects.filter(kind="catalog.item_updated").latest("seq")
    assert event.old == {"guidance_price": "30.00", "bought_first": False}
    assert event.new == {"guidance_price": "32.00", "bought_first": True}
    count = AuditEvent.objects.count()
    services.catalog_item_update(
        item=item, actor=admin, changes={"name": "居家养老服务"}
    )  # no change
    assert AuditEvent.objects.count() == count
    services.catalog_item_update(item=item, actor=admin, changes={"guidance_price": None})
    item.refresh_from_db()
    assert item.guidance_price is None


def test_an_edit_checks_the_whole_item_and_keeps_its_code(draft, admin):
    item = CatalogItem.objects.get(version=draft, code="010101")
    with pytest.raises(ValidationError) as exc:  # the price stays, so must its unit
        services.catalog_item_update(item=item, changes={"price_unit": ""}, actor=admin)
    assert exc.value.field == "price_unit"
    with pytest.raises(ValidationError) as exc:
        services.catalog_item_update(item=item, changes={"code": "010109"}, actor=admin)
    assert exc.value.field == "code" and exc.value.message == "不能修改字段“code”。"
    item.refresh_from_db()
    assert (item.code, item.price_unit) == ("010101", "元/人·小时")


def test_delete_refuses_an_item_with_children(draft, admin):
    parent = CatalogItem.objects.get(version=draft, code="0101")
    with pytest.raises(Conflict, match="2 个下级条目"):
        services.catalog_item_delete(item=parent, actor=admin)
    leaf = CatalogItem.objects.get(version=draft, code="010102")
    services.catalog_item_delete(item=leaf, actor=admin)
    assert not CatalogItem.objects.filter(pk=leaf.pk).exists()
    event = AuditEvent.objects.filter(kind="catalog.item_deleted").latest("seq")
    assert event.old["code"] == "010102"


@pytest.mark.parametrize("username", ["purchaser", "provider", "resident", "auditor"])
def test_only_the_admin_edits_items(world, draft, username):
    actor = world.actor(username)
    item = CatalogItem.objects.get(version=draft, code="010101")
    with pytest.raises(PermissionDenied):
        _create(draft, actor)
    with pytest.raises(PermissionDenied):
        services.catalog_item_update(item=item, actor=actor, changes={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.catalog_item_delete(item=item, actor=actor)
