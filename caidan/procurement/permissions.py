"""Who may do what in procurement. Sealing is not a permission: ``sealing.open_key`` refuses
everyone, the system included, before the deadline."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm
from caidan.documents.targets import register_target


def manages_tender(actor, tender) -> bool:
    """The purchasing unit's officers (or officers of a unit above it)."""
    return actor.has_role(Role.PURCHASER) and actor.covers_unit(tender.unit)


def can_see_tender(actor, tender) -> bool:
    """Published tenders are public; drafts only for the purchaser, admin and auditors."""
    if tender.is_public:
        return True
    if manages_tender(actor, tender):
        return True
    return actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR)


def on_panel(actor, tender) -> bool:
    user = actor.user
    return bool(
        user is not None
        and tender.panel.filter(expert__user=user, status__in=["drawn", "active"]).exists()
    )


register(
    Perm.PROCUREMENT_CREATE,
    [Role.PURCHASER],
    scope=lambda actor, proposal: actor.covers_unit(proposal.unit),
    description="为本单位已立项项目发起采购",
)
register(
    Perm.PROCUREMENT_MANAGE,
    [Role.PURCHASER],
    scope=manages_tender,
    description="编制、发布、修改采购文件，答疑，抽取专家，确定中标，答复质疑",
)
register(
    Perm.PROCUREMENT_VIEW,
    list(Role.values),
    scope=can_see_tender,
    description="查看采购项目",
)
register(
    Perm.PROCUREMENT_APPROVE_METHOD_CHANGE,
    [Role.PLATFORM_ADMIN],
    description="批准废标后变更采购方式",
)
register(
    Perm.PROCUREMENT_BID,
    [Role.PROVIDER, Role.HUB],
    scope=lambda actor, org: actor.covers_organization(org),
    description="以本组织名义投标、提问、质疑",
)
register(
    Perm.PROCUREMENT_MANAGE_EXPERTS,
    [Role.PLATFORM_ADMIN],
    description="管理评审专家库",
)
register(
    Perm.PROCUREMENT_SCORE,
    [Role.EXPERT],
    scope=on_panel,
    description="评审专家声明利害关系并评分",
)
register(
    Perm.PROCUREMENT_OVERSEE,
    [Role.PLATFORM_ADMIN, Role.AUDITOR],
    description="查看全部采购记录（开标后）",
)
register(
    Perm.PROCUREMENT_REVOKE_AWARD,
    [Role.PLATFORM_ADMIN],
    description="财政部门处理投诉：认定中标结果无效、责令重新采购（政府采购法 §56，94号令 §32）",
)

# Tender documents (采购文件) are public; only the purchaser who manages the tender attaches
# them, through tender_document_add (a late one is an amendment).
register_target(
    "procurement.tender",
    model="procurement.Tender",
    perm=Perm.PROCUREMENT_MANAGE,
    publish_perm=Perm.PROCUREMENT_MANAGE,
    route="POST /api/v1/procurement/tenders/{id}/documents",
    label="采购项目",
)
