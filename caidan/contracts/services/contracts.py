"""Contracts: drafting from an award, signing by both parties, publication, cancellation
of a draft and completion. The terms' rules are in ``terms``; amendments and termination in
``amendments``; renewal in ``renewals``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.calendar import deadline_after_working_days
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.contracts.codes import Code
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import due_day, notifications_resolve, notify

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import ContractTermsInput
from ..lifecycles import contract_lifecycle
from ..models import (
    Contract,
    ContractAction,
    ContractStatus,
    ContractVersion,
    Gate,
    Report,
    ReportKind,
)
from ..naming import contract_title
from ._shared import _lock, _provider_users, _purchaser_users, _resplit
from .terms import DEFAULT_TERMS, terms_of, validate_contract

SIGN_WITHIN_DAYS = 30  # 政府采购法 §46
PUBLISH_WITHIN_WORKING_DAYS = 2  # 实施条例 §50


# --- drafting ------------------------------------------------------------------------------------


def contract_create(
    *,
    award,
    actor: Actor,
    data: ContractTermsInput | None = None,
    now: dt.datetime | None = None,
) -> Contract:
    """Draft the contract of a confirmed award once nothing blocks it (``signing_blockers``:
    the challenge window has closed and so on); the terms not given default from the tender
    and project."""
    tender = award.tender
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    terms = data.given() if data is not None else {}
    now = now or timezone.now()
    with transaction.atomic():
        from caidan.procurement.models import Award

        award = (
            Award.objects.select_for_update()
            .select_related("tender", "tender__proposal", "bid__organization")
            .get(pk=award.pk)
        )
        if award.status != "confirmed" or award.tender.status not in ("awarded", "concluded"):
            raise Conflict(_("只有已确定并公告的中标结果可以签订合同。"), code=Code.NO_AWARD)
        from caidan.procurement.services import award_blockers

        blockers = award_blockers(award, now=now)
        if blockers:
            raise Conflict(
                "暂不能起草合同：" + "；".join(blockers),
                code=Code.SIGNING_BLOCKED,
                detail={"reasons": blockers},
            )
        if Contract.objects.filter(award=award, year_index=1).exclude(status="cancelled").exists():
            raise Conflict(_("该中标结果已有合同。"), code=Code.CONTRACT_EXISTS)
        proposal = award.tender.proposal
        split = setting_value("payment_split")
        contract = Contract(
            title=terms.pop("title", contract_title(award.tender.title)),
            reference=f"tmp-{now.timestamp()}-{award.pk}",
            tender=award.tender,
            award=award,
            proposal=proposal,
            unit=award.tender.unit,
            organization=award.bid.organization,
            service_content=terms.pop(
                "service_content",
                award.tender.description or proposal.description or proposal.title,
            ),
            period_start=terms.pop("period_start", proposal.period_start),
            period_end=terms.pop("period_end", proposal.period_end),
            quantity=terms.pop(
                "quantity",
                "；".join(
                    f"{o['name']} {o['target']}{o.get('unit', '')}" for o in proposal.outputs
                ),
            ),
            quality_standards=terms.pop(
                "quality_standards", "按照采购文件、投标文件和国家及本市相关服务标准执行。"
            ),
            amount=terms.pop("amount", award.amount),
            settlement_method=terms.pop("settlement_method", DEFAULT_TERMS["settlement_method"]),
            acceptance_criteria=terms.pop(
                "acceptance_criteria", DEFAULT_TERMS["acceptance_criteria"]
            ),
            rights_obligations=terms.pop("rights_obligations", DEFAULT_TERMS["rights_obligations"]),
            breach_liability=terms.pop("breach_liability", DEFAULT_TERMS["breach_liability"]),
            indicators=terms.pop(
                "indicators",
                [{**o, "kind": "output"} for o in proposal.outputs]
                + [{**o, "kind": "outcome"} for o in proposal.outcomes],
            ),
            payment_split=terms.pop(
                "payment_split", [split["first"], split["second"], split["final"]]
            ),
            sign_due=award.decided_at + dt.timedelta(days=SIGN_WITHIN_DAYS),
            created_by=user_of(actor),
            **terms,
        )
        validate_contract(contract)
        try:
            with transaction.atomic():
                contract.save()
        except IntegrityError:
            raise Conflict(_("该中标结果已有合同。"), code=Code.CONTRACT_EXISTS) from None
        contract.reference = f"HT-{proposal.year}-{contract.pk:06d}"
        contract.save(update_fields=["reference"])
        _resplit(contract)
        audit_record(
            kind=EventKind.CONTRACT_CREATED, actor=actor, target=contract, new=terms_of(contract)
        )
        from .parts import contract_parts_draft

        contract_parts_draft(contract, actor=actor)  # a hub bundle's member parts (issue 21)
        notify(
            recipients=_provider_users(contract),
            kind="contract.drafted",
            title=f"请签订合同：{contract.title}，截止 {due_day(contract.sign_due)}",
            body=f"{contract.unit.name}已起草合同，金额 {format_yuan(contract.amount)}，请在 "
            f"{timezone.localtime(contract.sign_due):%Y-%m-%d} 前签订。",
            url=f"/contracts/{contract.pk}/",
            task=sign_task(contract, "provider"),
        )
    return contract


def contract_update(*, contract: Contract, changes: dict[str, Any], actor: Actor) -> Contract:
    """Edit a draft before signing (any signature already given is withdrawn): the terms in
    ``changes`` are checked as a ``ContractTermsInput``, then the whole contract."""
    require(actor, Perm.CONTRACTS_MANAGE, contract)
    changes = ContractTermsInput.parse(changes).given()
    with transaction.atomic():
        c = _lock(contract)
        if c.status != ContractStatus.DRAFT:
            raise Conflict(_("合同已签订，变更须签订补充协议。"), code=Common.NOT_DRAFT)
        before = terms_of(c)
        for key, value in changes.items():
            setattr(c, key, value)
        validate_contract(c)
        if c.provider_signed_at or c.purchaser_signed_at:
            c.provider_signed_at = c.purchaser_signed_at = None
            c.provider_signed_by = c.purchaser_signed_by = None
        c.save()
        _resplit(c)
        from .parts import contract_parts_resplit

        contract_parts_resplit(c, actor=actor)  # a hub bundle's member parts (issue 21)
        after = terms_of(c)
        changed = [k for k in after if before[k] != after[k]]
        audit_record(
            kind=EventKind.CONTRACT_UPDATED,
            actor=actor,
            target=c,
            old={k: before[k] for k in changed},
            new={k: after[k] for k in changed},
        )
    return c


# --- signing ------------------------------------------------------------------------------------


def signing_blockers(contract: Contract, *, now: dt.datetime | None = None) -> list[str]:
    """Why the contract may not be drafted or signed at ``now`` (empty: it may): the award's
    blockers, the one rule procurement keeps for drafting, signing and the tick
    (``procurement.services.award_blockers``: window closed, every challenge answered, no
    complaint pending or suspension in force, the winner still eligible)."""
    from caidan.procurement.services import award_blockers

    return award_blockers(contract.award, now=now)


def sign_task(c: Contract, side: str) -> str:
    """The task of one side's signature ("purchaser" or "provider")."""
    return f"contract_sign:contract:{c.pk}:{side}"


