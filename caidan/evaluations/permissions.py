"""Who may do what in evaluation and audit."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm


def appointed_evaluator(actor, contract) -> bool:
    appointment = getattr(contract, "evaluator_appointment", None)
    return (
        actor.has_role(Role.EVALUATOR)
        and appointment is not None
        and actor.covers_organization(appointment.organization)
    )


def purchaser_of(actor, contract) -> bool:
    return actor.has_role(Role.PURCHASER) and actor.covers_unit(contract.unit)


def provider_of(actor, contract) -> bool:
    return actor.has_role(Role.PROVIDER, Role.HUB) and actor.covers_organization(
        contract.organization
    )


register(Perm.EVALUATIONS_MANAGE_TEMPLATES, [Role.PLATFORM_ADMIN], description="维护绩效指标模板")
register(
    Perm.EVALUATIONS_COMMISSION,
    [Role.PURCHASER],
    scope=purchaser_of,
    description="委托第三方评估、调整指标体系、安排评价、调查和听证、给出购买方评分",
)
register(
    Perm.EVALUATIONS_EVALUATE,
    [Role.EVALUATOR],
    scope=appointed_evaluator,
    description="受托第三方评估机构评分并提交评价",
)
register(
    Perm.EVALUATIONS_ASSESS_ORGS,
    [Role.EVALUATOR],
    scope=lambda actor, org: actor.organization is not None and actor.organization.is_evaluator,
    description="开展社会组织规范化评估",
)
register(
    Perm.EVALUATIONS_CONFIRM_ASSESSMENTS,
    [Role.REGISTRATION_AUTHORITY],
    description="确认规范化评估结果并登记等级",
)
register(Perm.EVALUATIONS_AUDIT, [Role.AUDITOR], description="制定审计计划、记录审计发现、整改销号")
register(
    Perm.EVALUATIONS_RESPOND,
    [Role.PROVIDER, Role.HUB],
    scope=provider_of,
    description="承接主体报送整改情况",
)
register(
    Perm.EVALUATIONS_IMPORT_PAPER_SURVEYS,
    [Role.PURCHASER, Role.COMMUNITY_WORKER],
    scope=lambda actor, contract: actor.covers_unit(contract.unit),
    description="导入纸质满意度答卷（本单位及下级的合同）",
)
