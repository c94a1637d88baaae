"""The money view (资金台账) and the contracts' bulk actions (issue 19 §4, §6).

``GET /my/ledger``: the filtered ledger, a page of contracts with their instalments and the
totals of the whole filtered set; ``GET /my/ledger.xlsx``: the same as Excel. A purchaser sees
its units' contracts, the finance bureau (platform admin) and auditors all.

``POST /bulk/payments`` and ``POST /bulk/report-acceptances``: each item through the
single-item service in its own transaction; the answer (200) lists per item ``ok`` or the
refusal (``code``, ``message``, ``detail``), with how many were done and refused."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from django.utils import timezone
from ninja import Schema

from caidan.accounts.permissions import require
from caidan.common.bulk import bulk_ids, bulk_summary
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, BulkOut
from caidan.common.xlsx import XLSX_MIME

from .. import ledger as money
from ..services import bulk
from .routing import router


class LedgerInstalmentOut(Schema):
    id: int
    sequence: int
    gate: str
    gate_label: str
    percent: int
    amount: str
    gate_passed: bool
    gate_opened_at: dt.datetime | None
    pay_due: dt.datetime | None
    paid_on: dt.date | None
    paid_amount: str
    unpaid: str
    days_overdue: int
    payable: bool


class LedgerContractOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    unit_id: int
    unit_name: str
    organization_id: int
    organization_name: str
    year: int
    sources: list[str]
    amount: str
    paid: str
    unpaid: str
    overdue: str
    days_overdue: int
    instalments: list[LedgerInstalmentOut]


class LedgerTotalsOut(Schema):
    amount: str
    paid: str
    unpaid: str
    overdue: str


class LedgerOut(Schema):
    items: list[LedgerContractOut]
    next_cursor: str | None
    limit: int
    totals: LedgerTotalsOut


def _instalment(i: money.LedgerInstalment) -> dict:
    return {
        "id": i.id,
        "sequence": i.sequence,
        "gate": i.gate,
        "gate_label": i.gate_label,
        "percent": i.percent,
        "amount": str(i.amount),
        "gate_passed": i.gate_opened_at is not None,
        "gate_opened_at": i.gate_opened_at,
        "pay_due": i.pay_due,
        "paid_on": i.paid_on,
        "paid_amount": str(i.paid_amount),
        "unpaid": str(i.unpaid),
        "days_overdue": i.days_overdue,
        "payable": i.payable,
    }


def _contract(c: money.LedgerRow) -> dict:
    return {
        "id": c.id,
        "reference": c.reference,
        "title": c.title,
        "status": c.status,
        "unit_id": c.unit_id,
        "unit_name": c.unit_name,
        "organization_id": c.organization_id,
        "organization_name": c.organization_name,
        "year": c.year,
        "sources": c.sources,
        "amount": str(c.amount),
        "paid": str(c.paid),
        "unpaid": str(c.unpaid),
        "overdue": str(c.overdue_amount),
        "days_overdue": c.days_overdue,
        "instalments": [_instalment(i) for i in c.instalments],
    }


@router.get(
    "/my/ledger",
    response={200: LedgerOut, **ERRORS},
    summary="资金台账：每份合同的分期付款、已付、未付、逾期天数及合计",
    description=(
        "筛选：year（预算年度）、unit（购买主体编号）、provider（承接主体编号）、source（资金来源："
        "fiscal / welfare_lottery / social / special）。采购人看本单位及下级单位的合同，"
        "财政局（平台管理员）和审计看全部。合计为全部筛选结果的合计，不只是本页。"
        "付款条件达成后 15 日内未支付的计为逾期。"
    ),
)
def ledger(
    request,
    year: str = "",
    unit: str = "",
    provider: str = "",
    source: str = "",
    cursor: str | None = None,
    limit: int = money.PAGE_SIZE,
):
    actor = request.auth
    f = money.ledger_filter_parse(
        {"year": year, "unit": unit, "provider": provider, "source": source}
    )
    result = money.ledger_for(actor=actor, f=f, cursor=cursor, limit=limit)
    return {
        "items": [_contract(c) for c in result.page.items],
        "next_cursor": result.page.next_cursor,
        "limit": result.page.limit,
        "totals": {k: str(v) for k, v in result.totals.items()},
    }


@router.get(
    "/my/ledger.xlsx",
    response={200: None, **ERRORS},
    summary="导出资金台账（Excel，每期一行，末行合计）",
)
def ledger_xlsx(request, year: str = "", unit: str = "", provider: str = "", source: str = ""):
    actor = request.auth
    f = money.ledger_filter_parse(
        {"year": year, "unit": unit, "provider": provider, "source": source}
    )
    return FileResponse(
        money.ledger_xlsx(actor, f),
        content_type=XLSX_MIME,
        as_attachment=True,
        filename=f"caidan-ledger-{timezone.localdate():%Y%m%d}.xlsx",
    )


class BulkPaymentsIn(Schema):
    instalment_ids: list[int | str]
    paid_on: dt.date
    voucher: str = ""


@router.post(
    "/bulk/payments",
    response={200: BulkOut, **ERRORS},
    summary="批量记录付款：逐期校验（付款条件已达成、未付、本单位合同）并分别记录",
)
def bulk_payments(request, payload: BulkPaymentsIn):
    actor = request.auth
    require(actor, Perm.CONTRACTS_MANAGE)
    ids = bulk_ids(payload.instalment_ids, field_name="instalment_ids")
    return bulk_summary(
        bulk.payments_record_bulk(
            ids=ids, paid_on=payload.paid_on, voucher=payload.voucher, actor=actor
        )
    )


class BulkAcceptIn(Schema):
    report_ids: list[int | str]
    comment: str = ""


@router.post(
    "/bulk/report-acceptances",
    response={200: BulkOut, **ERRORS},
    summary="批量通过报告：逐份审核通过（须已提交、本单位合同）",
)
def bulk_accept_reports(request, payload: BulkAcceptIn):
    actor = request.auth
    require(actor, Perm.CONTRACTS_MANAGE)
    ids = bulk_ids(payload.report_ids, field_name="report_ids")
    return bulk_summary(bulk.reports_accept_bulk(ids=ids, comment=payload.comment, actor=actor))
