"""Who may do what in the registry."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register


def own_organization(actor, organization) -> bool:
    return actor.covers_organization(organization)


def authority_or_own(actor, organization) -> bool:
    return actor.has_role(Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN) or own_organization(
        actor, organization
    )


register(
    "orgs.manage",
    [Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN],
    description="维护社会组织登记、等级、信用与推荐目录",
)
register(
    "orgs.edit_own",
    [Role.PROVIDER, Role.HUB, Role.EVALUATOR],
    scope=own_organization,
    description="维护本机构资料",
)
register(
    "orgs.view_private",
    [Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN, Role.PROVIDER, Role.HUB, Role.EVALUATOR],
    scope=authority_or_own,
    description="查看未脱敏的联系人信息",
)
register(
    "orgs.check_eligibility",
    [Role.PURCHASER, Role.REGISTRATION_AUTHORITY, Role.PLATFORM_ADMIN, Role.COMMITTEE_MEMBER],
    description="查询承接主体资格",
)
