"""Who may do what with contracts."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm
from caidan.documents.targets import register_target


def purchaser_of(actor, contract) -> bool:
    return actor.has_role(Role.PURCHASER) and actor.covers_unit(contract.unit)


def provider_of(actor, contract) -> bool:
    return actor.has_role(Role.PROVIDER, Role.HUB) and actor.covers_organization(
        contract.organization
    )


def party_to(actor, contract) -> bool:
    return purchaser_of(actor, contract) or provider_of(actor, contract)


def can_see_contract(actor, contract) -> bool:
    """Signed contracts are public (redacted); drafts only for the two parties, the
    platform admin and auditors."""
    if contract.is_public or party_to(actor, contract):
        return True
    return actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR)


register(
    Perm.CONTRACTS_MANAGE,
    [Role.PURCHASER],
    scope=purchaser_of,
    description="起草、修改、终止合同，记录付款，审核报告",
)
register(
    Perm.CONTRACTS_PERFORM,
    [Role.PROVIDER, Role.HUB],
    scope=provider_of,
    description="承接主体签订合同、提交报告",
)
register(
    Perm.CONTRACTS_SIGN,
    [Role.PURCHASER, Role.PROVIDER, Role.HUB],
    scope=party_to,
    description="签订合同（甲乙双方）",
)
register(Perm.CONTRACTS_VIEW, list(Role.values), scope=can_see_contract, description="查看合同")
register(
    Perm.CONTRACTS_LEDGER,
    [Role.PURCHASER, Role.PLATFORM_ADMIN, Role.AUDITOR],
    description="资金台账：采购人看本单位及下级单位的合同，财政局（平台管理员）和审计看辖区全部",
)
register(Perm.CONTRACTS_OVERSEE, [Role.PLATFORM_ADMIN, Role.AUDITOR], description="查看全部合同")

# Report attachments: the provider performing the contract adds them (report_attach); they
# are for the purchaser's review, never public.
register_target(
    "contracts.report",
    model="contracts.Report",
    perm=Perm.CONTRACTS_PERFORM,
    perm_object=lambda report: report.contract,
    route="POST /api/v1/contracts/reports/{id}/attachments",
    label="履约报告",
)
