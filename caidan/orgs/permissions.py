"""Who may do what in the registry."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm


def own_organization(actor, organization) -> bool:
    return actor.covers_organization(organization)


def authority_or_own(actor, organization) -> bool:
    return actor.has_role(Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN) or own_organization(
        actor, organization
    )


register(
    Perm.ORGS_MANAGE,
    [Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN],
    description="维护社会组织登记、等级、信用与推荐目录",
)
register(
    Perm.ORGS_EDIT_OWN,
    [Role.PROVIDER, Role.HUB, Role.EVALUATOR],
    scope=own_organization,
    description="维护本机构资料",
)
register(
    Perm.ORGS_VIEW_PRIVATE,
    [Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN, Role.PROVIDER, Role.HUB, Role.EVALUATOR],
    scope=authority_or_own,
    description="查看未脱敏的联系人信息",
)
register(
    Perm.ORGS_CHECK_ELIGIBILITY,
    [Role.PURCHASER, Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN, Role.COMMITTEE_MEMBER],
    description="查询承接主体资格",
)
