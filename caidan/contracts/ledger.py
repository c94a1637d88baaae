"""The money view (资金台账, issue 19 §4): every contract with its instalments — amount,
gate, gate state, paid, unpaid and days overdue — with totals, for a purchaser (its units'
contracts) and for the finance bureau (the platform admin) and auditors (all of them).

Reads only. Days overdue follow the rule the reminders enforce
(``services.reminders``): an instalment is due ``PAY_WITHIN_DAYS`` days after its gate
opened, and is overdue once that has passed unpaid on a contract in performance.

Queries: a page is one query for the contracts (keyset on ``-id``), one for their
instalments with payments, one for their funding sources, and one for the totals of the
whole filtered set, whatever the page size. Each filter has an index: unit
(``contract_unit_status``), provider (``contract_org``), year (the proposal's
``proposal_year_status``, joined by the contract's ``proposal_id``), funding source
(``funding_unique_source`` on (proposal, source), an ``EXISTS``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.projects.models import FundingSource, ProposalFunding

from . import permissions  # noqa: F401 - registers the rules
from .models import Contract, ContractStatus, Instalment
from .services.reminders import PAY_WITHIN_DAYS

ZERO = Decimal("0.00")
PAGE_SIZE = 25
EXPORT_BATCH = 500
EXPORT_MAX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows


@dataclass(frozen=True)
class LedgerFilter:
    year: int | None = None
    unit_id: int | None = None
    organization_id: int | None = None
    source: str = ""

    def as_query(self) -> dict[str, str]:
        out = {}
        if self.year:
            out["year"] = str(self.year)
        if self.unit_id:
            out["unit"] = str(self.unit_id)
        if self.organization_id:
            out["provider"] = str(self.organization_id)
        if self.source:
            out["source"] = self.source
        return out


def _whole(params: Mapping[str, Any], name: str, low: int, high: int, rule: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise field_error(
            name, _("%(rule)s：“%(raw)s”不是整数。") % {"rule": rule, "raw": raw}
        ) from None
    if not low <= value <= high:
        raise field_error(
            name,
            _("%(rule)s：应在 %(low)s 到 %(high)s 之间。")
            % {"rule": rule, "low": low, "high": high},
        )
    return value


def ledger_filter_parse(params: Mapping[str, Any]) -> LedgerFilter:
    """The filters from a query string: ``year``, ``unit``, ``provider`` (ids) and
    ``source`` (a funding source); a bad value is refused naming its field."""
    source = str(params.get("source") or "").strip()
    if source and source not in FundingSource.values:
        raise field_error(
            "source",
            _("资金来源“%(source)s”无效，应为 %(join)s 之一。")
            % {"source": source, "join": "、".join(FundingSource.values)},
        )
    return LedgerFilter(
        year=_whole(params, "year", 2000, 2100, "预算年度"),
        unit_id=_whole(params, "unit", 1, 2**63 - 1, "购买主体编号"),
        organization_id=_whole(params, "provider", 1, 2**63 - 1, "承接主体编号"),
        source=source,
    )


def ledger_scope(actor) -> QuerySet[Contract]:
    """The contracts of ``actor``'s ledger (cancelled drafts left out): a purchaser's units
    and those below; the finance bureau (platform admin) and auditors: all."""
    require(actor, Perm.CONTRACTS_LEDGER)
    qs = Contract.objects.exclude(status=ContractStatus.CANCELLED)
    if actor.has_role(Role.PURCHASER):
        if actor.unit is None:
            return qs.none()
        qs = qs.filter(unit__path__startswith=actor.unit.path)
    return qs


def ledger_contracts(actor, f: LedgerFilter) -> QuerySet[Contract]:
    qs = ledger_scope(actor)
    if f.year:
        qs = qs.filter(proposal__year=f.year)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.organization_id:
        qs = qs.filter(organization_id=f.organization_id)
    if f.source:
        qs = qs.filter(
            Exists(
                ProposalFunding.objects.filter(proposal=OuterRef("proposal_id"), source=f.source)
            )
        )
    return qs


# --- one instalment's state --------------------------------------------------------------------


def pay_due_at(gate_opened_at: dt.datetime | None) -> dt.datetime | None:
    """When an instalment whose gate opened must be paid (the reminders' rule)."""
    if gate_opened_at is None:
        return None
    return gate_opened_at + dt.timedelta(days=PAY_WITHIN_DAYS)


def days_overdue(
    *, gate_opened_at: dt.datetime | None, paid: bool, active: bool, now: dt.datetime
) -> int:
    """Whole days (at least 1) an unpaid instalment of a running contract is past its payment
    deadline; 0 when it is not overdue."""
    due = pay_due_at(gate_opened_at)
    if paid or not active or due is None or now <= due:
        return 0
    return max(1, (timezone.localtime(now).date() - timezone.localtime(due).date()).days)


@dataclass
class LedgerInstalment:
    id: int
    sequence: int
    gate: str
    gate_label: str
    percent: int
    amount: Decimal
    gate_opened_at: dt.datetime | None
    pay_due: dt.datetime | None
    paid_on: dt.date | None
    paid_amount: Decimal
    unpaid: Decimal
    days_overdue: int
    payable: bool  # gate open, unpaid, contract running: may be paid now

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass
class LedgerRow:
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    unit_id: int
    unit_name: str
    organization_id: int
    organization_name: str
    year: int
    sources: list[str]
    amount: Decimal
    instalments: list[LedgerInstalment] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((i.paid_amount for i in self.instalments), ZERO)

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid

    @property
    def overdue_amount(self) -> Decimal:
        return sum((i.unpaid for i in self.instalments if i.overdue), ZERO)

    @property
    def days_overdue(self) -> int:
        return max((i.days_overdue for i in self.instalments), default=0)


CONTRACT_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "unit_id",
    "unit__name",
    "organization_id",
    "organization__name",
    "proposal_id",
    "proposal__year",
    "amount",
)
INSTALMENT_FIELDS = (
    "id",
    "contract_id",
    "sequence",
    "gate",
    "percent",
    "amount",
    "gate_opened_at",
    "payment__paid_on",
    "payment__amount",
)