def contract_sign(*, contract: Contract, actor: Actor, now: dt.datetime | None = None) -> Contract:
    """One party signs. When both have, the contract takes effect, is published at once
    (the law allows 2 working days), the first instalment's gate opens and the provider's
    reports are scheduled."""
    require(actor, Perm.CONTRACTS_SIGN, contract)
    with transaction.atomic():
        c = _lock(contract)
        if c.status != ContractStatus.DRAFT:
            raise Conflict(_("合同已签订或已作废。"), code=Common.NOT_DRAFT)
        now = now or timezone.now()
        blockers = signing_blockers(c, now=now)
        if blockers:
            raise Conflict(
                "；".join(blockers), code=Code.SIGNING_BLOCKED, detail={"reasons": blockers}
            )
        side = "purchaser" if actor.has_role(Role.PURCHASER) else "provider"
        if getattr(c, f"{side}_signed_at"):
            raise Conflict(_("您一方已签订，等待对方签订。"), code=Code.ALREADY_SIGNED)
        setattr(c, f"{side}_signed_at", now)
        setattr(c, f"{side}_signed_by", user_of(actor))
        c.save(update_fields=[f"{side}_signed_at", f"{side}_signed_by"])
        audit_record(kind=EventKind.CONTRACT_SIGNED, actor=actor, target=c, new={"side": side})
        notifications_resolve(task=sign_task(c, side), now=now)
        if c.purchaser_signed_at and c.provider_signed_at:
            contract_lifecycle.apply(
                c,
                ContractAction.SIGN,
                actor=actor,
                signed_at=now,
                publish_due=deadline_after_working_days(now, PUBLISH_WITHIN_WORKING_DAYS),
                published_at=now,
            )
            ContractVersion.objects.create(contract=c, version=1, terms=terms_of(c))
            first = c.instalments.get(gate=Gate.SIGNATURE)
            first.gate_opened_at = now
            first.gate_note = "合同已签订"
            first.save(update_fields=["gate_opened_at", "gate_note"])
            schedule_reports(c)
            notify(
                recipients=_provider_users(c),
                kind="contract.signed",
                title=f"合同已生效：{c.title}",
                body=f"{c.reference} 双方已签订并公开。首期款 {format_yuan(first.amount)} 可支付。",
                url=f"/contracts/{c.pk}/",
            )
            from .payments import ask_to_pay

            ask_to_pay(c, first, officers=_purchaser_users(c))
        else:
            other_side = "provider" if side == "purchaser" else "purchaser"
            other = _provider_users(c) if side == "purchaser" else _purchaser_users(c)
            notify(
                recipients=other,
                kind="contract.sign_requested",
                title=f"请签订合同：{c.title}，截止 {due_day(c.sign_due)}",
                body=f"对方已签订 {c.reference}，请在 "
                f"{timezone.localtime(c.sign_due):%Y-%m-%d} 前签订。",
                url=f"/contracts/{c.pk}/",
                task=sign_task(c, other_side),
            )
    return c


