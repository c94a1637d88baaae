"""Renewals: next year's contract of a stable service with a renewal intent."""

from __future__ import annotations

from ninja import Status

from caidan.common.schemas import ERRORS

from .. import services
from .contracts import contract_for, detail
from .routing import router
from .schemas import ContractDetailOut


@router.post(
    "/{contract_id}/renew",
    response={201: ContractDetailOut, **ERRORS},
    summary="续签下一年度合同（有续签意向的稳定服务，最长三年）",
)
def renew_contract(request, contract_id: int):
    actor = request.auth
    new = services.contract_renew(contract=contract_for(actor, contract_id), actor=actor)
    return Status(201, detail(actor, new.pk))
