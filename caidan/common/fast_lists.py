"""Fast lists: a keyset page of ``.values()`` rows written straight to JSON.

A public list answered the usual way builds a model instance per row (every column, and
the related rows' too), then ninja validates each row against the output schema with
pydantic and encodes the result with the standard library: some 600 Python calls a row.
The list endpoints that carry the most traffic instead read only the columns their schema
returns (``.values()``), turn each row into the schema's dict with a plain function, and
answer here, with orjson, which ninja passes through untouched (a handler's
``HttpResponse`` is returned as is). A list that shows related rows (an organization's
service fields) reads them for the whole page in one more query (``related_rows``).

The operation still declares its schema (``response={200: PageOut[ItemOut]}``), so the
published OpenAPI does not change; the JSON does not either: values are encoded as ninja's
``NinjaJSONEncoder`` encodes them (times in ISO 8601 with milliseconds and ``Z``, decimals
as strings). What the schema no longer checks at run time, tests check instead: each fast
list is compared with the schema-validated answer of the same rows (``tests/common``,
``tests/<app>``). See docs/architecture.md, "Fast lists".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

from .pagination import Page

CONTENT_TYPE = "application/json; charset=utf-8"  # what ninja's JSONRenderer answers

# orjson writes str, int, float, bool, None, lists and dicts itself (in C); everything it
# would format its own way (dates and times, dataclasses) or cannot (decimals, lazy
# translations) goes to ninja's encoder, so that the text is what ninja would write.
_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)
_default = NinjaJSONEncoder().default


def dumps(data: Any) -> bytes:
    """``data`` as JSON (UTF-8), formatted as ninja formats a response."""
    return orjson.dumps(data, default=_default, option=_OPTIONS)


class OrjsonRenderer(BaseRenderer):
    """ninja's JSON renderer on orjson (same text as ``JSONRenderer`` up to escaping:
    non-ASCII characters are written as UTF-8, not ``\\uXXXX``)."""

    media_type = "application/json"

    def render(self, request: HttpRequest | None, data: Any, *, response_status: int) -> bytes:
        return dumps(data)


_renderer = OrjsonRenderer()


def related_rows(
    model: type[Model],
    *,
    key: str,
    ids: Collection[int],
    columns: Sequence[str],
    order_by: str | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[tuple]:
    """The rows of ``model`` that belong to a page of ids (``key``: its foreign key to the
    page's rows), as tuples of ``columns`` (field names), in one query. The query is written
    out from the model's metadata rather than built by the ORM, which takes longer to build
    a query this small than the database takes to answer it. A dense page (a plain list's:
    ids next to each other) is read by range, a sparse one (a filtered list's) by ``IN``; a
    range may bring rows of ids between the page's that are not on it: the caller skips
    them. Values come as the database driver gives them (dates as dates on both backends).
    ``using``: the page query's database (``queryset.db``), so that a replica answers both."""
    ids = list(ids)
    if not ids:
        return []
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        where, params = f"{column(key)} BETWEEN %s AND %s", [low, high]
    else:
        where, params = f"{column(key)} IN ({', '.join(['%s'] * len(ids))})", ids
    select = ", ".join(column(c) for c in columns)
    # Identifiers come from the model's metadata, values are parameters.
    sql = f"SELECT {select} FROM {quote(meta.db_table)} WHERE {where}"  # noqa: S608
    if order_by:
        sql += f" ORDER BY {column(order_by)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def json_page(page: Page, items: list[dict[str, Any]] | None = None) -> HttpResponse:
    """A keyset page as ``PageOut`` JSON: ``items`` (by default the page's own rows, already
    in the schema's shape), ``next_cursor`` and ``limit``."""
    body = {
        "items": page.items if items is None else items,
        "next_cursor": page.next_cursor,
        "limit": page.limit,
    }
    return HttpResponse(
        _renderer.render(None, body, response_status=200), content_type=CONTENT_TYPE
    )
