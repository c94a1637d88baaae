"""Helpers shared by the contract service modules: the row lock, who is told, and how the
sum is re-split into instalments."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import User
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.common.errors import field_error
from caidan.common.money import format_yuan, split_by_weights

from ..models import Contract, Instalment
from .terms import GATES


def _lock(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update()
        .select_related("unit", "organization", "tender", "award")
        .get(pk=contract.pk)
    )


def _provider_users(c: Contract) -> list[User]:
    return organization_users([c.organization_id])


def _purchaser_users(c: Contract) -> list[User]:
    return unit_officers(c.unit)


def _resplit(c: Contract) -> None:
    """Instalment amounts from the split: the sum equals the contract amount to the fen.
    Paid instalments keep their amounts; the rest share what remains, by their percents."""
    instalments = list(c.instalments.select_related("payment").order_by("sequence")) if c.pk else []
    if not instalments:
        amounts = split_by_weights(c.amount, c.payment_split)
        Instalment.objects.bulk_create(
            [
                Instalment(contract=c, sequence=i + 1, gate=GATES[i], percent=p, amount=a)
                for i, (p, a) in enumerate(zip(c.payment_split, amounts, strict=True))
            ]
        )
        return
    paid = [i for i in instalments if hasattr(i, "payment")]
    open_ = [i for i in instalments if not hasattr(i, "payment")]
    paid_total = sum((i.amount for i in paid), Decimal("0.00"))
    remaining = c.amount - paid_total
    if remaining < 0:
        raise field_error(
            "amount",
            _("合同金额不能低于已支付的 %(paid_total)s。")
            % {"paid_total": format_yuan(paid_total)},
        )
    if not open_:
        if remaining != 0:
            raise field_error("amount", _("各期均已支付，不能再变更合同金额。"))
        return
    for i, percent in zip(instalments, c.payment_split, strict=True):
        i.percent = percent
    weights = [i.percent for i in open_]
    if sum(weights) == 0:
        weights = [1] * len(open_)
    for inst, amount in zip(open_, split_by_weights(remaining, weights), strict=True):
        inst.amount = amount
    Instalment.objects.bulk_update(instalments, ["percent", "amount"])
