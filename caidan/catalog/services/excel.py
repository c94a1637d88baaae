"""Excel in and out for a catalog version (openpyxl).

Import is all-or-nothing: every row is checked (code shape, parent, duplicates, category,
price, negative list, name) and nothing is written unless every row passes; the error
lists each bad row. Export writes the same columns, so an exported file imports again.
"""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import DomainError, ValidationError
from caidan.common.perms import Perm
from caidan.common.xlsx import cell_text, import_failed, read_rows

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..inputs import CatalogItemInput
from ..models import CODE_DIGITS_PER_LEVEL, CatalogItem, CatalogVersion, ItemLevel
from .items import ITEM_FIELDS, check_negative_list, lock_draft
from .negative_list import active_entries

COL_CODE = "编码"
COL_NAME = "名称"
COL_DESCRIPTION = "说明"
COL_CATEGORY = "类别"
COL_PRICE = "指导价"
COL_UNIT = "计价单位"
COL_BOUGHT_FIRST = "优先向社会组织购买(是/否)"
COL_SORT = "排序"
COLUMNS = [
    COL_CODE,
    COL_NAME,
    COL_DESCRIPTION,
    COL_CATEGORY,
    COL_PRICE,
    COL_UNIT,
    COL_BOUGHT_FIRST,
    COL_SORT,  # optional: display order among siblings
]
REQUIRED = [COL_CODE, COL_NAME]
# Spellings people type for the flag column, all read as COL_BOUGHT_FIRST.
BOUGHT_FIRST_ALIASES = ["优先向社会组织购买（是/否）", "优先向社会组织购买"]
COLUMN_OF = {
    "code": COL_CODE,
    "name": COL_NAME,
    "description": COL_DESCRIPTION,
    "category": COL_CATEGORY,
    "guidance_price": COL_PRICE,
    "price_unit": COL_UNIT,
    "bought_first": COL_BOUGHT_FIRST,
    "sort_order": COL_SORT,
}
YES = {"是", "y", "yes", "true", "1", "√", "✓", "优先"}
NO = {"", "否", "n", "no", "false", "0", "×"}


