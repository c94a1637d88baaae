"""Shared API schema pieces: the pagination envelope and the error body."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Generic, TypeVar

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import BaseModel, Field

from caidan.common.codes import Common

T = TypeVar("T")

MAX_ID = 2**63 - 1  # the largest primary key the database (bigint) can hold
MIN_YEAR, MAX_YEAR = 1900, 2200

# Bounded types for API parameters and fields: out-of-range values are a 400 naming the
# field, never a 500 further down (a date in year 29519414910516, an id past bigint).
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="编号（正整数）")]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"年份（{MIN_YEAR}–{MAX_YEAR}）")]


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any] = {}


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    limit: int


def page_response(page, convert=None) -> dict:
    """A keyset page as ``PageOut``; ``convert`` maps each item (by default the items go as
    they are, for an item schema that reads their attributes)."""
    return {
        "items": [item if convert is None else convert(item) for item in page.items],
        "next_cursor": page.next_cursor,
        "limit": page.limit,
    }


class AsSeen:
    """``obj`` as one reader sees it: its own attributes, plus ``extra`` ones that depend on
    the reader or come from elsewhere (what the reader may see or do, rows read by a
    selector). An output schema reads attributes from it as from ``obj`` itself, so the
    schema, not a hand-written dict, says what the JSON holds::

        AsSeen(contract, affordances=contract_affordances(actor, contract), reports=[...])
    """

    def __init__(self, obj: Any, /, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:  # only for names ``extra`` does not hold
        if name == "_obj":
            raise AttributeError(name)
        return getattr(self._obj, name)

    def __repr__(self) -> str:
        return f"AsSeen({self._obj!r})"


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@contextmanager
def renamed_fields(**renames: str) -> Iterator[None]:
    """Report a service's field error under the name the API client sent (``bid`` →
    ``bid_id``): ``with renamed_fields(bid="bid_id"): services.…``."""
    from caidan.common.errors import DomainError

    try:
        yield
    except DomainError as exc:
        field = exc.detail.get("field")
        if field in renames:
            exc.detail = {**exc.detail, "field": renames[field]}
        raise


def money_str(value) -> str | None:
    """Money for JSON: a string (never a float), None stays None."""
    return None if value is None else str(value)


def patch_changes(payload: BaseModel, *, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a PATCH body sets (``exclude_unset``). A PATCH schema declares every field
    optional so that it may be omitted; an explicit ``null`` is still refused (400 naming
    the field) unless the field may be cleared (``nullable``): ``null`` where a list or a
    text is expected must never reach a service or the database."""
    from caidan.common.errors import field_error

    changes = payload.dict(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name not in nullable:
            raise field_error(
                name,
                _("字段“%(name)s”不能为 null；不修改此字段时请省略它。") % {"name": name},
                code=Common.NULL_NOT_ALLOWED,
            )
    return changes


class BulkResultOut(Schema):
    """What became of one item of a bulk action (``caidan.common.bulk``)."""

    id: int
    label: str
    ok: bool
    code: str
    message: str
    detail: dict


class BulkOut(Schema):
    """A bulk action's answer: per item, done or refused, and the counts."""

    done: int
    refused: int
    results: list[BulkResultOut]
