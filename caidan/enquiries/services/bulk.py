"""Bulk answers (issue 19 §6): one answer text for several similar items. Each item goes
through the single-item services in its own transaction (``caidan.common.bulk``): an item
nobody handles yet is first assigned to the officer answering (``enquiry_assign``), then
answered (``enquiry_answer``); each is checked (scope, status, handler) and audited on its
own, and a refused item is reported with its reason without stopping the others."""

from __future__ import annotations

from caidan.accounts.permissions import can
from caidan.common.actor import Actor, user_of
from caidan.common.bulk import BulkOutcome, bulk_apply
from caidan.common.perms import Perm

from ..inputs import EnquiryAnswerInput
from ..models import Enquiry
from .handling import enquiry_answer, enquiry_assign


def enquiry_label(e: Enquiry) -> str:
    return f"{e.get_kind_display()}：{e.title}"


def enquiries_for_bulk(*, ids: list[int], actor: Actor) -> dict[int, Enquiry]:
    """The items of ``ids`` the actor handles (one query): another unit's item is left out,
    so the batch refuses it as not found, naming it by its id only."""
    qs = Enquiry.objects.select_related("unit", "concerned_unit", "handler").filter(pk__in=ids)
    return {e.pk: e for e in qs if can(actor, Perm.ENQUIRIES_HANDLE, e)}


def _answer_one(e: Enquiry, data: EnquiryAnswerInput, actor: Actor) -> None:
    if e.handler_id is None:
        enquiry_assign(enquiry=e, handler=user_of(actor), actor=actor)
        e.refresh_from_db()
    enquiry_answer(enquiry=e, data=data, actor=actor)


def enquiries_answer_bulk(*, ids: list[int], answer: str, actor: Actor) -> list[BulkOutcome]:
    """Answer each item of ``ids`` with the same text."""
    data = EnquiryAnswerInput.parse(answer=answer)  # one check of the text for the batch
    return bulk_apply(
        ids,
        records=enquiries_for_bulk(ids=ids, actor=actor),
        act=lambda e: _answer_one(e, data, actor),
        label=enquiry_label,
    )
