"""Excel import (all or nothing, every bad row reported) and export (round-trips)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caidan.audit.models import AuditEvent
from caidan.catalog import services
from caidan.catalog.models import CatalogItem
from caidan.common.errors import Conflict, PermissionDenied, ValidationError

from .conftest import HEADER, xlsx_bytes, xlsx_upload

GOOD_ROWS = [
    ["01", "基本公共服务", "基本公共服务事项", "", None, "", "否"],
    ["0101", "养老服务", "", "", None, "", "是"],
    ["010101", "居家养老服务", "上门生活照料", "服务类", "30", "元/人·小时", "是"],
    ["010102", "老年人日间照料", "", "服务类", 60.5, "元/人·日", "是"],
    ["0102", "矛盾调解", "", "", None, "", ""],
    ["010201", "人民调解", "", "专业类", "300.00", "元/件", "否"],
    ["010202", "社会满意度调查", "", "professional", None, "", "否"],
]


def test_a_good_file_imports(make_draft, admin):
    draft = make_draft()
    created = services.catalog_version_import(
        version=draft, file=xlsx_upload(GOOD_ROWS), actor=admin
    )
    assert [i.code for i in created] == sorted(r[0] for r in GOOD_ROWS)
    item = CatalogItem.objects.get(version=draft, code="010102")
    assert item.level == 3 and item.parent.code == "0101"
    assert item.guidance_price == Decimal("60.50") and item.price_unit == "元/人·日"
    assert item.category == "service" and item.bought_first
    assert CatalogItem.objects.get(version=draft, code="010202").category == "professional"
    assert CatalogItem.objects.get(version=draft, code="010201").guidance_price == Decimal("300")
    event = AuditEvent.objects.filter(kind="catalog.version_imported").latest("seq")
    assert event.new["count"] == len(GOOD_ROWS) and event.new["file"] == "catalog.xlsx"
    assert event.target_id == str(draft.pk)


def test_rows_may_add_children_to_items_already_in_the_draft(make_draft, small_items, admin):
    draft = make_draft(small_items)
    rows = [["010103", "老年人探访", "", "服务类", "20", "元/人·次", "是"]]
    services.catalog_version_import(version=draft, file=xlsx_upload(rows), actor=admin)
    item = CatalogItem.objects.get(version=draft, code="010103")
    assert item.parent == CatalogItem.objects.get(version=draft, code="0101")


def test_mixed_file_writes_nothing_and_reports_every_bad_row(make_draft, small_items, admin):
    draft = make_draft(small_items)
    items_before = CatalogItem.objects.count()
    events_before = AuditEvent.objects.count()
    rows = [
        ["02", "社会管理性服务", "", "", None, "", "否"],  # 2: good
        ["0201", "社区治理服务", "", "", None, "", "否"],  # 3: good
        ["020101", "社区窗口服务", "", "事务类", "80000", "元/窗口·年", "否"],  # 4: good
        ["02011", "坏编码", "", "服务类", None, "", "否"],  # 5: code shape
        ["030101", "无上级", "", "服务类", None, "", "否"],  # 6: parent missing
        ["020101", "重复于文件", "", "服务类", None, "", "否"],  # 7: duplicate in file
        ["010101", "重复于版本", "", "服务类", None, "", "否"],  # 8: duplicate in version
        ["020102", "类别错误", "", "娱乐类", None, "", "否"],  # 9: bad category
        ["020103", "价格错误", "", "服务类", "-5", "元", "否"],  # 10: bad price
        ["020104", "社区用房装修", "", "服务类", None, "", "否"],  # 11: negative list
        ["020105", "", "", "服务类", None, "", "否"],  # 12: missing name
        ["020106", "三级缺类别", "", "", None, "", "否"],  # 13: category required
        ["020107", "标志错误", "", "服务类", None, "", "也许"],  # 14: bad yes/no
        ["020108", "价格含三位小数", "", "服务类", "1.005", "元/次", "否"],  # 15: bad price
    ]
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_import(version=draft, file=xlsx_upload(rows), actor=admin)
    error = exc.value
    assert error.code == "import_rows_invalid"
    assert "未写入任何数据" in error.message
    errors = error.detail["errors"]
    by_row = {}
    for e in errors:
        assert set(e) == {"row", "field", "message"} and e["message"]
        by_row.setdefault(e["row"], set()).add(e["field"])
    assert by_row == {
        5: {"编码"},
        6: {"编码"},
        7: {"编码"},
        8: {"编码"},
        9: {"类别"},
        10: {"指导价"},
        11: {"名称"},
        12: {"名称"},
        13: {"类别"},
        14: {"优先向社会组织购买(是/否)"},
        15: {"指导价"},
    }
    messages = {e["row"]: e["message"] for e in errors}
    assert "第 4 行重复" in messages[7]
    assert "已存在" in messages[8]
    assert "0301" in messages[6]
    assert "装修" in messages[11] and "财政部令第102号第十条" in messages[11]
    assert CatalogItem.objects.count() == items_before  # nothing written
    assert AuditEvent.objects.count() == events_before


def test_a_row_lists_every_problem_it_has(make_draft, small_items, admin):
    """The rules that follow from the code are checked with their own field, alongside
    the others."""
    draft = make_draft(small_items)
    rows = [["010103", "", "", "", "-1", "", "否"]]
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_import(version=draft, file=xlsx_upload(rows), actor=admin)
    messages = {e["field"]: e["message"] for e in exc.value.detail["errors"]}
    assert messages == {
        "名称": "请填写名称。",
        "类别": "三级目录必须填写类别：管理类、服务类、专业类、事务类之一。",
        "指导价": "指导价不能为负数。",
    }


def test_not_an_xlsx_is_refused_clearly(make_draft, admin):
    draft = make_draft()
    csv = SimpleUploadedFile("catalog.csv", "编码,名称\n01,基本公共服务\n".encode(), "text/csv")
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_import(version=draft, file=csv, actor=admin)
    assert exc.value.field == "file" and ".xlsx" in exc.value.message
    fake = SimpleUploadedFile("catalog.xlsx", b"not a zip at all", "application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_import(version=draft, file=fake, actor=admin)
    assert exc.value.field == "file" and "Excel" in exc.value.message


def test_missing_columns_and_empty_files_are_refused(make_draft, admin):
    draft = make_draft()
    with pytest.raises(ValidationError, match="缺少必需的列：名称"):
        services.catalog_version_import(
            version=draft, file=xlsx_upload([["01"]], header=["编码"]), actor=admin
        )
    with pytest.raises(ValidationError) as exc:
        services.catalog_version_import(version=draft, file=xlsx_upload([]), actor=admin)
    assert "没有数据行" in exc.value.detail["errors"][0]["message"]


def test_numeric_codes_lose_no_leading_zero(make_draft, admin):
    draft = make_draft()
    rows = [[1, "基本公共服务"], [101, "养老服务"], [10101, "居家养老服务", "", "服务类"]]
    services.catalog_version_import(version=draft, file=xlsx_upload(rows), actor=admin)
    assert set(CatalogItem.objects.filter(version=draft).values_list("code", flat=True)) == {
        "01",
        "0101",
        "010101",
    }


def test_import_only_into_a_draft_and_only_by_the_admin(world, make_draft, small_items, admin):
    version = make_draft(small_items)
    services.catalog_version_publish(version=version, actor=admin)
    with pytest.raises(Conflict):
        services.catalog_version_import(version=version, file=xlsx_upload(GOOD_ROWS), actor=admin)
    draft = make_draft()
    with pytest.raises(PermissionDenied):
        services.catalog_version_import(
            version=draft, file=xlsx_upload(GOOD_ROWS), actor=world.actor("purchaser")
        )


def test_export_has_the_import_columns_in_tree_order(world):
    from openpyxl import load_workbook

    from caidan.catalog.selectors import catalog_current

    version = catalog_current()
    data = services.catalog_version_export(version=version)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][: len(HEADER)]) == HEADER
    codes = [r[0] for r in rows[1:]]
    assert codes[:3] == ["01", "0101", "010101"]
    assert all(isinstance(c, str) for c in codes)  # text, leading zeros kept
    assert len(codes) == CatalogItem.objects.filter(version=version).count()
    home_care = next(r for r in rows if r[0] == "010101")
    assert home_care[1] == "居家养老服务" and home_care[3] == "服务类"
    assert Decimal(str(home_care[4])) == Decimal("32.00") and home_care[6] == "是"


def test_export_then_import_round_trips(world, make_draft, admin):
    from caidan.catalog.selectors import catalog_compare, catalog_current

    source = catalog_current()
    data = services.catalog_version_export(version=source)
    target = make_draft()
    services.catalog_version_import(
        version=target, file=SimpleUploadedFile("round.xlsx", data), actor=admin
    )
    comparison = catalog_compare(a=source, b=target)
    assert comparison.is_same, (comparison.added, comparison.removed, comparison.changed)
    fields = ("code", "level", "parent__code", "sort_order")
    assert list(
        CatalogItem.objects.filter(version=source).order_by("code").values_list(*fields)
    ) == list(CatalogItem.objects.filter(version=target).order_by("code").values_list(*fields))


def test_in_memory_bytes_import(make_draft, admin):
    """A plain BytesIO (no file name) is accepted too."""
    draft = make_draft()
    services.catalog_version_import(
        version=draft, file=io.BytesIO(xlsx_bytes(GOOD_ROWS)), actor=admin
    )
    assert CatalogItem.objects.filter(version=draft).count() == len(GOOD_ROWS)


def test_import_file_on_disk(tmp_path, make_draft, admin):
    path = tmp_path / "目录.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ROWS))
    draft = make_draft()
    with path.open("rb") as handle:
        services.catalog_version_import(version=draft, file=handle, actor=admin)
    assert CatalogItem.objects.filter(version=draft, level=3).count() == 4
