"""Who may ask, handle and see enquiries (DOMAIN.md §2).

* Residents (with a verified identity) and providers ask enquiries, suggestions and
  information requests; anyone, even anonymously, may make a supervision report.
* The officers of the handling unit (and above; platform admins everywhere) handle the
  unit's enquiries. A supervision report is handled only by officers *of* the handling unit
  (the finance bureau) who are not in the unit it concerns — a platform admin's
  jurisdiction-wide scope does not reach further for reports.
* Platform admins and auditors oversee: they see that every item exists (with the asker
  hidden), and the statistics.
* Who made a report is shown only to its handler (and to the reporter).
"""

from __future__ import annotations

from typing import Any

from caidan.accounts.models import Role, Unit
from caidan.accounts.permissions import can, register, unit_scope
from caidan.common.perms import Perm

from .subjects import related

HANDLER_ROLES = (Role.PURCHASER, Role.PLATFORM_ADMIN, Role.REGISTRATION_AUTHORITY)
ASKER_ROLES = (Role.RESIDENT, Role.PROVIDER, Role.HUB)
OVERSEER_ROLES = (Role.PLATFORM_ADMIN, Role.AUDITOR)


def _is_report(obj: Any) -> bool:
    return getattr(obj, "kind", None) == "report"


def handles(actor, obj) -> bool:
    """The actor's active membership covers the item (or the unit) for handling."""
    if isinstance(obj, Unit):
        return unit_scope(actor, obj)
    if _is_report(obj):
        mine = actor.unit
        return bool(
            mine is not None and mine.pk == obj.unit_id and not related(mine, obj.concerned_unit)
        )
    return unit_scope(actor, obj.unit)


def oversees(actor, obj) -> bool:
    if obj is None or isinstance(obj, Unit) or not _is_report(obj):
        return True
    return not related(actor.unit, obj.concerned_unit)


register(Perm.ENQUIRIES_ASK, ASKER_ROLES, description="提出咨询、建议或信息公开申请")
register(Perm.ENQUIRIES_REPORT, list(Role.values), description="实名举报")
register(
    Perm.ENQUIRIES_HANDLE,
    HANDLER_ROLES,
    scope=handles,
    description="办理本单位的咨询、建议、信息公开申请；财政部门办理举报",
)
register(
    Perm.ENQUIRIES_OVERSEE,
    OVERSEER_ROLES,
    scope=oversees,
    description="查看全部事项（不显示提出人）与统计",
)


def is_asker(actor, enquiry) -> bool:
    user = getattr(actor, "user", None)
    return bool(user is not None and enquiry.asker_user_id and enquiry.asker_user_id == user.pk)


def can_view(actor, enquiry) -> bool:
    return (
        is_asker(actor, enquiry)
        or can(actor, Perm.ENQUIRIES_HANDLE, enquiry)
        or can(actor, Perm.ENQUIRIES_OVERSEE, enquiry)
    )


def can_see_asker(actor, enquiry) -> bool:
    """Who asked: for a report only its handler (and the reporter); for the other kinds the
    officers handling it too. Overseers see that it exists, not who asked."""
    if is_asker(actor, enquiry):
        return True
    user = getattr(actor, "user", None)
    if enquiry.kind == "report":
        return bool(user is not None and enquiry.handler_id == user.pk)
    return can(actor, Perm.ENQUIRIES_HANDLE, enquiry)