def _rows(contracts: list[dict], now: dt.datetime) -> list[LedgerRow]:
    """Ledger rows for ``contracts`` (value dicts): two queries, whatever their number."""
    if not contracts:
        return []
    ids = [c["id"] for c in contracts]
    sources: dict[int, list[str]] = {}
    for proposal_id, source in (
        ProposalFunding.objects.filter(proposal_id__in={c["proposal_id"] for c in contracts})
        .order_by("proposal_id", "source")
        .values_list("proposal_id", "source")
    ):
        sources.setdefault(proposal_id, []).append(str(FundingSource(source).label))
    rows = {
        c["id"]: LedgerRow(
            id=c["id"],
            reference=c["reference"],
            title=c["title"],
            status=c["status"],
            status_label=str(ContractStatus(c["status"]).label),
            unit_id=c["unit_id"],
            unit_name=c["unit__name"],
            organization_id=c["organization_id"],
            organization_name=c["organization__name"],
            year=c["proposal__year"],
            sources=sources.get(c["proposal_id"], []),
            amount=c["amount"],
        )
        for c in contracts
    }
    gates = dict(Instalment.Gate.choices)
    for i in (
        Instalment.objects.filter(contract_id__in=ids)
        .order_by("contract_id", "sequence")
        .values(*INSTALMENT_FIELDS)
    ):
        row = rows[i["contract_id"]]
        active = row.status == ContractStatus.ACTIVE
        paid = i["payment__paid_on"] is not None
        paid_amount = i["payment__amount"] if paid else ZERO
        row.instalments.append(
            LedgerInstalment(
                id=i["id"],
                sequence=i["sequence"],
                gate=i["gate"],
                gate_label=str(gates.get(i["gate"], i["gate"])),
                percent=i["percent"],
                amount=i["amount"],
                gate_opened_at=i["gate_opened_at"],
                pay_due=pay_due_at(i["gate_opened_at"]),
                paid_on=i["payment__paid_on"],
                paid_amount=paid_amount,
                unpaid=i["amount"] - paid_amount,
                days_overdue=days_overdue(
                    gate_opened_at=i["gate_opened_at"], paid=paid, active=active, now=now
                ),
                payable=active and not paid and i["gate_opened_at"] is not None,
            )
        )
    return [rows[pk] for pk in ids]


def ledger_totals(qs: QuerySet[Contract], now: dt.datetime) -> dict[str, Any]:
    """Totals of the whole filtered set, in one query over its instalments."""
    overdue = Q(
        payment__isnull=True,
        contract__status=ContractStatus.ACTIVE,
        gate_opened_at__lt=now - dt.timedelta(days=PAY_WITHIN_DAYS),
    )
    agg = Instalment.objects.filter(contract__in=qs.values("id")).aggregate(
        total_amount=Sum("amount"),
        total_paid=Sum("payment__amount"),
        total_overdue=Sum("amount", filter=overdue),
    )
    amount = _cents(agg["total_amount"])
    paid = _cents(agg["total_paid"])
    return {
        "amount": amount,
        "paid": paid,
        "unpaid": amount - paid,
        "overdue": _cents(agg["total_overdue"]),
    }


