"""Shared API schema pieces: the pagination envelope and the error body."""

from __future__ import annotations

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
