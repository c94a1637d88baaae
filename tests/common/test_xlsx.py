"""Spreadsheet imports are bounded (issue 16 item 6): a small workbook that declares
millions of empty rows, or more rows, cells or unpacked bytes than allowed, costs a
bounded amount of work and is refused with a message naming the limit."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caidan.common.errors import ValidationError
from caidan.common.xlsx import read_rows

HEADERS = ["名称", "金额"]


def _workbook(rows, *, far_row: int | None = None, far_col: int | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(list(row))
    if far_row:  # a lone cell far below: millions of empty rows in between
        sheet.cell(row=far_row, column=1, value="尾")
    if far_col:  # a cell far to the right of the header
        sheet.cell(row=2, column=far_col, value="右")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("导入.xlsx", data)


def test_rows_are_read():
    rows = read_rows(_upload(_workbook([("甲", 1), (None, None), ("乙", 2)])), HEADERS)
    assert rows == [(2, {"名称": "甲", "金额": 1}), (4, {"名称": "乙", "金额": 2})]


def test_a_million_empty_rows_end_at_the_first_empty_stretch():
    """A cell in Excel's last row (1 048 576): every row between is read as empty."""
    data = _workbook([("甲", 1)], far_row=1_048_576)
    assert len(data) < 20_000  # a small file …
    started = time.monotonic()
    rows = read_rows(_upload(data), HEADERS)
    assert time.monotonic() - started < 0.5  # … read in bounded time (≈2 s before, 43 s for 5M)
    assert rows == [(2, {"名称": "甲", "金额": 1})]


def test_blank_stretch_shorter_than_the_limit_is_skipped(settings):
    settings.XLSX_EMPTY_RUN = 5
    data = _workbook([("甲", 1), *[(None, None)] * 3, ("乙", 2)])
    assert [n for n, _ in read_rows(_upload(data), HEADERS)] == [2, 6]
    data = _workbook([("甲", 1)], far_row=8)  # 5 blank rows (3–7): the data has ended
    assert [n for n, _ in read_rows(_upload(data), HEADERS)] == [2]


@pytest.mark.parametrize(("count", "refused"), [(2, False), (3, False), (4, True)])
def test_max_rows_at_the_boundary(settings, count, refused):
    settings.XLSX_MAX_ROWS = 3
    data = _workbook([(f"行{n}", n) for n in range(count)])
    if not refused:
        assert len(read_rows(_upload(data), HEADERS)) == count
        return
    with pytest.raises(ValidationError) as info:
        read_rows(_upload(data), HEADERS)
    assert info.value.code == "import_too_large"
    assert "3 行" in info.value.message and "XLSX_MAX_ROWS" in info.value.message
    assert info.value.detail == {"field": "file", "limit": "XLSX_MAX_ROWS", "max": 3}


def test_columns_beyond_the_header_are_not_read(settings):
    settings.XLSX_MAX_CELLS = 100
    data = _workbook([("甲", 1)], far_col=16000)
    assert read_rows(_upload(data), HEADERS) == [(2, {"名称": "甲", "金额": 1})]


def test_max_cells(settings):
    settings.XLSX_MAX_CELLS = 10  # header + 4 rows of 2 columns fit, the 5th does not
    assert len(read_rows(_upload(_workbook([("a", 1)] * 4)), HEADERS)) == 4
    with pytest.raises(ValidationError) as info:
        read_rows(_upload(_workbook([("a", 1)] * 5)), HEADERS)
    assert "10 个单元格" in info.value.message and info.value.detail["limit"] == "XLSX_MAX_CELLS"


def test_zip_bomb_refused_before_reading(settings):
    settings.XLSX_MAX_UNPACKED_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    source = zipfile.ZipFile(_upload(_workbook([("甲", 1)])), "r")
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        read_rows(_upload(buffer.getvalue()), HEADERS)
    assert info.value.detail["limit"] == "XLSX_MAX_UNPACKED_BYTES"
    assert "1 MB" in info.value.message
