"""Contracts: the public list and record, the PDF, drafting from an award, the draft's
changes, cancelling and signing, supplementary agreements, termination and the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.api_auth import optional_actor
from caidan.accounts.permissions import require
from caidan.common.errors import DomainError, field_error
from caidan.common.fast_lists import json_page
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, AsSeen, PageOut

from .. import selectors, services
from ..inputs import ContractTermsInput
from ..models import Contract
from .routing import router
from .schemas import (
    AmendmentOut,
    ContractDetailOut,
    ContractOut,
    HistoryOut,
    contract_rows_out,
    contract_seen,
)


def contract_for(actor, contract_id: int) -> Contract:
    return selectors.contract_get_for(actor=actor, contract_id=contract_id)


def detail(actor, contract_id: int) -> AsSeen:
    """The contract as ``actor`` sees it (``ContractDetailOut``)."""
    return contract_seen(actor, contract_for(actor, contract_id))


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


# --- public reads -------------------------------------------------------------------------------


@router.get(
    "",
    response={200: PageOut[ContractOut], **ERRORS},
    auth=None,
    summary="合同列表（公开已签订的合同；甲乙双方另见本方草稿）",
)
def list_contracts(
    request, status: str = "", search: str = "", cursor: str | None = None, limit: int = 20
):
    page = selectors.contract_rows_for(
        actor=optional_actor(request), status=status, search=search, cursor=cursor, limit=limit
    )
    return json_page(page, contract_rows_out(page.items))


@router.get(
    "/{contract_id}",
    response={200: ContractDetailOut, **ERRORS},
    auth=None,
    summary="合同详情（公开；付款凭证、报告内容、经办人仅甲乙双方、平台管理员和审计可见）",
)
def get_contract(request, contract_id: int):
    return detail(optional_actor(request), contract_id)


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
    from ..pdf import contract_pdf as render_pdf

    actor = optional_actor(request)
    contract = contract_for(actor, contract_id)
    public = redacted or not selectors.sees_full_contract(actor, contract)
    response = HttpResponse(render_pdf(contract, public=public), content_type="application/pdf")
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
    budget_lines: list[dict[str, Any]] | None = None  # [{"line": "人员费", "amount": "1000.00"}]
    payment_split: list[int] | None = None
    renewal_intent: bool | None = None
    renewal_years: int | None = None


class ContractIn(ContractFields):
    award_id: int


def _terms(payload: ContractFields) -> dict[str, Any]:
    """The terms the client sent (a term sent as null is refused by the input)."""
    return payload.dict(exclude_unset=True, exclude={"award_id"})


@router.post("", response={201: ContractDetailOut, **ERRORS}, summary="根据中标结果起草合同")
def create_contract(request, payload: ContractIn):
    actor = request.auth
    require(actor, Perm.CONTRACTS_MANAGE)
    data = ContractTermsInput.parse(_terms(payload))
    award = selectors.award_find(award_id=payload.award_id)
    if award is None:
        raise field_error("award_id", _("找不到该中标结果。"))
    contract = services.contract_create(award=award, actor=actor, data=data)
    return Status(201, detail(actor, contract.pk))


@router.patch(
    "/{contract_id}",
    response={200: ContractDetailOut, **ERRORS},
    summary="修改合同草稿（已给出的签字随之撤回）",
)
def update_contract(request, contract_id: int, payload: ContractFields):
    actor = request.auth
    services.contract_update(
        contract=contract_for(actor, contract_id), changes=_terms(payload), actor=actor
    )
    return detail(actor, contract_id)


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
        contract=contract_for(actor, contract_id), reason=payload.reason, actor=actor
    )
    return detail(actor, contract_id)


@router.post(
    "/{contract_id}/sign",
    response={200: ContractDetailOut, **ERRORS},
    summary="签订合同（甲乙双方各自签订；双方签订后生效并公开）",
)
def sign_contract(request, contract_id: int):
    actor = request.auth
    services.contract_sign(contract=contract_for(actor, contract_id), actor=actor)
    return detail(actor, contract_id)


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
    contract = contract_for(actor, contract_id)
    with _prefixed("changes.", keep=frozenset({"rationale", "changes"})):
        changes = _terms(payload.changes)
        amendment = services.contract_amend(
            contract=contract, changes=changes, rationale=payload.rationale, actor=actor
        )
    return Status(201, amendment)


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
        contract=contract_for(actor, contract_id),
        kind=payload.kind,
        reason=payload.reason,
        settlement=payload.settlement,
        actor=actor,
    )
    return detail(actor, contract_id)


@router.get(
    "/{contract_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    summary="合同操作记录（甲乙双方、平台管理员、审计）",
)
def contract_history(request, contract_id: int):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    if not selectors.sees_full_contract(actor, contract):
        require(actor, Perm.CONTRACTS_OVERSEE)  # raises 403
    return selectors.contract_history(contract, actor=actor)


class ContractPartOut(Schema):
    id: int
    position: int
    organization_id: int
    organization_name: str
    title: str
    amount: str
    proposal_id: int | None


@router.get(
    "/{contract_id}/parts",
    response={200: list[ContractPartOut], **ERRORS},
    auth=None,
    summary="枢纽打包项目合同：各成员组织承担的部分及金额（公开如合同）",
)
def contract_parts(request, contract_id: int):
    c = selectors.contract_get_for(actor=optional_actor(request), contract_id=contract_id)
    return [
        {
            "id": p.pk,
            "position": p.position,
            "organization_id": p.organization_id,
            "organization_name": p.organization.name,
            "title": p.title,
            "amount": str(p.amount),
            "proposal_id": p.proposal_id,
        }
        for p in selectors.parts_of(c)
    ]
