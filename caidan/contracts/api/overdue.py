"""What is late for a party: the purchaser's and the provider's dashboards."""

from __future__ import annotations

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS

from .. import selectors
from .routing import router
from .schemas import OverdueOut


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
    require(actor, Perm.CONTRACTS_SIGN)  # the parties' roles: purchaser, provider, hub
    return selectors.overdue_for(actor)
