"""Changing or ending a signed contract: supplementary agreements (补充协议, a new version of
the terms, the signed original kept) and termination (by breach or by agreement)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.notifications.services import notify

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import ContractTermsInput
from ..lifecycles import contract_lifecycle
from ..models import (
    Contract,
    ContractAction,
    ContractAmendment,
    ContractStatus,
    ContractVersion,
)
from ._shared import _lock, _provider_users, _resplit
from .terms import terms_of, validate_contract


def contract_amend(
    *, contract: Contract, changes: dict[str, Any], rationale: str, actor: Actor
) -> ContractAmendment:
    """A supplementary agreement (补充协议): the terms change in a new version; the signed
    original and every earlier version stay as they were. A new sum re-splits the unpaid
    instalments so that all of them still add up to the sum to the fen."""
    require(actor, Perm.CONTRACTS_MANAGE, contract)
    if not (rationale or "").strip():
        raise field_error("rationale", _("请说明变更理由（变更了什么、为什么）。"))
    changes = ContractTermsInput.parse(changes).given()
    if not changes:
        raise field_error("changes", _("请填写变更的条款。"))
    with transaction.atomic():
        c = _lock(contract)
        if c.status != ContractStatus.ACTIVE:
            raise Conflict(_("只有履行中的合同可以签订补充协议。"), code=Common.NOT_ACTIVE)
        before = terms_of(c)
        split_before = list(c.payment_split)
        for key, value in changes.items():
            setattr(c, key, value)
        validate_contract(c)
        if "payment_split" in changes and changes["payment_split"] != split_before:
            paid = c.instalments.filter(payment__isnull=False).exists()
            if paid:
                raise field_error("payment_split", _("已有付款后不能再调整分期比例。"))
        c.version += 1
        c.save()
        _resplit(c)
        from .parts import contract_parts_resplit

        contract_parts_resplit(c, actor=actor)  # a hub bundle's member parts (issue 21)
        after = terms_of(c)
        diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if "payment_split" in changes and changes["payment_split"] != split_before:
            diff["payment_split"] = [split_before, list(c.payment_split)]
        if not diff:
            raise field_error("changes", _("变更后的条款与原合同相同。"))
        amendment = ContractAmendment.objects.create(
            contract=c,
            version=c.version,
            changes=diff,
            rationale=rationale.strip(),
            approved_by=user_of(actor),
        )
        ContractVersion.objects.create(contract=c, version=c.version, terms=after)
        audit_record(
            kind=EventKind.CONTRACT_AMENDED,
            actor=actor,
            target=c,
            old={k: v[0] for k, v in diff.items()},
            new={k: v[1] for k, v in diff.items()},
            note=rationale,
        )
        notify(
            recipients=_provider_users(c),
            kind="contract.amended",
            title=f"补充协议：{c.title}",
            body=rationale[:300],
            url=f"/contracts/{c.pk}/",
        )
    return amendment


TERMINATION_KINDS = {"breach": "乙方违约解除", "agreement": "双方协商一致解除"}


def contract_terminate(
    *, contract: Contract, kind: str, reason: str, settlement: str, actor: Actor
) -> Contract:
    require(actor, Perm.CONTRACTS_MANAGE, contract)
    if kind not in TERMINATION_KINDS:
        raise field_error("kind", _("终止方式只能是违约解除或协商一致解除。"))
    if not (reason or "").strip():
        raise field_error("reason", _("请写明终止的理由（违约事实或协商情况）。"))
    if not (settlement or "").strip():
        raise field_error("settlement", _("请写明已付款项和服务的结算安排。"))
    with transaction.atomic():
        c = _lock(contract)
        contract_lifecycle.apply(
            c,
            ContractAction.TERMINATE,
            actor=actor,
            note=reason,
            termination_kind=kind,
            termination_reason=reason.strip(),
            settlement=settlement.strip(),
            ended_at=timezone.now(),
        )
        notify(
            recipients=_provider_users(c),
            kind="contract.terminated",
            title=f"合同终止：{c.title}",
            body=f"{TERMINATION_KINDS[kind]}：{reason[:300]}",
            url=f"/contracts/{c.pk}/",
        )
    return c
