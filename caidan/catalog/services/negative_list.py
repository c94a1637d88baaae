"""The negative list (负面清单): what may never be bought with public money.

财政部令第102号《政府购买服务管理办法》第十条 lists six categories. Each
``NegativeListEntry`` carries keywords; ``negative_list_check`` finds them in free text and
``negative_list_refuse`` turns the first hit into a readable refusal. Catalog items use it
here; proposals (later) call ``negative_list_refuse`` on their topics.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.common.errors import ValidationError, field_error

from .. import permissions  # noqa: F401 - registers "catalog.manage"
from ..models import NegativeListEntry

MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 50
KEEP: Any = object()  # "leave this field as it is" in update services


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


def normalize_text(text: str) -> str:
    """Full-width and half-width forms alike, case-insensitive, whitespace ignored."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(folded.split())


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
        code="negative_list",
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


def clean_keywords(value: str | Iterable[str] | None) -> list[str]:
    """A list of distinct, non-empty keywords; a string is split on 、，, ; and new lines."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in ("，", ",", "；", ";", "\n", "\r", "、"):
            value = value.replace(sep, "、")
        value = value.split("、")
    out: list[str] = []
    for raw in value:
        if not isinstance(raw, str):
            raise field_error("keywords", "关键词必须是文字。")
        keyword = raw.strip()
        if not keyword:
            continue
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise field_error(
                "keywords", f"关键词“{keyword[:20]}…”过长（最多 {MAX_KEYWORD_LENGTH} 个字）。"
            )
        if normalize_text(keyword) not in {normalize_text(k) for k in out}:
            out.append(keyword)
    if len(out) > MAX_KEYWORDS:
        raise field_error("keywords", f"关键词最多 {MAX_KEYWORDS} 个。")
    return out


def _clean_text(field: str, label: str, value: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, f"{label}不能为空。")
    if len(value) > max_length:
        raise field_error(field, f"{label}最多 {max_length} 个字。")
    return value


def _snapshot(entry: NegativeListEntry) -> dict[str, Any]:
    return {
        "code": entry.code,
        "title": entry.title,
        "description": entry.description,
        "keywords": list(entry.keywords or []),
        "legal_basis": entry.legal_basis,
        "is_active": entry.is_active,
    }


def negative_list_entry_create(
    *,
    code: str,
    title: str,
    legal_basis: str,
    keywords: str | Iterable[str] | None = None,
    description: str = "",
    is_active: bool = True,
    actor: Any,
) -> NegativeListEntry:
    require(actor, "catalog.manage")
    code = _clean_text("code", "编号", code, 16, True)
    title = _clean_text("title", "事项", title, 200, True)
    legal_basis = _clean_text("legal_basis", "依据", legal_basis, 300, True)
    description = _clean_text("description", "说明", description, 5000, False)
    keywords = clean_keywords(keywords)
    with transaction.atomic():
        if NegativeListEntry.objects.filter(code=code).exists():
            raise field_error("code", f"编号“{code}”已存在。", code="duplicate")
        entry = NegativeListEntry.objects.create(
            code=code,
            title=title,
            description=description,
            keywords=keywords,
            legal_basis=legal_basis,
            is_active=bool(is_active),
        )
        audit_record(
            kind=EventKind.NEGATIVE_LIST_CREATED, actor=actor, target=entry, new=_snapshot(entry)
        )
    return entry


def negative_list_entry_update(
    *,
    entry: NegativeListEntry,
    title: str = KEEP,
    description: str = KEEP,
    keywords: str | Iterable[str] | None = KEEP,
    legal_basis: str = KEEP,
    is_active: bool = KEEP,
    actor: Any,
) -> NegativeListEntry:
    """Change an entry (its code stays: other records cite it). Deactivate rather than
    delete, so past refusals still name an existing rule."""
    require(actor, "catalog.manage")
    changes: dict[str, Any] = {}
    if title is not KEEP:
        changes["title"] = _clean_text("title", "事项", title, 200, True)
    if description is not KEEP:
        changes["description"] = _clean_text("description", "说明", description, 5000, False)
    if keywords is not KEEP:
        changes["keywords"] = clean_keywords(keywords)
    if legal_basis is not KEEP:
        changes["legal_basis"] = _clean_text("legal_basis", "依据", legal_basis, 300, True)
    if is_active is not KEEP:
        changes["is_active"] = bool(is_active)
    with transaction.atomic():
        entry = NegativeListEntry.objects.select_for_update().get(pk=entry.pk)
        before = _snapshot(entry)
        for name, value in changes.items():
            setattr(entry, name, value)
        old, new = diff(before, _snapshot(entry))
        if not new:
            return entry
        entry.save()
        audit_record(
            kind=EventKind.NEGATIVE_LIST_UPDATED, actor=actor, target=entry, old=old, new=new
        )
    return entry
