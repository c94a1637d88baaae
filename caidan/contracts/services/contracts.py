"""Contracts: drafting from an award, signing by both parties, publication, amendments
(new versions, the signed original kept), termination, completion and renewal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.models import Role, User
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.calendar import deadline_after_working_days
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.money import cap_amount, split_by_weights, to_money, within_cap
from caidan.common.periods import max_period_end, next_period
from caidan.jurisdiction.registry import SPECS_BY_KEY
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import notify

from .. import permissions  # noqa: F401 - registers the rules
from ..lifecycles import contract_lifecycle
from ..models import (
    TERM_FIELDS,
    Contract,
    ContractAction,
    ContractAmendment,
    ContractStatus,
    ContractVersion,
    Gate,
    Instalment,
    Report,
    ReportKind,
)

SIGN_WITHIN_DAYS = 30  # 政府采购法 §46
PUBLISH_WITHIN_WORKING_DAYS = 2  # 实施条例 §50
MAX_YEARS = 3  # DOMAIN.md §4.3
GATES = (Gate.SIGNATURE, Gate.MIDTERM, Gate.FINAL)
TEXT_TERMS = (
    "service_content",
    "quantity",
    "quality_standards",
    "settlement_method",
    "acceptance_criteria",
    "rights_obligations",
    "breach_liability",
)
REQUIRED_TEXT = {
    "service_content": "服务内容",
    "quality_standards": "服务质量要求",
    "settlement_method": "资金结算方式",
    "acceptance_criteria": "验收标准",
    "rights_obligations": "双方的权利义务",
    "breach_liability": "违约责任",
}

DEFAULT_TERMS = {
    "settlement_method": "按合同约定分三期支付：合同签订后支付首期；中期评估合格后支付第二期；"
    "终期评估合格后支付余款。",
    "acceptance_criteria": "按照合同约定的绩效指标和目标，由购买主体会同第三方评估机构进行中期评估和终期评估，评估合格即为验收合格。",
    "rights_obligations": "甲方按约定支付资金、提供必要的工作条件并监督检查；乙方按约定提供服务，"
    "按时报送进度报告、中期报告和资金使用情况、结项报告和财务报表，配合绩效评价和审计，对发现的问题及时整改。",
    "breach_liability": "乙方未按约定提供服务或服务质量不达标的，甲方有权要求整改、暂停付款直至解除合同；"
    "评估结果为差或严重违约的，按规定列入承接主体负面清单。甲方未按约定付款的，应承担相应责任。",
}


def _lock(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update()
        .select_related("unit", "organization", "tender", "award")
        .get(pk=contract.pk)
    )


def terms_of(contract: Contract) -> dict[str, Any]:
    out = {}
    for f in ("title", *TERM_FIELDS, "renewal_intent", "renewal_years"):
        value = getattr(contract, f)
        out[f] = (
            value.isoformat()
            if isinstance(value, dt.date)
            else (str(value) if isinstance(value, Decimal) else value)
        )
    return out


# --- validation ----------------------------------------------------------------------------------


def clean_split(split: Any) -> list[int]:
    """[first, second, final] percentages within seed 001's bounds (first 50 %, second
    30–40 %, the balance the rest)."""
    if not isinstance(split, list | tuple) or len(split) != 3:
        raise field_error("payment_split", "分期付款比例须为三期（签约 / 中期 / 终期）。")
    try:
        values = [int(v) for v in split]
    except (TypeError, ValueError):
        raise field_error("payment_split", "分期付款比例须为整数百分比。") from None
    SPECS_BY_KEY["payment_split"].check(
        {"first": values[0], "second": values[1], "final": values[2]}
    )
    return values


def _coerce_terms(changes: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in changes.items():
        if key not in TERM_FIELDS and key not in (
            "payment_split",
            "renewal_intent",
            "renewal_years",
            "title",
        ):
            raise field_error(key, "不能修改该字段。")
        if key in ("amount", "performance_security"):
            value = to_money(value, field=key)
        elif key in ("period_start", "period_end") and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise field_error(key, "日期格式应为 YYYY-MM-DD。") from None
        elif key in TEXT_TERMS or key == "title":
            value = str(value or "").strip()
        elif key == "payment_split":
            value = clean_split(value)
        elif key == "renewal_years":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise field_error(key, "须为整数。") from None
        elif key == "indicators" and not isinstance(value, list):
            raise field_error(key, "绩效指标须为列表。")
        out[key] = value
    return out


def validate_contract(c: Contract) -> None:
    for key, label in REQUIRED_TEXT.items():
        if not (getattr(c, key) or "").strip():
            raise field_error(key, f"请填写{label}（合同必备条款）。")
    if not (c.title or "").strip():
        raise field_error("title", "请填写合同名称。")
    if c.amount is None or c.amount <= 0:
        raise field_error("amount", "合同金额必须大于 0。")
    if c.amount > c.award.amount:
        raise field_error("amount", f"合同金额 {c.amount} 元不得超过中标金额 {c.award.amount} 元。")
    if c.period_end <= c.period_start:
        raise field_error("period_end", "服务期结束须晚于开始。")
    last_day = max_period_end(c.period_start, 1)  # the day before the anniversary
    if c.period_end > last_day:
        raise field_error(
            "period_end",
            f"一份合同的服务期不超过一年：自 {c.period_start} 起最迟至 {last_day}"
            "（种子文档 001：合同期一年；期间按民法典 §201–§202 计算）；"
            "需求稳定的服务可约定续签意向，每年签订新合同。",
        )
    cap_percent = setting_value("performance_security_max_percent")
    if c.performance_security < 0:
        raise field_error("performance_security", "履约保证金不能为负数。")
    if not within_cap(c.performance_security, c.amount, cap_percent):  # exact: never rounds up
        raise field_error(
            "performance_security",
            f"履约保证金 {c.performance_security} 元超过合同金额的 {cap_percent}%"
            f"（至多 {cap_amount(c.amount, cap_percent)} 元，实施条例 §48）。",
        )
    c.payment_split = clean_split(c.payment_split)
    if not 1 <= c.renewal_years <= MAX_YEARS:
        raise field_error("renewal_years", f"续签意向总年限为 1–{MAX_YEARS} 年（DOMAIN §4.3）。")
    if c.renewal_years > 1 and not c.renewal_intent:
        raise field_error("renewal_intent", "多年续签须勾选续签意向。")


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
        raise field_error("amount", f"合同金额不能低于已支付的 {paid_total} 元。")
    if not open_:
        if remaining != 0:
            raise field_error("amount", "各期均已支付，不能再变更合同金额。")
        return
    for i, percent in zip(instalments, c.payment_split, strict=True):
        i.percent = percent
    weights = [i.percent for i in open_]
    if sum(weights) == 0:
        weights = [1] * len(open_)
    for inst, amount in zip(open_, split_by_weights(remaining, weights), strict=True):
        inst.amount = amount
    Instalment.objects.bulk_update(instalments, ["percent", "amount"])


# --- drafting ------------------------------------------------------------------------------------


def contract_create(*, award, actor: Any, now: dt.datetime | None = None, **terms: Any) -> Contract:
    """Draft the contract of a confirmed award once nothing blocks it (``signing_blockers``:
    the challenge window has closed and so on); terms default from the tender and project."""
    tender = award.tender
    require(actor, "procurement.manage", tender)
    terms = _coerce_terms(terms)
    now = now or timezone.now()
    with transaction.atomic():
        from caidan.procurement.models import Award

        award = (
            Award.objects.select_for_update()
            .select_related("tender", "tender__proposal", "bid__organization")
            .get(pk=award.pk)
        )
        if award.status != "confirmed" or award.tender.status not in ("awarded", "concluded"):
            raise Conflict("只有已确定并公告的中标结果可以签订合同。", code="no_award")
        from caidan.procurement.services import award_blockers

        blockers = award_blockers(award, now=now)
        if blockers:
            raise Conflict(
                "暂不能起草合同：" + "；".join(blockers),
                code="signing_blocked",
                detail={"reasons": blockers},
            )
        if Contract.objects.filter(award=award, year_index=1).exclude(status="cancelled").exists():
            raise Conflict("该中标结果已有合同。", code="contract_exists")
        proposal = award.tender.proposal
        split = setting_value("payment_split")
        contract = Contract(
            title=terms.pop("title", f"{award.tender.title}服务合同"),
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
            raise Conflict("该中标结果已有合同。", code="contract_exists") from None
        contract.reference = f"HT-{proposal.year}-{contract.pk:06d}"
        contract.save(update_fields=["reference"])
        _resplit(contract)
        audit_record(
            kind=EventKind.CONTRACT_CREATED, actor=actor, target=contract, new=terms_of(contract)
        )
        notify(
            recipients=_provider_users(contract),
            kind="contract.drafted",
            title=f"合同待签订：{contract.title}",
            body=f"{contract.unit.name}已起草合同，金额 {contract.amount} 元，请在 "
            f"{timezone.localtime(contract.sign_due):%Y-%m-%d} 前签订。",
            url=f"/contracts/{contract.pk}/",
        )
    return contract


def contract_update(*, contract: Contract, changes: dict[str, Any], actor: Any) -> Contract:
    """Edit a draft before signing (any signature already given is withdrawn)."""
    require(actor, "contracts.manage", contract)
    changes = _coerce_terms(changes)
    with transaction.atomic():
        c = _lock(contract)
        if c.status != ContractStatus.DRAFT:
            raise Conflict("合同已签订，变更须签订补充协议。", code="not_draft")
        before = terms_of(c)
        for key, value in changes.items():
            setattr(c, key, value)
        validate_contract(c)
        if c.provider_signed_at or c.purchaser_signed_at:
            c.provider_signed_at = c.purchaser_signed_at = None
            c.provider_signed_by = c.purchaser_signed_by = None
        c.save()
        _resplit(c)
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


def _provider_users(c: Contract) -> list[User]:
    return organization_users([c.organization_id])


def _purchaser_users(c: Contract) -> list[User]:
    return unit_officers(c.unit)


def contract_sign(*, contract: Contract, actor: Any, now: dt.datetime | None = None) -> Contract:
    """One party signs. When both have, the contract takes effect, is published at once
    (the law allows 2 working days), the first instalment's gate opens and the provider's
    reports are scheduled."""
    require(actor, "contracts.sign", contract)
    with transaction.atomic():
        c = _lock(contract)
        if c.status != ContractStatus.DRAFT:
            raise Conflict("合同已签订或已作废。", code="not_draft")
        now = now or timezone.now()
        blockers = signing_blockers(c, now=now)
        if blockers:
            raise Conflict(
                "；".join(blockers), code="signing_blocked", detail={"reasons": blockers}
            )
        side = "purchaser" if actor.has_role(Role.PURCHASER) else "provider"
        if getattr(c, f"{side}_signed_at"):
            raise Conflict("您一方已签订，等待对方签订。", code="already_signed")
        setattr(c, f"{side}_signed_at", now)
        setattr(c, f"{side}_signed_by", user_of(actor))
        c.save(update_fields=[f"{side}_signed_at", f"{side}_signed_by"])
        audit_record(kind=EventKind.CONTRACT_SIGNED, actor=actor, target=c, new={"side": side})
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
                recipients=_provider_users(c) + _purchaser_users(c),
                kind="contract.signed",
                title=f"合同已生效：{c.title}",
                body=f"{c.reference} 双方已签订并公开。首期款 {first.amount} 元可支付。",
                url=f"/contracts/{c.pk}/",
            )
        else:
            other = _provider_users(c) if side == "purchaser" else _purchaser_users(c)
            notify(
                recipients=other,
                kind="contract.sign_requested",
                title=f"请签订合同：{c.title}",
                body=f"对方已签订 {c.reference}。",
                url=f"/contracts/{c.pk}/",
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


def contract_cancel(*, contract: Contract, reason: str, actor: Any) -> Contract:
    """Void an unsigned draft (e.g. the award was revoked or the winner declined)."""
    require(actor, "contracts.manage", contract)
    if not (reason or "").strip():
        raise field_error("reason", "请填写作废理由。")
    with transaction.atomic():
        c = _lock(contract)
        return contract_lifecycle.apply(
            c,
            ContractAction.CANCEL,
            actor=actor,
            note=reason,
            termination_reason=reason.strip(),
            ended_at=timezone.now(),
        )


# --- amendments, termination, renewal -----------------------------------------------------------


def contract_amend(
    *, contract: Contract, changes: dict[str, Any], rationale: str, actor: Any
) -> ContractAmendment:
    """A supplementary agreement (补充协议): the terms change in a new version; the signed
    original and every earlier version stay as they were. A new sum re-splits the unpaid
    instalments so that all of them still add up to the sum to the fen."""
    require(actor, "contracts.manage", contract)
    if not (rationale or "").strip():
        raise field_error("rationale", "请说明变更理由（变更了什么、为什么）。")
    changes = _coerce_terms(changes)
    if not changes:
        raise field_error("changes", "请填写变更的条款。")
    with transaction.atomic():
        c = _lock(contract)
        if c.status != ContractStatus.ACTIVE:
            raise Conflict("只有履行中的合同可以签订补充协议。", code="not_active")
        before = terms_of(c)
        split_before = list(c.payment_split)
        for key, value in changes.items():
            setattr(c, key, value)
        validate_contract(c)
        if "payment_split" in changes and changes["payment_split"] != split_before:
            paid = c.instalments.filter(payment__isnull=False).exists()
            if paid:
                raise field_error("payment_split", "已有付款后不能再调整分期比例。")
        c.version += 1
        c.save()
        _resplit(c)
        after = terms_of(c)
        diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if "payment_split" in changes and changes["payment_split"] != split_before:
            diff["payment_split"] = [split_before, list(c.payment_split)]
        if not diff:
            raise field_error("changes", "变更后的条款与原合同相同。")
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
    *, contract: Contract, kind: str, reason: str, settlement: str, actor: Any
) -> Contract:
    require(actor, "contracts.manage", contract)
    if kind not in TERMINATION_KINDS:
        raise field_error("kind", "终止方式只能是违约解除或协商一致解除。")
    if not (reason or "").strip():
        raise field_error("reason", "请写明终止的理由（违约事实或协商情况）。")
    if not (settlement or "").strip():
        raise field_error("settlement", "请写明已付款项和服务的结算安排。")
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


def maybe_complete(c: Contract, *, actor: Any) -> bool:
    """All instalments paid and the final report accepted: the contract is performed."""
    if c.status != ContractStatus.ACTIVE:
        return False
    if c.instalments.filter(payment__isnull=True).exists():
        return False
    if not c.reports.filter(kind=ReportKind.FINAL, status="accepted").exists():
        return False
    contract_lifecycle.apply(c, ContractAction.COMPLETE, actor=actor, ended_at=timezone.now())
    return True


def contract_renew(*, contract: Contract, actor: Any, now: dt.datetime | None = None) -> Contract:
    """Next year's contract of a stable service with a renewal intent (≤ 3 years in total):
    a draft for the following period, to be signed like the first. The provider must still
    be eligible (DOMAIN §4.2, checked again at renewal)."""
    require(actor, "contracts.manage", contract)
    now = now or timezone.now()
    with transaction.atomic():
        c = _lock(contract)
        if not c.renewal_intent:
            raise Conflict("该合同未约定续签意向。", code="no_intent")
        if c.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
            raise Conflict("只有履行中或已履行完毕的合同可以续签。", code="bad_status")
        if c.year_index >= min(c.renewal_years, MAX_YEARS):
            raise Conflict(
                f"已达到约定的续签年限（共 {c.renewal_years} 年，最长 {MAX_YEARS} 年）。",
                code="max_years",
            )
        poor = c.evaluations.filter(status="published", grade="poor").first()
        if poor is not None:
            raise Conflict(
                f"{poor.get_stage_display()}等级为“差”，不能续签（优胜劣汰）。", code="poor_grade"
            )
        if c.renewals.exclude(status="cancelled").exists():
            raise Conflict("已起草续签合同。", code="contract_exists")
        from caidan.procurement.services import winner_problems

        problems = winner_problems(c.award, now=now)
        if problems:
            raise Conflict(
                "不能续签：" + "；".join(problems), code="ineligible", detail={"reasons": problems}
            )
        start, end = next_period(c.period_start, c.period_end, 1)  # 29 February included
        fields = {f: getattr(c, f) for f in TERM_FIELDS}
        fields.update(period_start=start, period_end=end)
        new = Contract(
            reference=f"tmp-{now.timestamp()}-{c.pk}",
            title=c.title,
            tender=c.tender,
            award=c.award,
            proposal=c.proposal,
            unit=c.unit,
            organization=c.organization,
            payment_split=list(c.payment_split),
            sign_due=now + dt.timedelta(days=SIGN_WITHIN_DAYS),
            renewal_intent=True,
            renewal_years=c.renewal_years,
            renews=c,
            year_index=c.year_index + 1,
            created_by=user_of(actor),
            **fields,
        )
        validate_contract(new)
        new.save()
        new.reference = f"{c.reference.split('-Y')[0]}-Y{new.year_index}"
        new.save(update_fields=["reference"])
        _resplit(new)
        audit_record(
            kind=EventKind.CONTRACT_RENEWED,
            actor=actor,
            target=new,
            new={"renews": c.pk, "year_index": new.year_index},
        )
    return new


__all__ = [
    "ValidationError",
    "clean_split",
    "contract_amend",
    "contract_cancel",
    "contract_create",
    "contract_renew",
    "contract_sign",
    "contract_terminate",
    "contract_update",
    "maybe_complete",
    "schedule_reports",
    "signing_blockers",
    "terms_of",
]