def _code_cell(value: Any) -> str:
    """Excel turns 0101 typed as a number into 101; a code of odd length lost exactly one
    leading zero, so it is restored. Text cells are taken as they are."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        digits = str(int(value))
        return digits.zfill(len(digits) + 1) if len(digits) % 2 else digits
    return cell_text(value)


def _bought_first(cell: Any) -> bool | None:
    """The yes/no column as people fill it in (None: neither)."""
    flag = cell_text(cell).casefold()
    return True if flag in YES else False if flag in NO else None


def _parse_row(
    number: int, row: dict, entries
) -> tuple[str | None, CatalogItemInput | None, list[dict]]:
    """One spreadsheet row: its code (when valid), the item input (when the whole row is)
    and every problem the row has."""
    errors: list[dict] = []

    def err(field: str, message: str) -> None:
        errors.append({"row": number, "field": COLUMN_OF.get(field, COL_CODE), "message": message})

    values: dict[str, Any] = {
        "code": _code_cell(row.get(COL_CODE)),
        "name": cell_text(row.get(COL_NAME)),
        "description": cell_text(row.get(COL_DESCRIPTION)),
        "category": cell_text(row.get(COL_CATEGORY)),
        "guidance_price": cell_text(row.get(COL_PRICE)),
        "price_unit": cell_text(row.get(COL_UNIT)),
        "sort_order": cell_text(row.get(COL_SORT)),
    }
    flag = cell_text(row.get(COL_BOUGHT_FIRST)).casefold()
    if flag in YES or flag in NO:
        values["bought_first"] = flag in YES
    else:
        err("bought_first", f"应填“是”或“否”，而不是“{flag}”。")
    data = None
    try:
        data = CatalogItemInput.parse(values)
    except ValidationError as exc:
        for problem in exc.detail.get("errors") or [exc.detail]:
            err(problem.get("field", ""), problem.get("message", exc.message))
    refused = {e["field"] for e in errors}
    if not refused & {COL_NAME, COL_DESCRIPTION}:
        try:
            check_negative_list(values["name"], values["description"], entries)
        except DomainError as exc:
            err("name", exc.message)
    code = values["code"] if COL_CODE not in refused else None
    return code, (data if not errors else None), errors


def _code_problems(codes: list[tuple[int, str]], existing: set[str]) -> list[dict]:
    """Codes twice in the file, already in the version, or whose parent is in neither."""
    errors: list[dict] = []
    first_row_of: dict[str, int] = {}

    def err(number: int, message: str) -> None:
        errors.append({"row": number, "field": COL_CODE, "message": message})

    for number, code in codes:
        if code in first_row_of:
            err(number, f"编码“{code}”与第 {first_row_of[code]} 行重复。")
        else:
            first_row_of[code] = number
    for number, code in codes:
        if code in existing:
            err(number, f"编码“{code}”在本版本中已存在。")
        parent = code[:-CODE_DIGITS_PER_LEVEL]
        if parent and parent not in existing and parent not in first_row_of:
            err(number, f"上级条目“{parent}”既不在文件中，也不在本版本中。")
    return errors


def _read(file) -> list[tuple[int, dict]]:
    rows = read_rows(file, [*COLUMNS, *BOUGHT_FIRST_ALIASES], required=REQUIRED)
    for _number, row in rows:
        for alias in BOUGHT_FIRST_ALIASES:
            if row.get(COL_BOUGHT_FIRST) is None and alias in row:
                row[COL_BOUGHT_FIRST] = row[alias]
    return rows


def _create(version: CatalogVersion, items: list[CatalogItemInput], ids: dict[str, int]):
    """Write checked items, parents first (``ids``: code → id of the items already there)."""
    created: list[CatalogItem] = []
    for level in ItemLevel.values:
        batch = [
            CatalogItem(
                version=version,
                level=level,
                parent_id=ids[d.parent_code] if level > 1 else None,
                **d.values(*ITEM_FIELDS),
            )
            for d in items
            if d.level == level
        ]
        if not batch:
            continue
        CatalogItem.objects.bulk_create(batch)
        fresh = list(
            CatalogItem.objects.filter(
                version=version, level=level, code__in=[i.code for i in batch]
            )
        )
        ids.update((i.code, i.pk) for i in fresh)
        created += fresh
    return created


def catalog_version_import(*, version: CatalogVersion, file, actor: Actor) -> list[CatalogItem]:
    """Add the rows of an .xlsx file to a draft version. Level and parent follow from each
    code; a parent may be in the file or already in the version. All or nothing."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        version = lock_draft(version)
        rows = _read(file)
        entries = active_entries()
        errors: list[dict] = []
        items: list[CatalogItemInput] = []
        codes: list[tuple[int, str]] = []
        for number, row in rows:
            code, data, row_errors = _parse_row(number, row, entries)
            errors += row_errors
            if code is not None:
                codes.append((number, code))
            if data is not None:
                items.append(data)
        existing = dict(CatalogItem.objects.filter(version=version).values_list("code", "id"))
        errors += _code_problems(codes, set(existing))
        if not rows:
            errors.append({"row": 2, "field": COL_CODE, "message": "文件中没有数据行。"})
        if errors:
            raise import_failed(sorted(errors, key=lambda e: (e["row"], COLUMNS.index(e["field"]))))
        created = _create(version, items, dict(existing))
        audit_record(
            kind=EventKind.CATALOG_VERSION_IMPORTED,
            actor=actor,
            target=version,
            new={
                "file": getattr(file, "name", "") or "",
                "count": len(created),
                "codes": sorted(i.code for i in created),
            },
        )
    return sorted(created, key=lambda i: i.code)


def catalog_version_export(*, version: CatalogVersion) -> bytes:
    """The version's items as .xlsx, in tree order, with the import columns (the caller has
    checked that the reader may see the version)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..selectors import catalog_tree_items

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "目录条目"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in catalog_tree_items(version=version):
        sheet.append(
            [
                item.code,
                item.name,
                item.description,
                item.get_category_display() if item.category else "",
                item.guidance_price,
                item.price_unit,
                "是" if item.bought_first else "否",
                item.sort_order,
            ]
        )
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"  # codes are text: 0101 must keep its leading zero
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "0.00"
    for letter, width in zip("ABCDEFGH", (10, 36, 60, 8, 10, 12, 24, 6), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    about = workbook.create_sheet("说明")
    for line in (
        ["目录版本", version.name],
        ["生效日期", version.effective_date.isoformat()],
        ["状态", version.get_status_display()],
        ["编码规则", "一级 2 位、二级 4 位、三级 6 位数字；上级编码是下级编码的前缀。"],
        ["类别", "三级目录必填：管理类、服务类、专业类、事务类；一级、二级留空。"],
        ["指导价", "元，最多两位小数，可留空；填写时须填计价单位（如 元/人·次）。"],
        ["导入", "只读取第一个工作表；任何一行有误则整份文件不导入，并列出每一行的问题。"],
    ):
        about.append(line)
    about.column_dimensions["A"].width = 12
    about.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
