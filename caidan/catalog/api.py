"""API: the purchase catalog (public reads), its administration, and the negative list.

Reads need no login (``auth=None``); a token or session, when sent, lets catalog managers
see drafts too. Writes are for the platform admin (``catalog.manage``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from caidan.catalog.codes import Code
from caidan.common.errors import NotFound
from caidan.common.fast_lists import json_page
from caidan.common.schemas import ERRORS, PageOut, page_response
from caidan.common.xlsx import XLSX_MIME

from . import selectors, services
from .inputs import CatalogItemInput, CatalogVersionInput, NegativeListEntryInput
from .models import CODE_DIGITS_PER_LEVEL, CatalogItem, CatalogVersion, NegativeListEntry

router = Router(tags=["catalog 目录"])


def _reader(request):
    from caidan.accounts.api_auth import optional_actor

    return optional_actor(request)


# --- schemas -----------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    name: str
    effective_date: dt.date
    status: str
    status_label: str
    is_current: bool
    notes: str
    copied_from_id: int | None
    published_at: dt.datetime | None
    item_count: int | None = None
    level3_count: int | None = None
    url: str


def version_out(v: CatalogVersion, current: CatalogVersion | None) -> dict[str, Any]:
    return {
        "id": v.pk,
        "name": v.name,
        "effective_date": v.effective_date,
        "status": v.status,
        "status_label": v.get_status_display(),
        "is_current": current is not None and current.pk == v.pk,
        "notes": v.notes,
        "copied_from_id": v.copied_from_id,
        "published_at": v.published_at,
        "item_count": getattr(v, "item_count", None),
        "level3_count": getattr(v, "level3_count", None),
        "url": reverse("catalog:version", args=[v.pk]),
    }


class ItemOut(Schema):
    id: int
    version_id: int
    code: str
    name: str
    description: str
    level: int
    level_label: str
    parent_id: int | None
    parent_code: str | None
    category: str
    category_label: str
    guidance_price: str | None
    price_unit: str
    bought_first: bool
    sort_order: int
    url: str


def item_out(i: CatalogItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "version_id": i.version_id,
        "code": i.code,
        "name": i.name,
        "description": i.description,
        "level": i.level,
        "level_label": i.get_level_display(),
        "parent_id": i.parent_id,
        "parent_code": i.parent_code or None,
        "category": i.category,
        "category_label": i.get_category_display() if i.category else "",
        "guidance_price": None if i.guidance_price is None else str(i.guidance_price),
        "price_unit": i.price_unit,
        "bought_first": i.bought_first,
        "sort_order": i.sort_order,
        "url": reverse("catalog:item", args=[i.pk]),
    }


def item_rows_out(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``item_out`` for ``selectors.catalog_item_rows`` (``.values()`` rows): the same dicts,
    without a model per row (docs/architecture.md, "Fast lists")."""
    levels = {value: str(label) for value, label in CatalogItem.Level.choices}
    categories = {value: str(label) for value, label in CatalogItem.Category.choices}
    marker = str(2**62)  # an id no item has: the page's URLs from one ``reverse``
    url = reverse("catalog:item", args=[marker])
    return [
        {
            "id": r["id"],
            "version_id": r["version_id"],
            "code": r["code"],
            "name": r["name"],
            "description": r["description"],
            "level": r["level"],
            "level_label": levels.get(r["level"], r["level"]),
            "parent_id": r["parent_id"],
            "parent_code": r["code"][:-CODE_DIGITS_PER_LEVEL] or None,
            "category": r["category"],
            "category_label": categories.get(r["category"], r["category"]) if r["category"] else "",
            "guidance_price": None if r["guidance_price"] is None else str(r["guidance_price"]),
            "price_unit": r["price_unit"],
            "bought_first": r["bought_first"],
            "sort_order": r["sort_order"],
            "url": url.replace(marker, str(r["id"])),
        }
        for r in rows
    ]


class ItemBriefOut(Schema):
    id: int
    code: str
    name: str
    level: int


