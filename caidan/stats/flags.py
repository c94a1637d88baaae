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
from django.utils.translation import gettext_lazy as _

from caidan.common.money import format_yuan

NEAR_BUDGET = Decimal("0.98")
DOMINANT_SHARE = Decimal("0.5")
DOMINANT_MIN = 3

LABELS = {
    "single_bid": _("仅一家有效投标"),
    "minimum_period": _("投标期限仅达法定最低"),
    "price_near_budget": _("中标价接近预算（≥98%）"),
    "dominant_provider": _("同一承接主体拿下多数合同"),
    "signed_late": _("合同逾期签订"),
    "evaluation_overdue": _("绩效评价逾期"),
    "paid_before_gate": _("付款早于付款条件达成"),
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
                    _("%(reference)s 开标时仅 1 家有效投标。") % {"reference": t.reference},
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
                    _(
                        "%(reference)s 公告 %(localtime)s 至截止 %(localtime_2)s，不足 %(value)s 日（法定最低 %(days)s 日）。"
                    )
                    % {
                        "reference": t.reference,
                        "localtime": format(timezone.localtime(t.published_at), "%Y-%m-%d %H:%M"),
                        "localtime_2": format(timezone.localtime(t.deadline), "%Y-%m-%d %H:%M"),
                        "value": days + 1,
                        "days": days,
                    },
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
                    _("中标金额 %(amount)s 为预算 %(budget)s 的 %(share)s%%。")
                    % {
                        "amount": format_yuan(a.amount),
                        "budget": format_yuan(a.tender.budget),
                        "share": share,
                    },
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
                _("%(reference)s 应于 %(localtime)s 前签订，实际 %(localtime_2)s 签订。")
                % {
                    "reference": c.reference,
                    "localtime": format(timezone.localtime(c.sign_due), "%Y-%m-%d"),
                    "localtime_2": format(timezone.localtime(c.signed_at), "%Y-%m-%d"),
                },
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
                    _("%(year)s 年该购买主体 %(total)s 份合同中有 %(n)s 份由“%(name)s”承接。")
                    % {"year": year, "total": total, "n": n, "name": org.name},
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
                (
                    _(
                        "%(reference)s 第 %(sequence)s 期于 %(paid_on)s 支付，付款条件（%(gate)s）尚未达成。"
                    )
                    if not p.instalment.gate_opened_at
                    else _(
                        "%(reference)s 第 %(sequence)s 期于 %(paid_on)s 支付，付款条件（%(gate)s）在其后才达成。"
                    )
                )
                % {
                    "reference": c.reference,
                    "sequence": p.instalment.sequence,
                    "paid_on": p.paid_on,
                    "gate": p.instalment.get_gate_display(),
                },
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
            _("%(get_stage_display)s应于 %(due_on)s 完成，尚未公布结果。")
            % {"get_stage_display": e.get_stage_display(), "due_on": e.due_on},
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
