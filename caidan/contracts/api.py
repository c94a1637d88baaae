"""API: contracts made from awards, their signing, amendments and ending, the staged payment
plan with its gates, and the provider's reports (DOMAIN.md §3.5, §4.1). Mounted at
``/api/v1/contracts``.

Thin handlers: parse → one service (writes) or selector (reads) → schema. Money is a string
("800000.00"), dates and times are ISO 8601.

Who sees what: signed contracts are public (terms, parties, the payment plan and which
instalments are paid, the reports owed and whether they are late, amendments). Drafts exist
only for the two parties, the platform admin and auditors (404 for everyone else). Payment
vouchers, report contents, signatories' names and the full PDF are for those "insiders"
too; signing blockers for the two parties.

Payment gates: the first opens at signing; the second and third open only when the mid-term
and the final evaluation pass (published 中 or better, ``/api/v1/evaluations``). Each
instalment's ``gate_note`` and ``gate_evaluation_id`` say what opened it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status, UploadedFile

from caidan.accounts.permissions import can, require
from caidan.audit.kinds import EventKind
from caidan.common.errors import DomainError, NotFound, field_error
from caidan.common.schemas import ERRORS, PageOut, money_str, page_response
from caidan.documents.api import AttachmentOut
from caidan.documents.api import attachment_out as shared_attachment_out

from . import selectors, services
from .models import Contract, Instalment, Report
from .permissions import party_to, provider_of, purchaser_of
from .services.reports import fund_totals

router = Router(tags=["contracts 合同管理"])


# --- helpers ------------------------------------------------------------------------------------


def _public_actor(request):
    from caidan.api import optional_actor

    return optional_actor(request)


def _insider(actor, contract: Contract) -> bool:
    """The two parties, the platform admin and auditors: they see the whole record."""
    return party_to(actor, contract) or can(actor, "contracts.oversee")


def _contract(actor, contract_id: int) -> Contract:
    return selectors.contract_get(pk=contract_id, actor=actor)


@contextmanager
def _prefixed(prefix: str, *, keep: frozenset[str] = frozenset()) -> Iterator[None]:
    """Report a service's field error under the path the client sent (``amount`` →
    ``changes.amount``)."""
    try:
        yield
    except DomainError as exc:
        field = exc.detail.get("field")
        if field and field not in keep:
            exc.detail = {**exc.detail, "field": prefix + field}
        raise


# --- schemas ------------------------------------------------------------------------------------


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


def contract_out(c: Contract) -> dict:
    return {
        "id": c.pk,
        "reference": c.reference,
        "title": c.title,
        "status": c.status,
        "status_label": c.get_status_display(),
        "unit": {"id": c.unit_id, "name": c.unit.name},
        "organization": {
            "id": c.organization_id,
            "name": c.organization.name,
            "uscc": c.organization.uscc,
        },
        "tender": {"id": c.tender_id, "reference": c.tender.reference, "title": c.tender.title},
        "amount": str(c.amount),
        "period_start": c.period_start,
        "period_end": c.period_end,
        "year_index": c.year_index,
        "sign_due": c.sign_due,
        "signed_at": c.signed_at,
        "published_at": c.published_at,
        "url": f"/contracts/{c.pk}/",
    }


class SigningOut(Schema):
    sign_due: dt.datetime
    purchaser_signed_at: dt.datetime | None
    provider_signed_at: dt.datetime | None
    purchaser_signed_by: str | None  # insiders only
    provider_signed_by: str | None  # insiders only
    signed_at: dt.datetime | None
    publish_due: dt.datetime | None
    published_at: dt.datetime | None
    blockers: list[str] | None  # the two parties only, while a draft


class InstalmentOut(Schema):
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


def gate_evaluations(contract: Contract) -> dict[str, int]:
    """Which published, passed evaluation opens which gate (``{"midterm": id, "final": id}``):
    a passed mid-term evaluation opens the second instalment, a passed final one the third."""
    from caidan.evaluations.models import EvaluationStatus, Grade, Stage

    gates = {Stage.MID: "midterm", Stage.FINAL: "final"}
    rows = contract.evaluations.filter(
        status=EvaluationStatus.PUBLISHED,
        stage__in=list(gates),
        grade__in=[Grade.EXCELLENT, Grade.GOOD, Grade.FAIR],
    ).values_list("stage", "pk")
    return {gates[stage]: pk for stage, pk in rows}


def instalment_out(i: Instalment, *, insider: bool, opened_by: dict[str, int]) -> dict:
    """``opened_by``: ``gate_evaluations(contract)``."""
    payment = getattr(i, "payment", None)
    return {
        "id": i.pk,
        "contract_id": i.contract_id,
        "sequence": i.sequence,
        "gate": i.gate,
        "gate_label": i.get_gate_display(),
        "percent": i.percent,
        "amount": str(i.amount),
        "gate_open": i.gate_opened_at is not None,
        "gate_opened_at": i.gate_opened_at,
        "gate_note": i.gate_note,
        "gate_evaluation_id": opened_by.get(i.gate) if i.gate_opened_at else None,
        "paid": payment is not None,
        "paid_amount": money_str(payment.amount) if payment else None,
        "paid_on": payment.paid_on if payment else None,
        "voucher": payment.voucher if payment and insider else None,
    }


class FundLineOut(Schema):
    line: str
    budget: str
    spent: str


class FundTotalsOut(Schema):
    budget: str
    spent: str


class ReportOut(Schema):
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


def report_out(r: Report, *, insider: bool) -> dict:
    lines = list(r.fund_lines or []) if insider else None
    totals = fund_totals(lines) if lines else None
    return {
        "id": r.pk,
        "contract_id": r.contract_id,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "sequence": r.sequence,
        "due_on": r.due_on,
        "status": r.status,
        "status_label": r.get_status_display(),
        "late": r.is_late,
        "submitted_at": r.submitted_at,
        "reviewed_at": r.reviewed_at,
        "summary": r.summary if insider else None,
        "fund_lines": lines,
        "fund_totals": None
        if totals is None
        else {"budget": str(totals["budget"]), "spent": str(totals["spent"])},
        "review_comment": r.review_comment if insider else None,
    }


class AmendmentOut(Schema):
    id: int
    contract_id: int
    version: int
    changes: dict[str, list[Any]]  # field: [old, new]
    rationale: str
    created_at: dt.datetime


def amendment_out(a) -> dict:
    return {
        "id": a.pk,
        "contract_id": a.contract_id,
        "version": a.version,
        "changes": a.changes,
        "rationale": a.rationale,
        "created_at": a.created_at,
    }


class ContractDetailOut(ContractOut):
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


def _name(user) -> str | None:
    return user.get_full_name() if user is not None else None


def detail_out(c: Contract, actor) -> dict:
    insider = _insider(actor, c)
    opened_by = gate_evaluations(c)
    side = "purchaser" if purchaser_of(actor, c) else "provider" if provider_of(actor, c) else None
    blockers = None
    if side is not None:
        blockers = services.signing_blockers(c) if c.status == Contract.Status.DRAFT else []
    return {
        **contract_out(c),
        "version": c.version,
        "award_id": c.award_id,
        "proposal_id": c.proposal_id,
        "service_content": c.service_content,
        "quantity": c.quantity,
        "quality_standards": c.quality_standards,
        "settlement_method": c.settlement_method,
        "acceptance_criteria": c.acceptance_criteria,
        "rights_obligations": c.rights_obligations,
        "breach_liability": c.breach_liability,
        "performance_security": str(c.performance_security),
        "indicators": list(c.indicators or []),
        "payment_split": list(c.payment_split or []),
        "renewal_intent": c.renewal_intent,
        "renewal_years": c.renewal_years,
        "renews_id": c.renews_id,
        "ended_at": c.ended_at,
        "termination_kind": c.termination_kind,
        "termination_reason": c.termination_reason,
        "settlement": c.settlement,
        "signing": {
            "sign_due": c.sign_due,
            "purchaser_signed_at": c.purchaser_signed_at,
            "provider_signed_at": c.provider_signed_at,
            "purchaser_signed_by": _name(c.purchaser_signed_by) if insider else None,
            "provider_signed_by": _name(c.provider_signed_by) if insider else None,
            "signed_at": c.signed_at,
            "publish_due": c.publish_due,
            "published_at": c.published_at,
            "blockers": blockers,
        },
        "instalments": [
            instalment_out(i, insider=insider, opened_by=opened_by)
            for i in selectors.instalments_of(c)
        ],
        "reports": [report_out(r, insider=insider) for r in selectors.reports_of(c)],
        "amendments": [amendment_out(a) for a in selectors.amendments_of(c)],
        "my_side": side,
        "pdf_url": reverse("api:contract_pdf", kwargs={"contract_id": c.pk}),
    }


def _detail(actor, contract_id: int) -> dict:
    return detail_out(_contract(actor, contract_id), actor)


def attachment_out(d) -> dict:
    return shared_attachment_out(
        d,
        url=reverse(
            "api:contract_report_attachment",
            kwargs={"report_id": int(d.target_id), "document_id": d.pk},
        ),
    )


class ContractBriefOut(Schema):
    id: int
    reference: str
    title: str


class ReportDetailOut(ReportOut):
    contract: ContractBriefOut
    attachments: list[AttachmentOut]


def report_detail_out(r: Report) -> dict:
    """The full report: for insiders only (the caller checks)."""
    c = r.contract
    return {
        **report_out(r, insider=True),
        "contract": {"id": c.pk, "reference": c.reference, "title": c.title},
        "attachments": [attachment_out(d) for d in selectors.report_documents(r)],
    }


def _report_for_insider(actor, report_id: int) -> Report:
    """A report of a contract the actor may see; 403 unless a party, admin or auditor."""
    report = selectors.report_find(pk=report_id, actor=actor)
    if not _insider(actor, report.contract):
        require(actor, "contracts.oversee", report.contract)  # raises the usual 401 / 403
    return report


# --- public reads -------------------------------------------------------------------------------


class OverdueReportOut(Schema):
    id: int
    contract: ContractBriefOut
    kind: str
    kind_label: str
    due_on: dt.date
    status: str
    days_late: int


class OverdueInstalmentOut(Schema):
    id: int
    contract: ContractBriefOut
    sequence: int
    gate_label: str
    amount: str
    gate_opened_at: dt.datetime


class OverdueContractOut(ContractBriefOut):
    sign_due: dt.datetime


class OverdueOut(Schema):
    unsigned: list[OverdueContractOut]
    reports: list[OverdueReportOut]
    instalments: list[OverdueInstalmentOut]


def _brief(c: Contract) -> dict:
    return {"id": c.pk, "reference": c.reference, "title": c.title}


@router.get(
    "/my/overdue",
    response={200: OverdueOut, **ERRORS},
    summary="逾期事项（甲乙双方的工作台）",
    description=(
        "超过签订期限仍未签订的合同、已过应交日期未提交（或退回后未重交）的报告、"
        "付款条件已达成但尚未支付的分期款。采购人看本单位及下级单位的，承接主体看本组织的。"
    ),
)
def my_overdue(request):
    actor = request.auth
    require(actor, "contracts.sign")  # the parties' roles: purchaser, provider, hub
    today = timezone.localdate()
    late = selectors.overdue_for(actor)
    return {
        "unsigned": [{**_brief(c), "sign_due": c.sign_due} for c in late["unsigned"]],
        "reports": [
            {
                "id": r.pk,
                "contract": _brief(r.contract),
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "due_on": r.due_on,
                "status": r.status,
                "days_late": (today - r.due_on).days,
            }
            for r in late["reports"]
        ],
        "instalments": [
            {
                "id": i.pk,
                "contract": _brief(i.contract),
                "sequence": i.sequence,
                "gate_label": i.get_gate_display(),
                "amount": str(i.amount),
                "gate_opened_at": i.gate_opened_at,
            }
            for i in late["instalments"]
        ],
    }


@router.get(
    "",
    response={200: PageOut[ContractOut], **ERRORS},
    auth=None,
    summary="合同列表（公开已签订的合同；甲乙双方另见本方草稿）",
)
def list_contracts(
    request, status: str = "", search: str = "", cursor: str | None = None, limit: int = 20
):
    actor = _public_actor(request)
    page = selectors.contract_list_for(
        actor=actor, status=status, search=search, cursor=cursor, limit=limit
    )
    return page_response(page, contract_out)


@router.get(
    "/{contract_id}",
    response={200: ContractDetailOut, **ERRORS},
    auth=None,
    summary="合同详情（公开；付款凭证、报告内容、经办人仅甲乙双方、平台管理员和审计可见）",
)
def get_contract(request, contract_id: int):
    return _detail(_public_actor(request), contract_id)


@router.get(
    "/{contract_id}/pdf",
    response={**ERRORS},
    auth=None,
    url_name="contract_pdf",
    summary="合同文本（PDF）",
    description=(
        "公开版本隐去经办人等个人信息；甲乙双方、平台管理员和审计得到完整版本"
        "（加 ?redacted=true 取公开版本）。草稿仅对他们可见。"
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "合同 PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def contract_pdf(request, contract_id: int, redacted: bool = False):
    from .pdf import contract_pdf as render

    actor = _public_actor(request)
    contract = _contract(actor, contract_id)
    public = redacted or not _insider(actor, contract)
    response = HttpResponse(render(contract, public=public), content_type="application/pdf")
    suffix = "-public" if public else ""
    response["Content-Disposition"] = f'inline; filename="{contract.reference}{suffix}.pdf"'
    if not public:
        response["Cache-Control"] = "private, no-store"
    return response


# --- purchaser: drafting and the contract's life --------------------------------------------------


class ContractFields(Schema):
    """Any subset of a contract's terms; what is omitted keeps its default (or value).
    Money as strings ("80000.00"); the split as three whole percentages."""

    title: str | None = None
    service_content: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    quantity: str | None = None
    quality_standards: str | None = None
    amount: str | None = None
    settlement_method: str | None = None
    acceptance_criteria: str | None = None
    rights_obligations: str | None = None
    breach_liability: str | None = None
    performance_security: str | None = None
    indicators: list[dict[str, Any]] | None = None
    payment_split: list[int] | None = None
    renewal_intent: bool | None = None
    renewal_years: int | None = None


class ContractIn(ContractFields):
    award_id: int


def _terms(payload: ContractFields) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("award_id", None)
    for key, value in data.items():
        if value is None:
            raise field_error(key, "该字段不能为空（不修改请省略该字段）。")
    return data


@router.post("", response={201: ContractDetailOut, **ERRORS}, summary="根据中标结果起草合同")
def create_contract(request, payload: ContractIn):
    from caidan.procurement.models import Award

    actor = request.auth
    require(actor, "contracts.manage")
    terms = _terms(payload)
    award = (
        Award.objects.select_related("tender", "tender__unit").filter(pk=payload.award_id).first()
    )
    if award is None:
        raise field_error("award_id", "找不到该中标结果。")
    contract = services.contract_create(award=award, actor=actor, **terms)
    return Status(201, _detail(actor, contract.pk))


@router.patch(
    "/{contract_id}",
    response={200: ContractDetailOut, **ERRORS},
    summary="修改合同草稿（已给出的签字随之撤回）",
)
def update_contract(request, contract_id: int, payload: ContractFields):
    actor = request.auth
    services.contract_update(
        contract=_contract(actor, contract_id), changes=_terms(payload), actor=actor
    )
    return _detail(actor, contract_id)


class ReasonIn(Schema):
    reason: str = ""


@router.post(
    "/{contract_id}/cancel",
    response={200: ContractDetailOut, **ERRORS},
    summary="作废未签订的合同草稿",
)
def cancel_contract(request, contract_id: int, payload: ReasonIn):
    actor = request.auth
    services.contract_cancel(
        contract=_contract(actor, contract_id), reason=payload.reason, actor=actor
    )
    return _detail(actor, contract_id)


@router.post(
    "/{contract_id}/sign",
    response={200: ContractDetailOut, **ERRORS},
    summary="签订合同（甲乙双方各自签订；双方签订后生效并公开）",
)
def sign_contract(request, contract_id: int):
    actor = request.auth
    services.contract_sign(contract=_contract(actor, contract_id), actor=actor)
    return _detail(actor, contract_id)


class AmendIn(Schema):
    changes: ContractFields
    rationale: str = ""


@router.post(
    "/{contract_id}/amend",
    response={201: AmendmentOut, **ERRORS},
    summary="签订补充协议（合同新版本；已签订的原文保留）",
)
def amend_contract(request, contract_id: int, payload: AmendIn):
    actor = request.auth
    contract = _contract(actor, contract_id)
    with _prefixed("changes.", keep=frozenset({"rationale", "changes"})):
        changes = _terms(payload.changes)
        amendment = services.contract_amend(
            contract=contract, changes=changes, rationale=payload.rationale, actor=actor
        )
    return Status(201, amendment_out(amendment))


class TerminateIn(Schema):
    kind: str  # "breach" (乙方违约解除) or "agreement" (协商一致解除)
    reason: str = ""
    settlement: str = ""


@router.post(
    "/{contract_id}/terminate",
    response={200: ContractDetailOut, **ERRORS},
    summary="终止合同（违约解除或协商一致解除，写明理由和结算安排）",
)
def terminate_contract(request, contract_id: int, payload: TerminateIn):
    actor = request.auth
    services.contract_terminate(
        contract=_contract(actor, contract_id),
        kind=payload.kind,
        reason=payload.reason,
        settlement=payload.settlement,
        actor=actor,
    )
    return _detail(actor, contract_id)


@router.post(
    "/{contract_id}/renew",
    response={201: ContractDetailOut, **ERRORS},
    summary="续签下一年度合同（有续签意向的稳定服务，最长三年）",
)
def renew_contract(request, contract_id: int):
    actor = request.auth
    new = services.contract_renew(contract=_contract(actor, contract_id), actor=actor)
    return Status(201, _detail(actor, new.pk))


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


@router.get(
    "/{contract_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    summary="合同操作记录（甲乙双方、平台管理员、审计）",
)
def contract_history(request, contract_id: int):
    actor = request.auth
    contract = _contract(actor, contract_id)
    if not _insider(actor, contract):
        require(actor, "contracts.oversee")  # raises 403
    labels = dict(EventKind.choices)
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "kind_label": str(labels.get(e.kind, e.kind)),
            "at": e.at,
            "actor_label": e.actor_label,
            "actor_role": e.actor_role,
            "old": e.old,
            "new": e.new,
            "note": e.note,
        }
        for e in selectors.contract_history(contract, actor=actor)
    ]


# --- purchaser: payments -------------------------------------------------------------------------
# The mid-term and final gates open only through a passed evaluation
# (``caidan.evaluations.services.evaluations._effects``); there is no manual gate.


def _instalment_out(actor, instalment_id: int) -> dict:
    i = selectors.instalment_get(pk=instalment_id, actor=actor)
    return instalment_out(
        i, insider=_insider(actor, i.contract), opened_by=gate_evaluations(i.contract)
    )


class PaymentIn(Schema):
    paid_on: dt.date
    voucher: str = ""
    amount: str | None = None  # defaults to the instalment's amount (must equal it)


@router.post(
    "/instalments/{instalment_id}/payment",
    response={201: InstalmentOut, **ERRORS},
    summary="记录分期付款（付款条件达成后，每期一次，金额与该期相等）",
)
def record_payment(request, instalment_id: int, payload: PaymentIn):
    actor = request.auth
    services.payment_record(
        instalment=selectors.instalment_get(pk=instalment_id, actor=actor),
        paid_on=payload.paid_on,
        voucher=payload.voucher,
        amount=payload.amount,
        actor=actor,
    )
    return Status(201, _instalment_out(actor, instalment_id))


# --- reports ------------------------------------------------------------------------------------


@router.get(
    "/reports/{report_id}",
    response={200: ReportDetailOut, **ERRORS},
    summary="报告全文与附件（甲乙双方、平台管理员、审计）",
)
def get_report(request, report_id: int):
    return report_detail_out(_report_for_insider(request.auth, report_id))


class FundLineIn(Schema):
    line: str = ""
    budget: Any = ""  # a decimal string ("400000.00") or an integer; floats are refused
    spent: Any = ""


class ReportSubmitIn(Schema):
    summary: str = ""
    fund_lines: list[FundLineIn] | None = None


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportDetailOut, **ERRORS},
    summary="提交报告（中期报告须附资金使用情况，结项报告须先上传财务报表）",
)
def submit_report(request, report_id: int, payload: ReportSubmitIn):
    actor = request.auth
    lines = None if payload.fund_lines is None else [r.dict() for r in payload.fund_lines]
    services.report_submit(
        report=selectors.report_find(pk=report_id, actor=actor),
        summary=payload.summary,
        fund_lines=lines,
        actor=actor,
    )
    return report_detail_out(selectors.report_find(pk=report_id, actor=actor))


class ReviewIn(Schema):
    accept: bool
    comment: str = ""


@router.post(
    "/reports/{report_id}/review",
    response={200: ReportDetailOut, **ERRORS},
    summary="审核报告（通过，或写明意见退回修改）",
)
def review_report(request, report_id: int, payload: ReviewIn):
    actor = request.auth
    services.report_review(
        report=selectors.report_find(pk=report_id, actor=actor),
        accept=payload.accept,
        comment=payload.comment,
        actor=actor,
    )
    return report_detail_out(selectors.report_find(pk=report_id, actor=actor))


@router.post(
    "/reports/{report_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="为报告上传附件（财务报表、活动记录等）",
    description="multipart/form-data：file（文件）、description（说明）。附件不公开。",
)
def attach_to_report(
    request,
    report_id: int,
    file: File[UploadedFile] = None,
    description: Form[str] = "",
):
    actor = request.auth
    report = selectors.report_find(pk=report_id, actor=actor)
    require(actor, "contracts.perform", report.contract)
    if file is None:
        raise field_error("file", "请选择要上传的文件。")
    document = services.report_attach(
        report=report, file=file, description=description, actor=actor
    )
    return Status(201, attachment_out(document))


@router.get(
    "/reports/{report_id}/attachments/{document_id}",
    response={**ERRORS},
    url_name="contract_report_attachment",
    summary="下载报告附件（甲乙双方、平台管理员、审计）",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容（附件）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(request, report_id: int, document_id: int):
    from caidan.documents.responses import document_file_response

    report = _report_for_insider(request.auth, report_id)
    document = selectors.report_documents(report).filter(pk=document_id).first()
    if document is None:
        raise NotFound("附件不存在。")
    return document_file_response(document)


__all__ = ["router"]