def item_brief(i: CatalogItem) -> dict[str, Any]:
    return {"id": i.pk, "code": i.code, "name": i.name, "level": i.level}


class ItemDetailOut(ItemOut):
    version: VersionOut
    ancestors: list[ItemBriefOut]
    children: list[ItemBriefOut]


class NegativeEntryOut(Schema):
    id: int
    code: str
    title: str
    description: str
    keywords: list[str]
    legal_basis: str
    is_active: bool


def entry_out(e: NegativeListEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "code": e.code,
        "title": e.title,
        "description": e.description,
        "keywords": list(e.keywords or []),
        "legal_basis": e.legal_basis,
        "is_active": e.is_active,
    }


# --- versions ----------------------------------------------------------------------------


@router.get(
    "/versions", response={200: PageOut[VersionOut], **ERRORS}, auth=None, summary="目录版本"
)
def list_versions(request, cursor: str | None = None, limit: int = 20):
    actor = _reader(request)
    page = selectors.catalog_version_list(actor=actor, cursor=cursor, limit=limit)
    current = selectors.catalog_current()
    return page_response(page, lambda v: version_out(v, current))


@router.get(
    "/versions/current",
    response={200: VersionOut, **ERRORS},
    auth=None,
    summary="某日现行的目录版本（默认今天）",
)
def current_version(request, on: dt.date | None = None):
    version = selectors.catalog_current(on=on)
    if version is None:
        raise NotFound(_("该日期没有现行的目录版本。"), code=Code.NO_CURRENT_VERSION)
    return version_out(version, version if on is None else selectors.catalog_current())


class VersionIn(Schema):
    name: str
    effective_date: dt.date
    notes: str = ""
    copy_from_id: int | None = None


@router.post("/versions", response={201: VersionOut, **ERRORS}, summary="新建目录版本（草稿）")
def create_version(request, payload: VersionIn):
    source = None
    if payload.copy_from_id is not None:
        source = selectors.catalog_version_get_for_edit(
            actor=request.auth, version_id=payload.copy_from_id
        )
    version = services.catalog_version_create(
        data=CatalogVersionInput.parse(payload.dict(exclude={"copy_from_id"})),
        copy_from=source,
        actor=request.auth,
    )
    return Status(201, version_out(version, selectors.catalog_current()))


@router.get(
    "/versions/{version_id}", response={200: VersionOut, **ERRORS}, auth=None, summary="目录版本"
)
def get_version(request, version_id: int):
    version = selectors.catalog_version_get_for(actor=_reader(request), version_id=version_id)
    return version_out(version, selectors.catalog_current())


class VersionPatchIn(Schema):
    name: str | None = None
    effective_date: dt.date | None = None
    notes: str | None = None


