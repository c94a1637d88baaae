"""Payments: one per instalment, once its gate is open. The mid-term and final gates open
only through a passed evaluation (a section registered in ``caidan.contracts.links``
names it); there is no manual gate."""

from __future__ import annotations

import datetime as dt

from ninja import Schema, Status

from caidan.common.schemas import ERRORS

from .. import selectors, services
from ..inputs import PaymentInput
from ..links import gate_records
from .routing import router
from .schemas import InstalmentOut, instalment_seen


class PaymentIn(Schema):
    paid_on: dt.date
    voucher: str = ""
    amount: str | None = None  # defaults to the instalment's amount (must equal it)


@router.post(
    "/instalments/{instalment_id}/payment",
    response={201: InstalmentOut, **ERRORS},
    summary="记录分期付款（付款条件达成后，每期一次，金额与该期相等）",
)
def record_payment(request, instalment_id: int, payload: PaymentIn):
    actor = request.auth
    services.payment_record(
        instalment=selectors.instalment_get(pk=instalment_id, actor=actor),
        actor=actor,
        data=PaymentInput.parse(payload.dict()),
    )
    i = selectors.instalment_get(pk=instalment_id, actor=actor)
    return Status(
        201,
        instalment_seen(
            i,
            full=selectors.sees_full_contract(actor, i.contract),
            records=gate_records(i.contract),
        ),
    )
