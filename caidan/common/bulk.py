"""Bulk work (issue 19 §6): the same step on several records, each still done by the
single-item service, one by one, each in its own transaction.

``bulk_ids`` parses the ids a page or an API client sent (whole numbers, at most
``BULK_MAX`` of them, duplicates dropped, order kept). ``bulk_apply`` loads the records in
one query, then runs ``act(record)`` for each inside ``transaction.atomic()``: a refusal
(any ``DomainError``: permission, state, validation) rolls back that item only, is recorded
with its message, and the next item runs (a "not found" names the item by its id only).
An id that is not among the loaded records (it does
not exist, or the reader may not see it) is refused as not found, naming no more.

The single-item service audits each item itself, so a batch leaves one audit event per item
done and none for an item refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caidan.common.codes import Common

from .errors import DomainError, NotFound, field_error

BULK_MAX = 100


@dataclass
class BulkOutcome:
    """What became of one item: done, or refused with the service's code and message."""

    id: int
    label: str
    ok: bool
    code: str = ""
    message: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "ok": self.ok,
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
        }


def bulk_ids(values: Iterable[Any] | None, *, field_name: str = "ids") -> list[int]:
    """The ids of a batch: positive whole numbers, 1 to ``BULK_MAX`` of them, each once."""
    out: list[int] = []
    seen: set[int] = set()
    for value in values or ():
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise field_error(
                field_name, _("“%(value)s”不是有效的编号。") % {"value": value}
            ) from None
        if number <= 0 or number > 2**63 - 1:
            raise field_error(field_name, _("“%(value)s”不是有效的编号。") % {"value": value})
        if number not in seen:
            seen.add(number)
            out.append(number)
    if not out:
        raise field_error(field_name, _("请至少选择一项。"))
    if len(out) > BULK_MAX:
        raise field_error(
            field_name, _("一次最多处理 %(BULK_MAX)s 项，请分批处理。") % {"BULK_MAX": BULK_MAX}
        )
    return out


def bulk_apply(
    ids: list[int],
    *,
    records: Mapping[int, Any],
    act: Callable[[Any], Any],
    label: Callable[[Any], str],
    missing: str = "该项不存在或您无权处理。",
) -> list[BulkOutcome]:
    """Run ``act`` on each record of ``ids`` (in that order) in its own transaction."""
    outcomes = []
    for pk in ids:
        record = records.get(pk)
        if record is None:
            outcomes.append(
                BulkOutcome(id=pk, label=f"#{pk}", ok=False, code=Common.NOT_FOUND, message=missing)
            )
            continue
        name = label(record)
        try:
            with transaction.atomic():
                act(record)
        except DomainError as error:
            outcomes.append(
                BulkOutcome(
                    id=pk,
                    label=f"#{pk}" if isinstance(error, NotFound) else name,
                    ok=False,
                    code=error.code,
                    message=error.message,
                    detail=error.detail,
                )
            )
        else:
            outcomes.append(BulkOutcome(id=pk, label=name, ok=True))
    return outcomes


def bulk_summary(outcomes: list[BulkOutcome]) -> dict[str, Any]:
    """The API's answer: per item, and how many were done and refused."""
    done = sum(1 for o in outcomes if o.ok)
    return {
        "done": done,
        "refused": len(outcomes) - done,
        "results": [o.as_dict() for o in outcomes],
    }
