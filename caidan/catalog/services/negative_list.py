"""The negative list (负面清单): what may never be bought with public money.

财政部令第102号《政府购买服务管理办法》第十条 lists six categories. Each
``NegativeListEntry`` carries keywords; ``negative_list_check`` finds them in free text and
``negative_list_refuse`` turns the first hit into a readable refusal. Catalog items use it
here; proposals (later) call ``negative_list_refuse`` on their topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.catalog.codes import Code
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import ValidationError, field_error
from caidan.common.perms import Perm

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..inputs import NegativeListEntryInput, normalize_text
from ..models import NegativeListEntry


@dataclass(frozen=True)
class Match:
    """A negative-list entry found in a text, and the keyword that found it."""

    entry: NegativeListEntry
    keyword: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry.pk,
            "code": self.entry.code,
            "title": self.entry.title,
            "keyword": self.keyword,
            "legal_basis": self.entry.legal_basis,
        }


def active_entries() -> list[NegativeListEntry]:
    return list(NegativeListEntry.objects.filter(is_active=True).order_by("code", "id"))


def negative_list_check(
    *, text: str, entries: Sequence[NegativeListEntry] | None = None
) -> list[Match]:
    """Every (active entry, keyword) found in ``text``, in entry order. ``entries`` may be
    passed to check many texts with one query (imports)."""
    haystack = normalize_text(text)
    if not haystack:
        return []
    matches = []
    for entry in active_entries() if entries is None else entries:
        for keyword in entry.keywords or []:
            needle = normalize_text(str(keyword))
            if needle and needle in haystack:
                matches.append(Match(entry=entry, keyword=str(keyword)))
    return matches


def refusal_message(match: Match) -> str:
    entry = match.entry
    return (
        f"内容涉及负面清单事项“{entry.title}”（命中关键词“{match.keyword}”），"
        f"依据{entry.legal_basis}，不得作为政府购买服务内容。"
    )


def negative_list_refuse(
    *, text: str, field: str, entries: Sequence[NegativeListEntry] | None = None
) -> None:
    """Raise a ValidationError naming the entry, the keyword and the legal basis when
    ``text`` matches the negative list; do nothing otherwise."""
    matches = negative_list_check(text=text, entries=entries)
    if not matches:
        return
    first = matches[0]
    raise ValidationError(
        refusal_message(first),
        code=Code.NEGATIVE_LIST,
        detail={
            "field": field,
            "entry": first.entry.code,
            "title": first.entry.title,
            "keyword": first.keyword,
            "legal_basis": first.entry.legal_basis,
            "matches": [m.as_dict() for m in matches],
        },
    )


# --- administration ----------------------------------------------------------------------


def _snapshot(entry: NegativeListEntry) -> dict[str, Any]:
    return {
        "code": entry.code,
        "title": entry.title,
        "description": entry.description,
        "keywords": list(entry.keywords or []),
        "legal_basis": entry.legal_basis,
        "is_active": entry.is_active,
    }


def negative_list_entry_input(entry: NegativeListEntry, **changes: Any) -> NegativeListEntryInput:
    """The entry as it stands, as an input (with ``changes``), checked again."""
    if "code" in changes:
        raise field_error("code", _("编号不能修改：其他记录引用它。"))
    return NegativeListEntryInput.parse({**_snapshot(entry), **changes})


def negative_list_entry_create(*, data: NegativeListEntryInput, actor: Actor) -> NegativeListEntry:
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        if NegativeListEntry.objects.filter(code=data.code).exists():
            raise field_error(
                "code", _("编号“%(code)s”已存在。") % {"code": data.code}, code=Common.DUPLICATE
            )
        entry = NegativeListEntry.objects.create(**data.values())
        audit_record(
            kind=EventKind.NEGATIVE_LIST_CREATED, actor=actor, target=entry, new=_snapshot(entry)
        )
    return entry


def negative_list_entry_update(
    *, entry: NegativeListEntry, changes: dict[str, Any], actor: Actor
) -> NegativeListEntry:
    """Change an entry (its code stays: other records cite it). Deactivate rather than
    delete, so past refusals still name an existing rule."""
    require(actor, Perm.CATALOG_MANAGE)
    with transaction.atomic():
        entry = NegativeListEntry.objects.select_for_update().get(pk=entry.pk)
        before = _snapshot(entry)
        data = negative_list_entry_input(entry, **changes)
        old, new = diff(before, data.values())
        if not new:
            return entry
        for name, value in data.values().items():
            setattr(entry, name, value)
        entry.save()
        audit_record(
            kind=EventKind.NEGATIVE_LIST_UPDATED, actor=actor, target=entry, old=old, new=new
        )
    return entry
