"""The catalog version lifecycle: draft → published → retired; a draft may be discarded.

The transition table is ``caidan.catalog.models.TRANSITIONS``, moved by ``version_lifecycle``
(``caidan.common.lifecycle``), which locks the
row, checks the table, changes the status and audits, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.common.errors import Conflict, field_error

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..lifecycles import version_lifecycle
from ..models import (
    CatalogItem,
    CatalogVersion,
    ItemLevel,
    VersionAction,
    VersionStatus,
)
from .items import lock_draft
from .negative_list import KEEP


def _clean_name(name: str, *, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise field_error("name", "版本名称不能为空。")
    if len(name) > 100:
        raise field_error("name", "版本名称最多 100 个字。")
    qs = CatalogVersion.objects.filter(name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise field_error("name", f"已有名为“{name}”的目录版本。", code="duplicate")
    return name


def _clean_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise field_error("effective_date", "请填写生效日期（YYYY-MM-DD）。") from None


def _clean_notes(notes: str) -> str:
    notes = (notes or "").strip()
    if len(notes) > 5000:
        raise field_error("notes", "修订说明最多 5000 个字。")
    return notes


def _copy_items(source: CatalogVersion, target: CatalogVersion) -> int:
    """Copy every item of ``source`` into ``target`` as new rows, parents first."""
    copied = 0
    new_ids: dict[str, int] = {}
    for level in ItemLevel.values:
        rows = list(CatalogItem.objects.filter(version=source, level=level).order_by("code"))
        if not rows:
            continue
        CatalogItem.objects.bulk_create(
            [
                CatalogItem(
                    version=target,
                    code=row.code,
                    name=row.name,
                    description=row.description,
                    level=row.level,
                    parent_id=new_ids[row.parent_code] if level > 1 else None,
                    category=row.category,
                    guidance_price=row.guidance_price,
                    price_unit=row.price_unit,
                    bought_first=row.bought_first,
                    sort_order=row.sort_order,
                )
                for row in rows
            ]
        )
        new_ids.update(
            CatalogItem.objects.filter(version=target, level=level).values_list("code", "id")
        )
        copied += len(rows)
    return copied


def catalog_version_create(
    *,
    name: str,
    effective_date: dt.date | str,
    notes: str = "",
    copy_from: CatalogVersion | None = None,
    actor: Any,
) -> CatalogVersion:
    """A new draft, empty or holding a copy of every item of ``copy_from`` (new rows: the
    source version and whatever references its items stay as they are)."""
    require(actor, "catalog.manage")
    effective_date = _clean_date(effective_date)
    notes = _clean_notes(notes)
    with transaction.atomic():
        name = _clean_name(name)
        version = CatalogVersion.objects.create(
            name=name,
            effective_date=effective_date,
            notes=notes,
            copied_from=copy_from,
            created_by=user_of(actor),
        )
        copied = _copy_items(copy_from, version) if copy_from is not None else 0
        audit_record(
            kind=EventKind.CATALOG_VERSION_CREATED,
            actor=actor,
            target=version,
            new={
                "name": name,
                "effective_date": effective_date,
                "copy_from": copy_from.pk if copy_from else None,
                "items_copied": copied,
            },
        )
    return version


def catalog_version_update(
    *,
    version: CatalogVersion,
    name: str = KEEP,
    effective_date: dt.date | str = KEEP,
    notes: str = KEEP,
    actor: Any,
) -> CatalogVersion:
    require(actor, "catalog.manage")
    with transaction.atomic():
        version = lock_draft(version)
        before = {
            "name": version.name,
            "effective_date": version.effective_date,
            "notes": version.notes,
        }
        if name is not KEEP:
            version.name = _clean_name(name, exclude=version.pk)
        if effective_date is not KEEP:
            version.effective_date = _clean_date(effective_date)
        if notes is not KEEP:
            version.notes = _clean_notes(notes)
        old, new = diff(
            before,
            {
                "name": version.name,
                "effective_date": version.effective_date,
                "notes": version.notes,
            },
        )
        if not new:
            return version
        version.save(update_fields=["name", "effective_date", "notes"])
        audit_record(
            kind=EventKind.CATALOG_VERSION_UPDATED, actor=actor, target=version, old=old, new=new
        )
    return version


def _lock_for(version: CatalogVersion, action: str) -> CatalogVersion:
    locked = CatalogVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None:
        raise Conflict("该目录版本已不存在。", code="version_gone")
    version_lifecycle.check(locked.status, action, name=locked.name)
    return locked


def catalog_version_publish(*, version: CatalogVersion, actor: Any) -> CatalogVersion:
    """Publish a draft: from now on it is immutable, and it is the current catalog from its
    effective date on. Effective dates only move forward."""
    require(actor, "catalog.manage")
    with transaction.atomic():
        version = _lock_for(version, VersionAction.PUBLISH)
        third_level = CatalogItem.objects.filter(version=version, level=ItemLevel.THIRD).count()
        if third_level == 0:
            raise Conflict("至少需要一个三级目录条目才能发布。", code="version_empty")
        latest = (
            CatalogVersion.objects.select_for_update()
            .filter(status=VersionStatus.PUBLISHED)
            .order_by("-effective_date", "-id")
            .first()
        )
        if latest is not None and version.effective_date <= latest.effective_date:
            raise field_error(
                "effective_date",
                f"生效日期 {version.effective_date:%Y-%m-%d} 须晚于已发布版本“{latest.name}”"
                f"的生效日期 {latest.effective_date:%Y-%m-%d}；请先修改本草稿的生效日期。",
                code="effective_date_too_early",
            )
        try:
            with transaction.atomic():
                version_lifecycle.apply(
                    version,
                    VersionAction.PUBLISH,
                    actor=actor,
                    update_fields=[],
                    published_at=timezone.now(),
                    published_by=user_of(actor),
                    audit_new={
                        "effective_date": version.effective_date,
                        "items": CatalogItem.objects.filter(version=version).count(),
                        "replaces": latest.pk if latest else None,
                    },
                )
        except IntegrityError:
            raise Conflict(
                "同一生效日期已有已发布的目录版本。", code="effective_date_taken"
            ) from None
    return version


def catalog_version_retire(*, version: CatalogVersion, actor: Any) -> CatalogVersion:
    """Withdraw a published version: it stays readable (projects keep their items) but is
    never again the current catalog."""
    require(actor, "catalog.manage")
    with transaction.atomic():
        version = _lock_for(version, VersionAction.RETIRE)
        version_lifecycle.apply(
            version, VersionAction.RETIRE, actor=actor, update_fields=[], retired_at=timezone.now()
        )
    return version


def catalog_version_discard(*, version: CatalogVersion, actor: Any) -> None:
    """Delete a draft and its items (nobody outside the admins ever saw it)."""
    require(actor, "catalog.manage")
    with transaction.atomic():
        version = _lock_for(version, VersionAction.DISCARD)
        items = CatalogItem.objects.filter(version=version)
        audit_record(
            kind=EventKind.CATALOG_VERSION_DISCARDED,
            actor=actor,
            target=version,
            old={
                "name": version.name,
                "effective_date": version.effective_date,
                "status": version.status,
                "items": items.count(),
            },
        )
        try:
            with transaction.atomic():
                for level in sorted(ItemLevel.values, reverse=True):  # children first
                    items.filter(level=level).delete()
                version.delete()
        except ProtectedError:
            raise Conflict(
                "该草稿的条目已被其他记录引用，不能删除。", code="version_referenced"
            ) from None
