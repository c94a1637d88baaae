"""Who may file, handle and see complaints (投诉).

* ``complaints.file``: the providers (and hubs) acting for the organization that challenged.
* ``complaints.handle``: the finance department, i.e. the platform admins (DOMAIN.md §2).
* ``complaints.view``: the complainant, the purchaser of the tender (its unit's officers),
  the finance department and auditors; anyone once the decision is published.
"""

from __future__ import annotations

from caidan.accounts.models import Role
from caidan.accounts.permissions import can, register
from caidan.common.perms import Perm

FILER_ROLES = (Role.PROVIDER, Role.HUB)


def _files_for(actor, organization) -> bool:
    return organization is None or actor.covers_organization(organization)


def _views(actor, complaint) -> bool:
    if complaint is None:
        return True
    if complaint.published_at is not None:
        return True
    if actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR):
        return True
    if actor.has_role(*FILER_ROLES):
        return actor.covers_organization(complaint.organization)
    if actor.has_role(Role.PURCHASER):
        return actor.covers_unit(complaint.tender.unit)
    return False


register(
    Perm.COMPLAINTS_FILE,
    FILER_ROLES,
    scope=_files_for,
    description="质疑供应商对答复不满意或逾期未答复的，向财政部门投诉（政府采购法 §55）",
)
register(
    Perm.COMPLAINTS_HANDLE,
    [Role.PLATFORM_ADMIN],
    description="财政部门受理、暂停采购、处理投诉（政府采购法 §56–57，94号令）",
)
register(
    Perm.COMPLAINTS_VIEW,
    list(Role.values),
    scope=_views,
    description="查看投诉：投诉人、被投诉项目的采购人、财政部门、审计；处理决定公告后公开",
)


def can_view(actor, complaint) -> bool:
    return complaint.published_at is not None or can(actor, Perm.COMPLAINTS_VIEW, complaint)