def schedule_reports(c: Contract, *, every_months: int = 3) -> list[Report]:
    """Progress reports at the end of each ``every_months`` of the period, the mid-term
    report (with the fund-usage statement) half-way, the final report a month after."""

    def add_months(day: dt.date, months: int) -> dt.date:
        y, m = divmod(day.month - 1 + months, 12)
        year, month = day.year + y, m + 1
        import calendar

        return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

    midterm = c.period_start + (c.period_end - c.period_start) / 2
    rows = []
    n, due = 1, add_months(c.period_start, every_months) - dt.timedelta(days=1)
    while due < c.period_end:
        if abs((due - midterm).days) > 15:
            rows.append(Report(contract=c, kind=ReportKind.PROGRESS, sequence=n, due_on=due))
            n += 1
        due = add_months(due + dt.timedelta(days=1), every_months) - dt.timedelta(days=1)
    rows.append(Report(contract=c, kind=ReportKind.MIDTERM, sequence=1, due_on=midterm))
    rows.append(
        Report(
            contract=c,
            kind=ReportKind.FINAL,
            sequence=1,
            due_on=c.period_end + dt.timedelta(days=30),
        )
    )
    return Report.objects.bulk_create(rows)


def contract_cancel(*, contract: Contract, reason: str, actor: Actor) -> Contract:
    """Void an unsigned draft (e.g. the award was revoked or the winner declined)."""
    require(actor, Perm.CONTRACTS_MANAGE, contract)
    if not (reason or "").strip():
        raise field_error("reason", _("请填写作废理由。"))
    with transaction.atomic():
        c = _lock(contract)
        c = contract_lifecycle.apply(
            c,
            ContractAction.CANCEL,
            actor=actor,
            note=reason,
            termination_reason=reason.strip(),
            ended_at=timezone.now(),
        )
        for side in ("purchaser", "provider"):
            notifications_resolve(task=sign_task(c, side))
        return c


def maybe_complete(c: Contract, *, actor: Actor) -> bool:
    """All instalments paid and the final report accepted: the contract is performed."""
    if c.status != ContractStatus.ACTIVE:
        return False
    if c.instalments.filter(payment__isnull=True).exists():
        return False
    if not c.reports.filter(kind=ReportKind.FINAL, status="accepted").exists():
        return False
    contract_lifecycle.apply(c, ContractAction.COMPLETE, actor=actor, ended_at=timezone.now())
    return True