def _cents(value) -> Decimal:
    """A sum as money to the fen (SQLite sums ``800000.00`` to ``800000``)."""
    return (Decimal(value) if value is not None else ZERO).quantize(Decimal("0.01"))


@dataclass
class Ledger:
    page: Page
    totals: dict[str, Any]
    filter: LedgerFilter


def ledger_for(
    *,
    actor,
    f: LedgerFilter,
    cursor: str | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> Ledger:
    """One page of the ledger (newest contract first) and the totals of the filtered set."""
    now = now or timezone.now()
    qs = ledger_contracts(actor, f)
    page = keyset_paginate(
        qs.values(*CONTRACT_FIELDS), ordering=("-id",), cursor=cursor, limit=limit or PAGE_SIZE
    )
    page.items = _rows(page.items, now)
    return Ledger(page=page, totals=ledger_totals(qs, now), filter=f)


def ledger_choices(actor) -> dict[str, list[tuple[Any, str]]]:
    """What the filters offer: the units and providers of the actor's ledger (two queries)."""
    from caidan.accounts.models import Unit
    from caidan.orgs.models import Organization

    scope = ledger_scope(actor)
    units = Unit.objects.filter(pk__in=scope.values("unit_id")).order_by("path")
    orgs = Organization.objects.filter(pk__in=scope.values("organization_id")).order_by("name")
    return {
        "units": list(units.values_list("pk", "name")[:500]),
        "providers": list(orgs.values_list("pk", "name")[:500]),
        "sources": list(FundingSource.choices),
    }


# --- Excel ---------------------------------------------------------------------------------------

EXPORT_HEADERS = (
    "合同编号",
    "合同名称",
    "购买主体",
    "承接主体",
    "预算年度",
    "资金来源",
    "合同状态",
    "合同金额（元）",
    "期次",
    "付款条件",
    "比例（%）",
    "本期金额（元）",
    "条件达成时间",
    "应付款期限",
    "支付日期",
    "已付金额（元）",
    "未付金额（元）",
    "逾期天数",
)


def _local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}" if value else ""


def ledger_export_rows(actor, f: LedgerFilter, *, now: dt.datetime) -> Iterator[list[Any]]:
    """One row per instalment of the filtered ledger, in batches of ``EXPORT_BATCH``
    contracts (three queries a batch), then the totals row."""
    qs = ledger_contracts(actor, f).values(*CONTRACT_FIELDS).order_by("-id")
    last = None
    while True:
        batch = list((qs.filter(id__lt=last) if last else qs)[:EXPORT_BATCH])
        if not batch:
            break
        last = batch[-1]["id"]
        for row in _rows(batch, now):
            for i in row.instalments:
                yield [
                    row.reference,
                    row.title,
                    row.unit_name,
                    row.organization_name,
                    row.year,
                    "、".join(row.sources),
                    row.status_label,
                    float(row.amount),
                    i.sequence,
                    i.gate_label,
                    i.percent,
                    float(i.amount),
                    _local(i.gate_opened_at),
                    _local(i.pay_due),
                    i.paid_on.isoformat() if i.paid_on else "",
                    float(i.paid_amount),
                    float(i.unpaid),
                    i.days_overdue,
                ]
    totals = ledger_totals(ledger_contracts(actor, f), now)
    yield [
        "合计",
        "",
        "",
        "",
        "",
        "",
        "",
        float(totals["amount"]),
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        float(totals["paid"]),
        float(totals["unpaid"]),
        f"逾期未付 {totals['overdue']} 元",
    ]


def ledger_xlsx(actor, f: LedgerFilter, *, now: dt.datetime | None = None) -> IO[bytes]:
    """The filtered ledger as an Excel workbook in an anonymous temporary file, rewound:
    openpyxl's write-only mode writes the rows as they come; the caller sends it from disk."""
    from caidan.common.xlsx import save_workbook

    ledger_scope(actor)  # the permission, before any file is made
    now = now or timezone.now()
    rows = ledger_export_rows(actor, f, now=now)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the response closes it
    try:
        save_workbook(out, "资金台账", EXPORT_HEADERS, islice(rows, EXPORT_MAX_ROWS))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def overdue_count(actor, *, now: dt.datetime | None = None) -> int:
    """How many instalments of the actor's ledger are overdue (the dashboard's flag): one
    query, on the reminders' rule."""
    now = now or timezone.now()
    return Instalment.objects.filter(
        contract__in=ledger_scope(actor).values("id"),
        contract__status=ContractStatus.ACTIVE,
        payment__isnull=True,
        gate_opened_at__lt=now - dt.timedelta(days=PAY_WITHIN_DAYS),
    ).count()
