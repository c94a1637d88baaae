"""Excel in and out (openpyxl): header-checked reading and simple writing.

Imports are all-or-nothing: callers validate every row, collect
``{"row", "field", "message"}`` errors, and write nothing unless there are none.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.common.codes import Common

from .errors import ValidationError, field_error

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Bounds of one import (settings ``XLSX_MAX_ROWS`` …; these are the defaults). A workbook
# is a zip: a few hundred kilobytes can declare millions of (empty) rows or columns, or
# unpack to gigabytes. Reading stops at the first of these limits, so an import costs at
# most a bounded amount of work whatever the file says.
DEFAULT_MAX_ROWS = 20000  # data rows
DEFAULT_MAX_COLUMNS = 100  # columns read per row (the header's width, at most this)
DEFAULT_MAX_CELLS = 1_000_000  # cells read in all, blank ones included
DEFAULT_EMPTY_RUN = 50  # this many blank rows in a row end the data
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # the zip's entries, unpacked
MAX_IMPORT_ROWS = DEFAULT_MAX_ROWS  # kept for callers that name it


def _limit(name: str, default: int) -> int:
    from django.conf import settings

    return int(getattr(settings, name, default))


def _too_large(message: str, limit_name: str, limit: int) -> ValidationError:
    return ValidationError(
        message,
        code=Common.IMPORT_TOO_LARGE,
        detail={"field": "file", "limit": limit_name, "max": limit},
    )


def _check_unpacked_size(file) -> None:
    """Refuse a zip whose entries unpack beyond the limit (a zip bomb), before openpyxl
    reads any of it. Not a zip at all: left to openpyxl's own error."""
    import zipfile

    limit = _limit("XLSX_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    finally:
        file.seek(0)
    if unpacked > limit:
        raise _too_large(
            f"文件解压后超过 {limit // (1024 * 1024)} MB 的导入上限，请拆分后分批导入。",
            "XLSX_MAX_UNPACKED_BYTES",
            limit,
        )


def read_rows(
    file, headers: Sequence[str], *, required: Sequence[str] = ()
) -> list[tuple[int, dict]]:
    """Rows of the first sheet as ``(excel row number, {header: value})``; blank rows are
    skipped and a stretch of ``XLSX_EMPTY_RUN`` blank rows ends the data. Refuses files that
    are not .xlsx, lack a required column, or exceed the import limits (rows, cells,
    unpacked size; settings ``XLSX_MAX_*``), with a message naming the limit.

    Read in openpyxl's read-only (streaming) mode, only as many columns as the header has."""
    from openpyxl import load_workbook

    max_rows = _limit("XLSX_MAX_ROWS", DEFAULT_MAX_ROWS)
    max_columns = _limit("XLSX_MAX_COLUMNS", DEFAULT_MAX_COLUMNS)
    max_cells = _limit("XLSX_MAX_CELLS", DEFAULT_MAX_CELLS)
    empty_run = _limit("XLSX_EMPTY_RUN", DEFAULT_EMPTY_RUN)

    name = getattr(file, "name", "") or ""
    if name and not name.lower().endswith(".xlsx"):
        raise field_error("file", _("请上传 Excel 文件（.xlsx）。"))
    if hasattr(file, "seek"):
        _check_unpacked_size(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure means "not a usable xlsx"
        raise field_error("file", _("无法读取该文件，请上传有效的 Excel 文件（.xlsx）。")) from None
    try:
        return _read_sheet(
            workbook.worksheets[0],
            headers,
            required=required,
            max_rows=max_rows,
            max_columns=max_columns,
            max_cells=max_cells,
            empty_run=empty_run,
        )
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a corrupt sheet part
        raise field_error("file", _("无法读取该文件，请上传有效的 Excel 文件（.xlsx）。")) from None
    finally:
        workbook.close()


def _read_sheet(sheet, headers, *, required, max_rows, max_columns, max_cells, empty_run):
    header_cells = next(sheet.iter_rows(max_row=1, max_col=max_columns, values_only=True), None)
    if header_cells is None:
        raise field_error("file", _("文件是空的。"))
    header_row = [str(c).strip() if c is not None else "" for c in header_cells]
    while header_row and not header_row[-1]:
        header_row.pop()
    missing = [h for h in required if h not in header_row]
    if missing:
        raise field_error(
            "file", _("缺少必需的列：%(join)s（第 1 行应为表头）。") % {"join": "、".join(missing)}
        )
    index = {h: header_row.index(h) for h in headers if h in header_row}
    width = max(len(header_row), 1)
    out = []
    blank = 0
    cells = width
    for number, raw in enumerate(
        sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2
    ):
        cells += width
        if cells > max_cells:
            raise _too_large(
                f"文件超过 {max_cells} 个单元格的导入上限（XLSX_MAX_CELLS），请拆分后分批导入。",
                "XLSX_MAX_CELLS",
                max_cells,
            )
        if raw is None or all(c in (None, "") for c in raw):
            blank += 1
            if blank >= empty_run:
                break  # the data has ended; what follows is formatting or padding
            continue
        blank = 0
        if len(out) >= max_rows:
            raise _too_large(
                f"文件超过 {max_rows} 行的导入上限（XLSX_MAX_ROWS），请拆分后分批导入。",
                "XLSX_MAX_ROWS",
                max_rows,
            )
        out.append((number, {h: (raw[i] if i < len(raw) else None) for h, i in index.items()}))
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
        _("导入失败：%(len)s 行有错误，未写入任何数据。请修改后重新导入。") % {"len": len(rows)},
        code=Common.IMPORT_ROWS_INVALID,
        detail={"field": "file", "errors": errors},
    )


def save_workbook(file, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """One sheet into ``file`` (a path or a binary file object). openpyxl's write-only mode
    writes the rows as they come, so a large table is never held in memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Sheet1")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(file)


def write_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    save_workbook(buffer, title, headers, rows)
    return buffer.getvalue()
