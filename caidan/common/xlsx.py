"""Excel in and out (openpyxl): header-checked reading and simple writing.

Imports are all-or-nothing: callers validate every row, collect
``{"row", "field", "message"}`` errors, and write nothing unless there are none.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import ValidationError, field_error

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_ROWS = 20000


def read_rows(
    file, headers: Sequence[str], *, required: Sequence[str] = ()
) -> list[tuple[int, dict]]:
    """Rows of the first sheet as ``(excel row number, {header: value})``; blank rows are
    skipped. Refuses files that are not .xlsx or lack a required column."""
    from openpyxl import load_workbook

    name = getattr(file, "name", "") or ""
    if name and not name.lower().endswith(".xlsx"):
        raise field_error("file", "请上传 Excel 文件（.xlsx）。")
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure means "not a usable xlsx"
        raise field_error("file", "无法读取该文件，请上传有效的 Excel 文件（.xlsx）。") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header_row = [str(c).strip() if c is not None else "" for c in next(rows)]
    except StopIteration:
        raise field_error("file", "文件是空的。") from None
    missing = [h for h in required if h not in header_row]
    if missing:
        raise field_error("file", f"缺少必需的列：{'、'.join(missing)}（第 1 行应为表头）。")
    index = {h: header_row.index(h) for h in headers if h in header_row}
    out = []
    for number, raw in enumerate(rows, start=2):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        out.append((number, {h: (raw[i] if i < len(raw) else None) for h, i in index.items()}))
        if len(out) > MAX_IMPORT_ROWS:
            raise field_error("file", f"一次最多导入 {MAX_IMPORT_ROWS} 行。")
    workbook.close()
    return out


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def import_failed(errors: list[dict]) -> ValidationError:
    rows = sorted({e["row"] for e in errors})
    return ValidationError(
        f"导入失败：{len(rows)} 行有错误，未写入任何数据。请修改后重新导入。",
        code="import_rows_invalid",
        detail={"field": "file", "errors": errors},
    )


def write_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Sheet1")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