@router.patch(
    "/versions/{version_id}", response={200: VersionOut, **ERRORS}, summary="修改草稿版本信息"
)
def update_version(request, version_id: int, payload: VersionPatchIn):
    version = selectors.catalog_version_get_for_edit(actor=request.auth, version_id=version_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = services.catalog_version_update(version=version, changes=changes, actor=request.auth)
    return version_out(version, selectors.catalog_current())


@router.delete("/versions/{version_id}", response={204: None, **ERRORS}, summary="删除草稿版本")
def discard_version(request, version_id: int):
    version = selectors.catalog_version_get_for_edit(actor=request.auth, version_id=version_id)
    services.catalog_version_discard(version=version, actor=request.auth)
    return Status(204, None)


@router.post(
    "/versions/{version_id}/publish",
    response={200: VersionOut, **ERRORS},
    summary="发布目录版本（发布后不可修改）",
)
def publish_version(request, version_id: int):
    version = selectors.catalog_version_get_for_edit(actor=request.auth, version_id=version_id)
    version = services.catalog_version_publish(version=version, actor=request.auth)
    return version_out(version, selectors.catalog_current())


@router.post(
    "/versions/{version_id}/retire", response={200: VersionOut, **ERRORS}, summary="停用目录版本"
)
def retire_version(request, version_id: int):
    version = selectors.catalog_version_get_for_edit(actor=request.auth, version_id=version_id)
    version = services.catalog_version_retire(version=version, actor=request.auth)
    return version_out(version, selectors.catalog_current())


@router.get(
    "/versions/{version_id}/items",
    response={200: PageOut[ItemOut], **ERRORS},
    auth=None,
    summary="目录条目（可按层级、上级编码筛选，按名称或说明搜索）",
)
def list_items(
    request,
    version_id: int,
    level: int | None = None,
    parent: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
):
    page = selectors.catalog_item_rows(
        actor=_reader(request),
        version_id=version_id,
        level=level,
        parent=parent,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return json_page(page, item_rows_out(page.items))


class ItemIn(Schema):
    code: str
    name: str
    description: str = ""
    category: str = ""
    guidance_price: str | int | None = None
    price_unit: str = ""
    bought_first: bool = False
    sort_order: int = 0


@router.post(
    "/versions/{version_id}/items", response={201: ItemOut, **ERRORS}, summary="新增目录条目"
)
def create_item(request, version_id: int, payload: ItemIn):
    version = selectors.catalog_version_get_for_edit(actor=request.auth, version_id=version_id)
    item = services.catalog_item_create(
        version=version, data=CatalogItemInput.parse(payload.dict()), actor=request.auth
    )
    return Status(201, item_out(item))


class ImportOut(Schema):
    created: int
    codes: list[str]


@router.post(
    "/versions/{version_id}/import",
    response={201: ImportOut, **ERRORS},
    summary="从 Excel 导入条目到草稿（全部通过才写入；400 时 detail.errors 列出每一行的问题）",
)
def import_items(request, version_id: int, file: File[UploadedFile]):
    version = selectors.catalog_version_get_for_edit(actor=request.auth, version_id=version_id)
    created = services.catalog_version_import(version=version, file=file, actor=request.auth)
    return Status(201, {"created": len(created), "codes": [i.code for i in created]})


def xlsx_response(version: CatalogVersion) -> HttpResponse:
    response = HttpResponse(
        services.catalog_version_export(version=version), content_type=XLSX_MIME
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"购买服务目录-{version.name}.xlsx"
    )
    return response


@router.get(
    "/versions/{version_id}/export",
    auth=None,
    summary="导出目录版本（Excel，列与导入相同）",
)
def export_version(request, version_id: int):
    version = selectors.catalog_version_get_for(actor=_reader(request), version_id=version_id)
    return xlsx_response(version)


# --- items -------------------------------------------------------------------------------


@router.get(
    "/items/{item_id}", response={200: ItemDetailOut, **ERRORS}, auth=None, summary="目录条目"
)
def get_item(request, item_id: int):
    item = selectors.catalog_item_get_for(actor=_reader(request), item_id=item_id)
    ancestors = selectors.catalog_item_ancestors(item)
    children = selectors.catalog_item_children(item)
    return {
        **item_out(item),
        "version": version_out(item.version, selectors.catalog_current()),
        "ancestors": [item_brief(a) for a in ancestors],
        "children": [item_brief(c) for c in children],
    }


class ItemPatchIn(Schema):
    name: str | None = None
    description: str | None = None
    category: str | None = None
    guidance_price: str | int | None = None
    price_unit: str | None = None
    bought_first: bool | None = None
    sort_order: int | None = None


@router.patch("/items/{item_id}", response={200: ItemOut, **ERRORS}, summary="修改草稿中的条目")
def update_item(request, item_id: int, payload: ItemPatchIn):
    item = selectors.catalog_item_get_for_edit(actor=request.auth, item_id=item_id)
    changes = payload.dict(exclude_unset=True)
    for key in ("name", "description", "category", "price_unit", "bought_first", "sort_order"):
        if key in changes and changes[key] is None:
            del changes[key]  # null = leave as it is; only the price may be cleared with null
    item = services.catalog_item_update(item=item, changes=changes, actor=request.auth)
    return item_out(item)


@router.delete("/items/{item_id}", response={204: None, **ERRORS}, summary="删除草稿中的条目")
def delete_item(request, item_id: int):
    item = selectors.catalog_item_get_for_edit(actor=request.auth, item_id=item_id)
    services.catalog_item_delete(item=item, actor=request.auth)
    return Status(204, None)


# --- comparing ---------------------------------------------------------------------------


class FieldChangeOut(Schema):
    field: str
    label: str
    old: Any
    new: Any


class ChangedOut(Schema):
    code: str
    name: str
    old_id: int
    new_id: int
    changes: list[FieldChangeOut]


class CompareOut(Schema):
    a: VersionOut
    b: VersionOut
    added: list[ItemOut]
    removed: list[ItemOut]
    changed: list[ChangedOut]
    unchanged: int


@router.get(
    "/compare",
    response={200: CompareOut, **ERRORS},
    auth=None,
    summary="比较两个版本（按编码匹配：新增、删除、变更）",
)
def compare(request, a: int, b: int):
    actor = _reader(request)
    old = selectors.catalog_version_get_for(actor=actor, version_id=a)
    new = selectors.catalog_version_get_for(actor=actor, version_id=b)
    result = selectors.catalog_compare(a=old, b=new)
    current = selectors.catalog_current()
    return {
        "a": version_out(old, current),
        "b": version_out(new, current),
        "added": [item_out(i) for i in result.added],
        "removed": [item_out(i) for i in result.removed],
        "changed": [
            {
                "code": c.code,
                "name": c.new.name,
                "old_id": c.old.pk,
                "new_id": c.new.pk,
                "changes": [
                    {"field": f.field, "label": f.label, "old": f.old, "new": f.new}
                    for f in c.changes
                ],
            }
            for c in result.changed
        ],
        "unchanged": result.unchanged,
    }


# --- the negative list -------------------------------------------------------------------


@router.get(
    "/negative-list",
    response={200: list[NegativeEntryOut], **ERRORS},
    auth=None,
    summary="负面清单（财政部令第102号第十条）",
)
def negative_list(request, include_inactive: bool = False):
    show_all = include_inactive and selectors.can_manage(_reader(request))
    return [entry_out(e) for e in selectors.negative_list_entries(include_inactive=show_all)]


class CheckIn(Schema):
    text: str


class MatchOut(Schema):
    entry_id: int
    code: str
    title: str
    keyword: str
    legal_basis: str


class CheckOut(Schema):
    allowed: bool
    message: str | None
    matches: list[MatchOut]


@router.post(
    "/negative-list/check",
    response={200: CheckOut, **ERRORS},
    auth=None,
    summary="检查一段文字是否涉及负面清单",
)
def check_text(request, payload: CheckIn):
    from .services.negative_list import refusal_message

    matches = services.negative_list_check(text=payload.text[:5000])
    return {
        "allowed": not matches,
        "message": refusal_message(matches[0]) if matches else None,
        "matches": [m.as_dict() for m in matches],
    }


class EntryIn(Schema):
    code: str
    title: str
    legal_basis: str
    description: str = ""
    keywords: list[str] = []
    is_active: bool = True


@router.post(
    "/negative-list", response={201: NegativeEntryOut, **ERRORS}, summary="新增负面清单事项"
)
def create_entry(request, payload: EntryIn):
    entry = services.negative_list_entry_create(
        data=NegativeListEntryInput.parse(payload.dict()), actor=request.auth
    )
    return Status(201, entry_out(entry))


class EntryPatchIn(Schema):
    title: str | None = None
    description: str | None = None
    keywords: list[str] | None = None
    legal_basis: str | None = None
    is_active: bool | None = None


@router.patch(
    "/negative-list/{entry_id}",
    response={200: NegativeEntryOut, **ERRORS},
    summary="修改负面清单事项",
)
def update_entry(request, entry_id: int, payload: EntryPatchIn):
    entry = selectors.negative_list_entry_get_for(actor=request.auth, entry_id=entry_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    entry = services.negative_list_entry_update(entry=entry, changes=changes, actor=request.auth)
    return entry_out(entry)
