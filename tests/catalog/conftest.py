"""Fixtures for the catalog tests: the admin actor, drafts built through the services, and
.xlsx files built in memory with openpyxl.

The demo seed has already published two versions (effective 2016-08-01 and 2017-07-01),
so versions made here take effective dates from 2030 on.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caidan.catalog.inputs import CatalogItemInput, CatalogVersionInput

HEADER = ["编码", "名称", "说明", "类别", "指导价", "计价单位", "优先向社会组织购买(是/否)"]


@pytest.fixture
def admin(world):
    return world.actor("admin")


@pytest.fixture
def make_draft(admin):
    """``make_draft(items=[(code, name, category, price, unit), …], copy_from=None)``."""
    from caidan.catalog.services import catalog_item_create, catalog_version_create

    counter = {"n": 0}

    def _make(items=None, *, copy_from=None, effective_date=None, name=None):
        counter["n"] += 1
        version = catalog_version_create(
            copy_from=copy_from,
            actor=admin,
            data=CatalogVersionInput.parse(
                name=name or f"测试版本{counter['n']}",
                effective_date=effective_date or dt.date(2030, 1, counter["n"]),
            ),
        )
        for code, item_name, category, price, unit in items or []:
            catalog_item_create(
                version=version,
                actor=admin,
                data=CatalogItemInput.parse(
                    code=code,
                    name=item_name,
                    category=category,
                    guidance_price=price,
                    price_unit=unit,
                ),
            )
        return version

    return _make


SMALL = [
    ("01", "基本公共服务", "", None, ""),
    ("0101", "养老服务", "", None, ""),
    ("010101", "居家养老服务", "service", "30.00", "元/人·小时"),
    ("010102", "老年人助餐服务", "service", "12.50", "元/人·次"),
    ("0102", "矛盾调解", "", None, ""),
    ("010201", "人民调解", "professional", "300", "元/件"),
]


@pytest.fixture
def small_items():
    return list(SMALL)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows, header=HEADER, name="catalog.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        xlsx_bytes(rows, header),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
