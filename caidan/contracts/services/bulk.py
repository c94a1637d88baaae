"""Bulk work on contracts (issue 19 §6): pay several instalments whose gate has opened,
accept several submitted reports. Each item goes through the single-item service
(``payment_record``, ``report_review``) in its own transaction (``caidan.common.bulk``):
validated and audited one by one; a refused item is reported with its reason and stops
nothing else."""

from __future__ import annotations

import datetime as dt

from caidan.accounts.models import Role
from caidan.common.actor import Actor
from caidan.common.bulk import BulkOutcome, bulk_apply
from caidan.common.money import format_yuan

from ..inputs import PaymentInput
from ..models import Instalment, Report
from .payments import payment_record
from .reports import report_review


def _own(actor: Actor, prefix: str) -> dict:
    """The records of the actor's units only: anyone else's is "not found" in a batch."""
    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return {"pk__in": []}
    return {f"{prefix}unit__path__startswith": actor.unit.path}


def instalment_label(i: Instalment) -> str:
    return f"{i.contract.title} 第 {i.sequence} 期（{format_yuan(i.amount)}）"


def instalments_for_bulk(*, ids: list[int], actor: Actor) -> dict[int, Instalment]:
    """The instalments of ``ids`` on the actor's units' contracts (one query)."""
    qs = Instalment.objects.select_related("contract__unit", "payment").filter(
        pk__in=ids, **_own(actor, "contract__")
    )
    return {i.pk: i for i in qs}


def payments_record_bulk(
    *,
    ids: list[int],
    paid_on: dt.date,
    voucher: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> list[BulkOutcome]:
    """Record the payment of each instalment in ``ids`` (its own amount, the same date and
    voucher), each through ``payment_record``."""
    return bulk_apply(
        ids,
        records=instalments_for_bulk(ids=ids, actor=actor),
        act=lambda i: payment_record(
            instalment=i,
            data=PaymentInput.parse(paid_on=paid_on, voucher=voucher),
            actor=actor,
            now=now,
        ),
        label=instalment_label,
    )


def report_label(r: Report) -> str:
    return f"{r.contract.title}：{r.get_kind_display()}（应交 {r.due_on:%Y-%m-%d}）"


def reports_for_bulk(*, ids: list[int], actor: Actor) -> dict[int, Report]:
    qs = Report.objects.select_related("contract__unit", "contract__organization").filter(
        pk__in=ids, **_own(actor, "contract__")
    )
    return {r.pk: r for r in qs}


def reports_accept_bulk(*, ids: list[int], comment: str = "", actor: Actor) -> list[BulkOutcome]:
    """Accept each submitted report in ``ids``, each through ``report_review``."""
    return bulk_apply(
        ids,
        records=reports_for_bulk(ids=ids, actor=actor),
        act=lambda r: report_review(report=r, accept=True, comment=comment, actor=actor),
        label=report_label,
    )
