"""The catalog version lifecycle: draft → published → retired; a draft may be discarded.

The transition table is ``caidan.catalog.models.TRANSITIONS``, moved by ``version_lifecycle``
(``caidan.common.lifecycle``), which locks the
row, checks the table, changes the status and audits, in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.catalog.codes import Code
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..inputs import CatalogVersionInput
from ..lifecycles import version_lifecycle
from ..models import (
    CatalogItem,
    CatalogVersion,
    ItemLevel,
    VersionAction,
    VersionStatus,
)
from .items import lock_draft

VERSION_FIELDS = ("name", "effective_date", "notes")


def _check_name_free(name: str, *, exclude: int | None = None) -> None:
    qs = CatalogVersion.objects.filter(name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise field_error(
            "name", _("已有名为“%(name)s”的目录版本。") % {"name": name}, code=Common.DUPLICATE
        )


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
    *, data: CatalogVersionInput, copy_from: CatalogVersion | None = None, actor: Actor
) -> CatalogVersion:
    """A new draft, empty or holding a copy of every item of ``copy_from`` (new rows: the
    source version and whatever references its items stay as they are)."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        _check_name_free(data.name)
        version = CatalogVersion.objects.create(
            **data.values(), copied_from=copy_from, created_by=user_of(actor)
        )
        copied = _copy_items(copy_from, version) if copy_from is not None else 0
        audit_record(
            kind=EventKind.CATALOG_VERSION_CREATED,
            actor=actor,
            target=version,
            new={
                "name": data.name,
                "effective_date": data.effective_date,
                "copy_from": copy_from.pk if copy_from else None,
                "items_copied": copied,
            },
        )
    return version


def catalog_version_update(
    *, version: CatalogVersion, changes: dict[str, Any], actor: Actor
) -> CatalogVersion:
    """Change a draft's name, effective date or notes; the details are checked again."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        version = lock_draft(version)
        before = {name: getattr(version, name) for name in VERSION_FIELDS}
        data = CatalogVersionInput.parse({**before, **changes})
        if data.name != version.name:
            _check_name_free(data.name, exclude=version.pk)
        old, new = diff(before, data.values())
        if not new:
            return version
        for name in VERSION_FIELDS:
            setattr(version, name, getattr(data, name))
        version.save(update_fields=list(VERSION_FIELDS))
        audit_record(
            kind=EventKind.CATALOG_VERSION_UPDATED, actor=actor, target=version, old=old, new=new
        )
    return version


def _lock_for(version: CatalogVersion, action: str) -> CatalogVersion:
    locked = CatalogVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None:
        raise Conflict(_("该目录版本已不存在。"), code=Code.VERSION_GONE)
    version_lifecycle.check(locked.status, action, name=locked.name)
    return locked


def catalog_version_publish(*, version: CatalogVersion, actor: Actor) -> CatalogVersion:
    """Publish a draft: from now on it is immutable, and it is the current catalog from its
    effective date on. Effective dates only move forward."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        version = _lock_for(version, VersionAction.PUBLISH)
        third_level = CatalogItem.objects.filter(version=version, level=ItemLevel.THIRD).count()
        if third_level == 0:
            raise Conflict(_("至少需要一个三级目录条目才能发布。"), code=Code.VERSION_EMPTY)
        latest = (
            CatalogVersion.objects.select_for_update()
            .filter(status=VersionStatus.PUBLISHED)
            .order_by("-effective_date", "-id")
            .first()
        )
        if latest is not None and version.effective_date <= latest.effective_date:
            raise field_error(
                "effective_date",
                _(
                    "生效日期 %(effective_date)s 须晚于已发布版本“%(name)s”的生效日期 %(effective_date_2)s；请先修改本草稿的生效日期。"
                )
                % {
                    "effective_date": format(version.effective_date, "%Y-%m-%d"),
                    "name": latest.name,
                    "effective_date_2": format(latest.effective_date, "%Y-%m-%d"),
                },
                code=Code.EFFECTIVE_DATE_TOO_EARLY,
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
                _("同一生效日期已有已发布的目录版本。"), code=Code.EFFECTIVE_DATE_TAKEN
            ) from None
    return version


def catalog_version_retire(*, version: CatalogVersion, actor: Actor) -> CatalogVersion:
    """Withdraw a published version: it stays readable (projects keep their items) but is
    never again the current catalog."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        version = _lock_for(version, VersionAction.RETIRE)
        version_lifecycle.apply(
            version, VersionAction.RETIRE, actor=actor, update_fields=[], retired_at=timezone.now()
        )
    return version


def catalog_version_discard(*, version: CatalogVersion, actor: Actor) -> None:
    """Delete a draft and its items (nobody outside the admins ever saw it)."""
    require(actor, Perm.CATALOG_MANAGE)
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
                _("该草稿的条目已被其他记录引用，不能删除。"), code=Code.VERSION_REFERENCED
            ) from None
