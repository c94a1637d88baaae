"""Keyset (cursor) pagination: stable under inserts, fast at any depth.

Every list endpoint returns the same envelope: ``{"items": [...], "next_cursor": str |
None, "limit": int}``. The cursor is an opaque token encoding the sort key of the last
item; the next page is ``WHERE (key) < (last key)`` on an indexed ordering, so page 10,000
costs what page 1 costs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import field_error

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    limit: int
    has_more: bool = False


def cursor_encode(values: list[Any]) -> str:
    raw = json.dumps(
        [v.isoformat() if isinstance(v, dt.datetime | dt.date) else v for v in values],
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# A cursor holds a few ordering values (dates, names, ids); anything longer was not made here.
CURSOR_MAX_LENGTH = 1024


def cursor_decode(cursor: str, n: int) -> list[Any]:
    """The ordering values a cursor holds: a flat list of ``n`` plain values, or a 400 naming
    ``cursor`` — whatever was sent (a crafted cursor nesting lists 1,000 deep made the JSON
    parser raise RecursionError, a 500)."""
    invalid = field_error("cursor", _("分页游标无效，请从第一页重新开始。"))
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise invalid from None
    if not isinstance(values, list) or len(values) != n:
        raise invalid
    if not all(v is None or isinstance(v, str | int | float) for v in values):
        raise invalid
    if any(isinstance(v, str) and "\x00" in v for v in values):  # PostgreSQL text refuses NUL
        raise invalid
    return values


def keyset_paginate(
    qs: QuerySet,
    *,
    ordering: tuple[str, ...] = ("-id",),
    cursor: str | None = None,
    limit: int | None = None,
    follow: bool = False,
) -> Page:
    """One page of ``qs`` ordered by ``ordering`` (all fields the same direction; the last
    must be unique, e.g. ``id``).

    ``follow``: for feeds that clients poll — ``next_cursor`` is always set (after the last
    item, or the given cursor when the page is empty), so a client resumes where it stopped
    even at the end; ``has_more`` says whether to fetch again at once."""
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise field_error(
            "limit", _("每页条数应在 1 到 %(MAX_LIMIT)s 之间。") % {"MAX_LIMIT": MAX_LIMIT}
        )
    descending = ordering[0].startswith("-")
    if any(f.startswith("-") != descending for f in ordering):
        raise ValueError("keyset ordering fields must share one direction")
    fields = [f.lstrip("-") for f in ordering]
    qs = qs.order_by(*ordering)
    if cursor:
        values = cursor_decode(cursor, len(fields))
        model = qs.model
        parsed = []
        for name, value in zip(fields, values, strict=True):
            field = model._meta.get_field(name)
            try:  # a tampered cursor must not become a 500 (nor a NULL comparison)
                if value is None or isinstance(value, float):
                    raise ValueError(name)
                parsed_value = field.to_python(value)
                if isinstance(parsed_value, int) and not -(2**63) <= parsed_value < 2**63:
                    raise OverflowError(name)
                parsed.append(parsed_value)
            except (DjangoValidationError, TypeError, ValueError, OverflowError):
                raise field_error("cursor", _("分页游标无效，请从第一页重新开始。")) from None
        op = "lt" if descending else "gt"
        condition = Q()
        for i in range(len(fields)):
            term = Q(**{f"{fields[i]}__{op}": parsed[i]})
            for j in range(i):
                term &= Q(**{fields[j]: parsed[j]})
            condition |= term
        qs = qs.filter(condition)
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = cursor if follow else None
    if rows and (has_more or follow):
        last = rows[-1]
        next_cursor = cursor_encode([_value(last, f) for f in fields])
    return Page(items=rows, next_cursor=next_cursor, limit=limit, has_more=has_more)


def _value(obj: Any, field: str) -> Any:
    if isinstance(obj, dict):  # a ``.values()`` row (caidan.common.fast_lists)
        return obj[field]
    value = getattr(obj, field if not field.endswith("_id") else field)
    if hasattr(value, "pk"):
        value = value.pk
    return value
