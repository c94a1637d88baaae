"""Staged payments: gates and payment records (seed 001: 50 % after signing, 30–40 % after
the mid-term evaluation, the balance after the final evaluation)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.accounts.selectors import unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.contracts.codes import Code
from caidan.notifications.services import due_day, notifications_resolve, notify

from ..inputs import PaymentInput
from ..models import ContractStatus, Instalment, Payment
from ._shared import _provider_users
from .contracts import maybe_complete


def instalment_gate_open_by_evaluation(
    *, contract, gate: str, evaluation, now: dt.datetime | None = None
) -> Instalment | None:
    """Open the mid-term / final payment gate because ``evaluation`` passed (called by the
    evaluation's publication, inside its transaction). Idempotent."""
    i = Instalment.objects.select_for_update().filter(contract=contract, gate=gate).first()
    if i is None or i.gate_opened_at is not None:
        return i
    i.gate_opened_at = now or timezone.now()
    i.gate_note = f"{evaluation.get_stage_display()}结果：{evaluation.get_grade_display()}（{evaluation.total} 分）"
    i.save(update_fields=["gate_opened_at", "gate_note"])
    audit_record(
        kind=EventKind.INSTALMENT_GATE_OPENED,
        actor=Actor.system(),
        target=contract,
        new={"instalment": i.sequence, "gate": i.gate, "evaluation": evaluation.pk},
        note=i.gate_note,
    )
    notify(
        recipients=_provider_users(contract),
        kind="instalment.gate_opened",
        title=f"付款条件达成：{contract.title} 第 {i.sequence} 期",
        body=f"{i.gate_note}，第 {i.sequence} 期 {format_yuan(i.amount)} 可以支付。",
        url=f"/contracts/{contract.pk}/",
    )
    ask_to_pay(contract, i, officers=unit_officers(contract.unit))
    return i


def pay_task(i: Instalment) -> str:
    return f"instalment_pay:instalment:{i.pk}"


def ask_to_pay(contract, i: Instalment, *, officers) -> None:
    """The purchaser's officers are asked to pay an instalment whose gate has opened, by the
    day the payment reminder counts to (gate + ``PAY_WITHIN_DAYS``)."""
    from .reminders import PAY_WITHIN_DAYS

    due = i.gate_opened_at + dt.timedelta(days=PAY_WITHIN_DAYS)
    notify(
        recipients=officers,
        kind="instalment.gate_opened",
        title=f"请支付{contract.title}第 {i.sequence} 期 {format_yuan(i.amount)}，截止 {due_day(due)}",
        body=f"{i.gate_note}，付款条件已达成。请在 {timezone.localtime(due):%Y-%m-%d} 前"
        f"支付第 {i.sequence} 期 {format_yuan(i.amount)} 并登记付款凭证。",
        url=f"/contracts/{contract.pk}/",
        task=pay_task(i),
    )


def payment_record(
    *,
    instalment: Instalment,
    data: PaymentInput,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Payment:
    """Record the payment of one instalment: only once its gate is open, only once, and
    exactly its amount (``data.amount`` defaults to it)."""
    require(actor, Perm.CONTRACTS_MANAGE, instalment.contract)
    paid_on, voucher = data.paid_on, data.voucher
    now = now or timezone.now()
    if paid_on > timezone.localdate(now):
        raise field_error("paid_on", _("支付日期不能晚于今天。"))
    with transaction.atomic():
        i = Instalment.objects.select_for_update().select_related("contract").get(pk=instalment.pk)
        c = i.contract
        if c.status != ContractStatus.ACTIVE:
            raise Conflict(_("合同不在履行中，不能付款。"), code=Common.NOT_ACTIVE)
        if Payment.objects.filter(instalment=i).exists():
            raise Conflict(
                _("第 %(sequence)s 期款项已支付，不能重复支付。") % {"sequence": i.sequence},
                code=Code.ALREADY_PAID,
            )
        if i.gate_opened_at is None:
            raise Conflict(
                _("第 %(sequence)s 期的付款条件（%(get_gate_display)s）尚未达成，不能付款。")
                % {"sequence": i.sequence, "get_gate_display": i.get_gate_display()},
                code=Code.GATE_CLOSED,
            )
        if c.signed_at and paid_on < timezone.localtime(c.signed_at).date():
            raise field_error("paid_on", _("支付日期不能早于合同签订日期。"))
        value = i.amount if data.amount is None else data.amount
        if value != i.amount:
            raise field_error(
                "amount",
                _("第 %(sequence)s 期应付 %(amount)s，不能支付 %(value)s。")
                % {
                    "sequence": i.sequence,
                    "amount": format_yuan(i.amount),
                    "value": format_yuan(value),
                },
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
                _("第 %(sequence)s 期款项已支付，不能重复支付。") % {"sequence": i.sequence},
                code=Code.ALREADY_PAID,
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
        notifications_resolve(task=pay_task(i))
        notify(
            recipients=_provider_users(c),
            kind="contract.paid",
            title=f"已付款：{c.title}",
            body=f"第 {i.sequence} 期 {format_yuan(value)} 已于 {paid_on} 支付。",
            url=f"/contracts/{c.pk}/",
        )
        maybe_complete(c, actor=actor)
    return payment
