"""Staged payments: gates and payment records (seed 001: 50 % after signing, 30–40 % after
the mid-term evaluation, the balance after the final evaluation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import Conflict, field_error
from caidan.common.money import to_money
from caidan.notifications.services import notify

from ..models import ContractStatus, Gate, Instalment, Payment, ReportKind
from .contracts import _provider_users, maybe_complete

GATE_REPORT = {Gate.MIDTERM: ReportKind.MIDTERM, Gate.FINAL: ReportKind.FINAL}


def instalment_gate_open(*, instalment: Instalment, note: str, actor: Any) -> Instalment:
    """The purchaser records that the mid-term / final evaluation passed (until the
    evaluation capability records it itself). The matching report must have been accepted."""
    require(actor, "contracts.manage", instalment.contract)
    if not (note or "").strip():
        raise field_error("note", "请写明评估结论和依据（如：中期评估合格，评估报告编号）。")
    with transaction.atomic():
        i = Instalment.objects.select_for_update().select_related("contract").get(pk=instalment.pk)
        if i.contract.status != ContractStatus.ACTIVE:
            raise Conflict("合同不在履行中。", code="not_active")
        if i.gate == Gate.SIGNATURE:
            raise Conflict("首期款的条件是合同签订，签订时已自动达成。", code="automatic_gate")
        if i.gate_opened_at:
            raise Conflict("该期付款条件已达成。", code="gate_open")
        kind = GATE_REPORT[i.gate]
        if not i.contract.reports.filter(kind=kind, status="accepted").exists():
            label = ReportKind(kind).label
            raise Conflict(
                f"{label}尚未审核通过，不能确认{i.get_gate_display()}。", code="report_pending"
            )
        i.gate_opened_at = timezone.now()
        i.gate_opened_by = user_of(actor)
        i.gate_note = note.strip()
        i.save(update_fields=["gate_opened_at", "gate_opened_by", "gate_note"])
        audit_record(
            kind=EventKind.INSTALMENT_GATE_OPENED,
            actor=actor,
            target=i.contract,
            new={"instalment": i.sequence, "gate": i.gate},
            note=i.gate_note,
        )
    return i


def payment_record(
    *, instalment: Instalment, paid_on: dt.date, voucher: str, actor: Any, amount: Any = None
) -> Payment:
    """Record the payment of one instalment: only once its gate is open, only once, and
    exactly its amount."""
    require(actor, "contracts.manage", instalment.contract)
    voucher = (voucher or "").strip()
    if not voucher:
        raise field_error("voucher", "请填写支付凭证号。")
    if not isinstance(paid_on, dt.date):
        raise field_error("paid_on", "请填写支付日期。")
    if paid_on > timezone.localdate():
        raise field_error("paid_on", "支付日期不能晚于今天。")
    with transaction.atomic():
        i = Instalment.objects.select_for_update().select_related("contract").get(pk=instalment.pk)
        c = i.contract
        if c.status != ContractStatus.ACTIVE:
            raise Conflict("合同不在履行中，不能付款。", code="not_active")
        if Payment.objects.filter(instalment=i).exists():
            raise Conflict(f"第 {i.sequence} 期款项已支付，不能重复支付。", code="already_paid")
        if i.gate_opened_at is None:
            raise Conflict(
                f"第 {i.sequence} 期的付款条件（{i.get_gate_display()}）尚未达成，不能付款。",
                code="gate_closed",
            )
        if c.signed_at and paid_on < timezone.localtime(c.signed_at).date():
            raise field_error("paid_on", "支付日期不能早于合同签订日期。")
        value = i.amount if amount in (None, "") else to_money(amount, field="amount")
        if value != i.amount:
            raise field_error(
                "amount", f"第 {i.sequence} 期应付 {i.amount} 元，不能支付 {value} 元。"
            )
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    instalment=i,
                    amount=value,
                    paid_on=paid_on,
                    voucher=voucher,
                    recorded_by=user_of(actor),
                )
        except IntegrityError:
            raise Conflict(
                f"第 {i.sequence} 期款项已支付，不能重复支付。", code="already_paid"
            ) from None
        audit_record(
            kind=EventKind.PAYMENT_RECORDED,
            actor=actor,
            target=c,
            new={
                "instalment": i.sequence,
                "amount": str(value),
                "voucher": voucher,
                "paid_on": paid_on.isoformat(),
            },
        )
        notify(
            recipients=_provider_users(c),
            kind="contract.paid",
            title=f"已付款：{c.title}",
            body=f"第 {i.sequence} 期 {value} 元已于 {paid_on} 支付。",
            url=f"/contracts/{c.pk}/",
        )
        maybe_complete(c, actor=actor)
    return payment
