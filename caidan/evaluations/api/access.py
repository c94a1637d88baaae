"""What every evaluations handler needs first: ids that can exist, the contract or the
evaluation the caller may know of, and who may do what (401 for visitors, then 403)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.common.codes import Common
from caidan.common.errors import NotAuthenticated, NotFound, PermissionDenied, field_error
from caidan.contracts import selectors as contract_selectors
from caidan.contracts.models import Contract

from .. import selectors
from ..models import Evaluation

MAX_ID = 2**63


def path_id(value: int) -> int:
    """A path's object id; 404 for a number no row can have (never a database overflow)."""
    if not 0 < value < MAX_ID:
        raise NotFound(_("对象不存在。"))
    return value


def body_id(value: int | None, field: str, message: str) -> int:
    if value is None or not 0 < value < MAX_ID:
        raise field_error(field, message)
    return value


def contract_for(actor, contract_id: int) -> Contract:
    """A contract the actor may know of (drafts: 404 for outsiders)."""
    return contract_selectors.contract_get_for(actor=actor, contract_id=path_id(contract_id))


def evaluation_for(actor, evaluation_id: int) -> Evaluation:
    return selectors.evaluation_get_for(
        actor=actor, evaluation_id=path_id(evaluation_id), conceal=True
    )


def require_insider(actor, contract: Contract) -> None:
    """401 for visitors; 403 unless the purchaser, the appointed evaluator, the provider, the
    platform admin or an auditor."""
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    if not selectors.sees_evaluation_work(actor, contract):
        raise PermissionDenied(
            _("只有项目的购买方、受托评估机构、承接主体、平台管理员和审计可以查看。")
        )


def require_roles(actor, *roles: str) -> None:
    """401 for visitors; 403 unless the actor's active role is one of ``roles``."""
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    if not actor.has_role(*roles):
        allowed = "、".join(str(Role(r).label) for r in roles)
        raise PermissionDenied(
            _("当前角色无权进行此操作（需要：%(allowed)s）。") % {"allowed": allowed},
            code=Common.PERMISSION_DENIED,
            detail={"required_roles": sorted(roles)},
        )
