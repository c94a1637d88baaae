"""Shared API schema pieces: the pagination envelope and the error body."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import BaseModel

T = TypeVar("T")


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any] = {}


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    limit: int


def page_response(page, convert) -> dict:
    return {
        "items": [convert(item) for item in page.items],
        "next_cursor": page.next_cursor,
        "limit": page.limit,
    }


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
