"""Who may do what in evaluation and audit."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register


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


register("evaluations.manage_templates", [Role.PLATFORM_ADMIN], description="维护绩效指标模板")
register(
    "evaluations.commission",
    [Role.PURCHASER],
    scope=purchaser_of,
    description="委托第三方评估、调整指标体系、安排评价、调查和听证、给出购买方评分",
)
register(
    "evaluations.evaluate",
    [Role.EVALUATOR],
    scope=appointed_evaluator,
    description="受托第三方评估机构评分并提交评价",
)
register(
    "evaluations.assess_orgs",
    [Role.EVALUATOR],
    scope=lambda actor, org: actor.organization is not None and actor.organization.is_evaluator,
    description="开展社会组织规范化评估",
)
register(
    "evaluations.confirm_assessments",
    [Role.REGISTRATION_AUTHORITY],
    description="确认规范化评估结果并登记等级",
)
register("evaluations.audit", [Role.AUDITOR], description="制定审计计划、记录审计发现、整改销号")
register(
    "evaluations.respond",
    [Role.PROVIDER, Role.HUB],
    scope=provider_of,
    description="承接主体报送整改情况",
)
