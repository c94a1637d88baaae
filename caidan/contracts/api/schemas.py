"""The contracts API's output schemas. Each reads the attributes of the object it is given —
a model, or ``AsSeen(model, …)`` where what the JSON holds depends on the reader (an
insider sees payment vouchers, report contents and signatories: ``affordances.full``;
``contract_seen`` and ``report_seen`` build those)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from ninja import Schema

from caidan.common.schemas import AsSeen, money_str
from caidan.documents.api import AttachmentOut
from caidan.documents.api import attachment_out as shared_attachment_out

from .. import selectors
from ..affordances import ContractAffordances, contract_affordances
from ..links import gate_records
from ..models import Contract, Report
from ..services.reports import fund_totals

# --- references ---------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str


class OrgRef(Schema):
    id: int
    name: str
    uscc: str


class TenderRef(Schema):
    id: int
    reference: str
    title: str


class ContractBriefOut(Schema):
    id: int
    reference: str
    title: str


# --- contracts ----------------------------------------------------------------------------------


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    unit: UnitRef
    organization: OrgRef
    tender: TenderRef
    amount: str
    period_start: dt.date
    period_end: dt.date
    year_index: int
    sign_due: dt.datetime
    signed_at: dt.datetime | None
    published_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_status_label(c) -> str:
        return c.get_status_display()

    @staticmethod
    def resolve_amount(c) -> str:
        return str(c.amount)

    @staticmethod
    def resolve_url(c) -> str:
        return f"/contracts/{c.pk}/"


def contract_rows_out(rows: list[dict]) -> list[dict]:
    """``ContractOut`` for ``selectors.contract_rows_for`` (``.values()`` rows): the dicts
    ninja would make of the models, without a model or a validation per row
    (docs/architecture.md, "Fast lists")."""
    statuses = {value: str(label) for value, label in Contract.Status.choices}
    return [
        {
            "id": r["id"],
            "reference": r["reference"],
            "title": r["title"],
            "status": r["status"],
            "status_label": statuses.get(r["status"], r["status"]),
            "unit": {"id": r["unit_id"], "name": r["unit__name"]},
            "organization": {
                "id": r["organization_id"],
                "name": r["organization__name"],
                "uscc": r["organization__uscc"],
            },
            "tender": {
                "id": r["tender_id"],
                "reference": r["tender__reference"],
                "title": r["tender__title"],
            },
            "amount": str(r["amount"]),
            "period_start": r["period_start"],
            "period_end": r["period_end"],
            "year_index": r["year_index"],
            "sign_due": r["sign_due"],
            "signed_at": r["signed_at"],
            "published_at": r["published_at"],
            "url": f"/contracts/{r['id']}/",
        }
        for r in rows
    ]


def _name(user) -> str | None:
    return user.get_full_name() if user is not None else None


class SigningOut(Schema):
    # Read from ``contract_seen(…)``.
    sign_due: dt.datetime
    purchaser_signed_at: dt.datetime | None
    provider_signed_at: dt.datetime | None
    purchaser_signed_by: str | None  # insiders only
    provider_signed_by: str | None  # insiders only
    signed_at: dt.datetime | None
    publish_due: dt.datetime | None
    published_at: dt.datetime | None
    blockers: list[str] | None  # the two parties only, while a draft

    @staticmethod
    def resolve_purchaser_signed_by(c) -> str | None:
        return _name(c.purchaser_signed_by) if c.affordances.full else None

    @staticmethod
    def resolve_provider_signed_by(c) -> str | None:
        return _name(c.provider_signed_by) if c.affordances.full else None

    @staticmethod
    def resolve_blockers(c) -> list[str] | None:
        return c.affordances.blockers if c.affordances.side else None


class InstalmentOut(Schema):
    # Read from ``instalment_seen(…)``.
    id: int
    contract_id: int
    sequence: int
    gate: str
    gate_label: str
    percent: int
    amount: str
    gate_open: bool
    gate_opened_at: dt.datetime | None
    gate_note: str  # what opened the gate: the signing, or the evaluation's stage, grade, total
    gate_evaluation_id: int | None  # the passed evaluation that opened a mid-term / final gate
    paid: bool
    paid_amount: str | None
    paid_on: dt.date | None
    voucher: str | None  # insiders only

    @staticmethod
    def resolve_gate_label(i) -> str:
        return i.get_gate_display()

    @staticmethod
    def resolve_amount(i) -> str:
        return str(i.amount)

    @staticmethod
    def resolve_gate_open(i) -> bool:
        return i.gate_opened_at is not None

    @staticmethod
    def resolve_gate_evaluation_id(i) -> int | None:
        return i.gate_records.get(i.gate) if i.gate_opened_at else None

    @staticmethod
    def resolve_paid(i) -> bool:
        return getattr(i, "payment", None) is not None

    @staticmethod
    def resolve_paid_amount(i) -> str | None:
        payment = getattr(i, "payment", None)
        return money_str(payment.amount) if payment else None

    @staticmethod
    def resolve_paid_on(i) -> dt.date | None:
        payment = getattr(i, "payment", None)
        return payment.paid_on if payment else None

    @staticmethod
    def resolve_voucher(i) -> str | None:
        payment = getattr(i, "payment", None)
        return payment.voucher if payment and i.full else None


def instalment_seen(instalment, *, full: bool, records: dict[str, int]) -> AsSeen:
    """``full``: the reader sees the whole record; ``records``: ``gate_records(contract)``."""
    return AsSeen(instalment, full=full, gate_records=records)


class FundLineOut(Schema):
    line: str
    budget: str
    spent: str


class FundTotalsOut(Schema):
    budget: str
    spent: str

    @staticmethod
    def resolve_budget(totals) -> str:
        return str(totals["budget"])

    @staticmethod
    def resolve_spent(totals) -> str:
        return str(totals["spent"])


class ReportOut(Schema):
    # Read from ``report_seen(…)``.
    id: int
    contract_id: int
    kind: str
    kind_label: str
    sequence: int
    due_on: dt.date
    status: str
    status_label: str
    late: bool
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    # insiders only (null for everyone else):
    summary: str | None
    fund_lines: list[FundLineOut] | None
    fund_totals: FundTotalsOut | None
    review_comment: str | None
    # a hub bundle's contract: what each member delivered (issue 21)
    part_outputs: list[dict[str, Any]] | None = None

    @staticmethod
    def resolve_kind_label(r) -> str:
        return r.get_kind_display()

    @staticmethod
    def resolve_status_label(r) -> str:
        return r.get_status_display()

    @staticmethod
    def resolve_late(r) -> bool:
        return r.is_late

    @staticmethod
    def resolve_summary(r) -> str | None:
        return r.summary if r.full else None

    @staticmethod
    def resolve_fund_lines(r) -> list | None:
        return list(r.fund_lines or []) if r.full else None

    @staticmethod
    def resolve_part_outputs(r) -> list | None:
        return list(r.part_outputs or []) if r.full else None

    @staticmethod
    def resolve_fund_totals(r) -> dict | None:
        return fund_totals(r.fund_lines) if r.full and r.fund_lines else None

    @staticmethod
    def resolve_review_comment(r) -> str | None:
        return r.review_comment if r.full else None


def report_seen(report: Report, *, full: bool, **extra: Any) -> AsSeen:
    return AsSeen(report, full=full, **extra)


class AmendmentOut(Schema):
    id: int
    contract_id: int
    version: int
    changes: dict[str, list[Any]]  # field: [old, new]
    rationale: str
    created_at: dt.datetime


class ContractDetailOut(ContractOut):
    # Read from ``contract_seen(…)``.
    version: int
    award_id: int
    proposal_id: int
    service_content: str
    quantity: str
    quality_standards: str
    settlement_method: str
    acceptance_criteria: str
    rights_obligations: str
    breach_liability: str
    performance_security: str
    indicators: list[dict[str, Any]]
    budget_lines: list[dict[str, Any]]
    payment_split: list[int]
    renewal_intent: bool
    renewal_years: int
    renews_id: int | None
    ended_at: dt.datetime | None
    termination_kind: str
    termination_reason: str
    settlement: str
    signing: SigningOut
    instalments: list[InstalmentOut]
    reports: list[ReportOut]
    amendments: list[AmendmentOut]
    my_side: str | None  # "purchaser" / "provider" when the caller is a party
    pdf_url: str

    @staticmethod
    def resolve_performance_security(c) -> str:
        return str(c.performance_security)

    @staticmethod
    def resolve_indicators(c) -> list:
        return list(c.indicators or [])

    @staticmethod
    def resolve_budget_lines(c) -> list:
        return list(c.budget_lines or [])

    @staticmethod
    def resolve_payment_split(c) -> list:
        return list(c.payment_split or [])

    @staticmethod
    def resolve_signing(c):
        return c

    @staticmethod
    def resolve_my_side(c) -> str | None:
        return c.affordances.side

    @staticmethod
    def resolve_pdf_url(c) -> str:
        return reverse("api:contract_pdf", kwargs={"contract_id": c.pk})


def contract_seen(actor, contract: Contract) -> AsSeen:
    """``contract`` as ``actor`` sees it, with its payment plan, reports and amendments."""
    affordances: ContractAffordances = contract_affordances(actor, contract)
    records = gate_records(contract)
    return AsSeen(
        contract,
        affordances=affordances,
        instalments=[
            instalment_seen(i, full=affordances.full, records=records)
            for i in selectors.instalments_of(contract)
        ],
        reports=[report_seen(r, full=affordances.full) for r in selectors.reports_of(contract)],
        amendments=selectors.amendments_of(contract),
    )


# --- reports in full ------------------------------------------------------------------------------


def attachment_out(d) -> dict:
    return shared_attachment_out(
        d,
        url=reverse(
            "api:contract_report_attachment",
            kwargs={"report_id": int(d.target_id), "document_id": d.pk},
        ),
    )


class ReportDetailOut(ReportOut):
    # Read from ``report_detail_seen(…)``: for insiders only (the caller checks).
    contract: ContractBriefOut
    attachments: list[AttachmentOut]


def report_detail_seen(report: Report) -> AsSeen:
    return report_seen(
        report,
        full=True,
        attachments=[attachment_out(d) for d in selectors.report_documents(report)],
    )


# --- the parties' overdue items -------------------------------------------------------------------


class OverdueReportOut(Schema):
    id: int
    contract: ContractBriefOut
    kind: str
    kind_label: str
    due_on: dt.date
    status: str
    days_late: int

    @staticmethod
    def resolve_kind_label(r) -> str:
        return r.get_kind_display()

    @staticmethod
    def resolve_days_late(r) -> int:
        return (timezone.localdate() - r.due_on).days


class OverdueInstalmentOut(Schema):
    id: int
    contract: ContractBriefOut
    sequence: int
    gate_label: str
    amount: str
    gate_opened_at: dt.datetime

    @staticmethod
    def resolve_gate_label(i) -> str:
        return i.get_gate_display()

    @staticmethod
    def resolve_amount(i) -> str:
        return str(i.amount)


class OverdueContractOut(ContractBriefOut):
    sign_due: dt.datetime


class OverdueOut(Schema):
    unsigned: list[OverdueContractOut]
    reports: list[OverdueReportOut]
    instalments: list[OverdueInstalmentOut]


# --- history ------------------------------------------------------------------------------------


class HistoryOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor_label: str
    actor_role: str
    old: Any
    new: Any
    note: str

    @staticmethod
    def resolve_kind_label(e) -> str:
        return str(e.get_kind_display())
