"""Integrity flags (廉政风险提示) computed from the data, each with its evidence
(DOMAIN.md §3.7). Read-only: a flag is a place to look, not a verdict.

| code | raised when |
|---|---|
| single_bid | a competitive tender was opened with exactly one valid bid |
| minimum_period | the bidding period was at the legal minimum (less than a day more) |
| price_near_budget | the awarded amount is ≥ 98 % of the budget |
| dominant_provider | one provider won more than half (and ≥ 3) of a purchaser's contracts in a year |
| signed_late | a contract was signed after its 30-day deadline |
| evaluation_overdue | an evaluation is open past its due date |
| paid_before_gate | a payment was recorded before its instalment's gate opened |
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

NEAR_BUDGET = Decimal("0.98")
DOMINANT_SHARE = Decimal("0.5")
DOMINANT_MIN = 3

LABELS = {
    "single_bid": "仅一家有效投标",
    "minimum_period": "投标期限仅达法定最低",
    "price_near_budget": "中标价接近预算（≥98%）",
    "dominant_provider": "同一承接主体拿下多数合同",
    "signed_late": "合同逾期签订",
    "evaluation_overdue": "绩效评价逾期",
    "paid_before_gate": "付款早于付款条件达成",
}


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    evidence: str
    url: str
    unit_id: int | None
    year: int | None

    @property
    def label(self) -> str:
        return LABELS[self.code]


def _tender_flags() -> list[Flag]:
    from caidan.procurement.methods import config_for
    from caidan.procurement.models import Award, Bid, Tender

    flags = []
    opened = Tender.objects.filter(opened_at__isnull=False).select_related("proposal")
    valid = Counter(
        Bid.objects.filter(tender__in=opened, status="valid").values_list("tender_id", flat=True)
    )
    for t in opened:
        cfg = config_for(t.method)
        if not cfg.invited_only and valid.get(t.pk, 0) == 1:
            flags.append(
                Flag(
                    "single_bid",
                    t.title,
                    f"{t.reference} 开标时仅 1 家有效投标。",
                    f"/procurement/tenders/{t.pk}/",
                    t.unit_id,
                    t.proposal.year,
                )
            )
    for t in Tender.objects.filter(
        published_at__isnull=False, deadline__isnull=False
    ).select_related("proposal"):
        days = config_for(t.method).min_period_days()
        if days and t.deadline - t.published_at < dt.timedelta(days=days + 1):
            flags.append(
                Flag(
                    "minimum_period",
                    t.title,
                    f"{t.reference} 公告 {timezone.localtime(t.published_at):%Y-%m-%d %H:%M} 至截止 "
                    f"{timezone.localtime(t.deadline):%Y-%m-%d %H:%M}，不足 {days + 1} 日（法定最低 {days} 日）。",
                    f"/procurement/tenders/{t.pk}/",
                    t.unit_id,
                    t.proposal.year,
                )
            )
    for a in Award.objects.filter(status="confirmed").select_related("tender", "tender__proposal"):
        if a.amount >= a.tender.budget * NEAR_BUDGET:
            share = (a.amount / a.tender.budget * 100).quantize(Decimal("0.1"))
            flags.append(
                Flag(
                    "price_near_budget",
                    a.tender.title,
                    f"中标金额 {a.amount} 元为预算 {a.tender.budget} 元的 {share}%。",
                    f"/procurement/tenders/{a.tender_id}/notice/",
                    a.tender.unit_id,
                    a.tender.proposal.year,
                )
            )
    return flags


def _contract_flags(now: dt.datetime) -> list[Flag]:
    from caidan.contracts.models import Contract, Payment

    flags = []
    signed = Contract.objects.filter(signed_at__isnull=False).select_related("organization", "unit")
    for c in signed.filter(signed_at__gt=F("sign_due")):
        flags.append(
            Flag(
                "signed_late",
                c.title,
                f"{c.reference} 应于 {timezone.localtime(c.sign_due):%Y-%m-%d} 前签订，实际 "
                f"{timezone.localtime(c.signed_at):%Y-%m-%d} 签订。",
                f"/contracts/{c.pk}/",
                c.unit_id,
                c.period_start.year,
            )
        )
    by_unit_year: dict[tuple[int, int], Counter] = {}
    for c in signed:
        by_unit_year.setdefault((c.unit_id, c.period_start.year), Counter())[c.organization] += 1
    for (unit_id, year), counts in by_unit_year.items():
        total = sum(counts.values())
        org, n = counts.most_common(1)[0]
        if n >= DOMINANT_MIN and Decimal(n) / total > DOMINANT_SHARE:
            flags.append(
                Flag(
                    "dominant_provider",
                    org.name,
                    f"{year} 年该购买主体 {total} 份合同中有 {n} 份由“{org.name}”承接。",
                    f"/contracts/?search={org.name}",
                    unit_id,
                    year,
                )
            )
    early = Payment.objects.filter(
        instalment__gate_opened_at__isnull=True
    ) | Payment.objects.filter(recorded_at__lt=F("instalment__gate_opened_at"))
    for p in early.select_related("instalment", "instalment__contract"):
        c = p.instalment.contract
        flags.append(
            Flag(
                "paid_before_gate",
                c.title,
                f"{c.reference} 第 {p.instalment.sequence} 期于 {p.paid_on} 支付，付款条件"
                f"（{p.instalment.get_gate_display()}）{'尚未达成' if not p.instalment.gate_opened_at else '在其后才达成'}。",
                f"/contracts/{c.pk}/",
                c.unit_id,
                c.period_start.year,
            )
        )
    return flags


def _evaluation_flags(now: dt.datetime) -> list[Flag]:
    from caidan.evaluations.models import Evaluation

    today = timezone.localtime(now).date()
    return [
        Flag(
            "evaluation_overdue",
            e.contract.title,
            f"{e.get_stage_display()}应于 {e.due_on} 完成，尚未公布结果。",
            f"/evaluations/{e.pk}/",
            e.contract.unit_id,
            e.contract.period_start.year,
        )
        for e in Evaluation.objects.filter(status="open", due_on__lt=today).select_related(
            "contract"
        )
    ]


def integrity_flags(*, now: dt.datetime | None = None) -> list[Flag]:
    """Every flag raised by the current data."""
    now = now or timezone.now()
    return _tender_flags() + _contract_flags(now) + _evaluation_flags(now)


def flag_counts(flags: list[Flag]) -> dict[str, int]:
    """Aggregate counts for the public (no objects named)."""
    counts = Counter(f.code for f in flags)
    return {code: counts.get(code, 0) for code in LABELS}
