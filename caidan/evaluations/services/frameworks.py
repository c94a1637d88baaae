"""Indicator frameworks (指标体系, 财预〔2020〕10号): templates, a project's copy adjusted
before its first evaluation and then frozen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.evaluations.codes import Code
from caidan.jurisdiction.selectors import setting_value

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import FrameworkInput, TemplateInput
from ..models import Framework

TEMPLATE_NAME = "政府购买服务项目绩效评价通用指标（财预〔2020〕10号）"

# Level-2/3 indicators as fractions of their parent's weight.
_TEMPLATE = [
    ("D", "决策", 1, None, "decision", "", None),
    ("D1", "项目立项（需求调研、立项程序）", 2, "D", "decision", "", Decimal("0.5")),
    ("D2", "绩效目标（明确、可衡量）", 2, "D", "decision", "", Decimal("0.5")),
    ("P", "过程", 1, None, "process", "", None),
    ("P1", "资金管理", 2, "P", "process", "", Decimal("0.5")),
    ("P1.1", "资金到位率", 3, "P1", "process", "fund_arrival", Decimal("0.5")),
    ("P1.2", "预算执行率", 3, "P1", "process", "budget_execution", Decimal("0.5")),
    ("P2", "组织实施（制度、人员、档案）", 2, "P", "process", "", Decimal("0.5")),
    ("O", "产出", 1, None, "output", "", None),
    ("O1", "产出数量（实际完成率）", 2, "O", "output", "completion", Decimal("0.5")),
    ("O2", "产出质量", 2, "O", "output", "", Decimal("0.25")),
    ("O3", "产出成本（成本节约率）", 2, "O", "output", "cost_saving", Decimal("0.25")),
    ("E", "效益", 1, None, "effect", "", None),
    ("E1", "社会效益", 2, "E", "effect", "", Decimal("0.5")),
    ("E2", "满意度（服务对象满意度调查）", 2, "E", "effect", "satisfaction", Decimal("0.5")),
]
_LEVEL1_KEYS = {"decision": "决策", "process": "过程", "output": "产出", "effect": "效益"}


def template_indicators() -> list[dict[str, Any]]:
    """The general template with the jurisdiction's level-1 weights (setting
    ``evaluation_weights``, default 20 / 20 / 40 / 20)."""
    weights = setting_value("evaluation_weights")
    out: dict[str, dict[str, Any]] = {}
    for code, name, level, parent, category, computed, share in _TEMPLATE:
        if level == 1:
            weight = Decimal(weights[_LEVEL1_KEYS[category]])
        else:
            weight = (Decimal(out[parent]["weight"]) * share).quantize(Decimal("0.01"))
        out[code] = {
            "code": code,
            "name": name,
            "level": level,
            "parent": parent,
            "weight": str(weight),
            "category": category,
            "computed": computed,
            "target": "",
        }
    return list(out.values())


def leaves(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parents = {i["parent"] for i in indicators if i["parent"]}
    return [i for i in indicators if i["code"] not in parents]


def default_template(actor: Actor | None = None) -> Framework:
    template = Framework.objects.filter(is_template=True, name=TEMPLATE_NAME).first()
    if template is None:
        with transaction.atomic():
            template = Framework.objects.create(
                name=TEMPLATE_NAME, is_template=True, indicators=template_indicators()
            )
            audit_record(
                kind=EventKind.FRAMEWORK_CREATED,
                actor=actor,
                target=template,
                new={"name": template.name},
            )
    return template


def template_save(*, data: TemplateInput, actor: Actor, template: Framework | None = None):
    """The platform admin creates or edits a template."""
    require(actor, Perm.EVALUATIONS_MANAGE_TEMPLATES)
    rows = data.rows()
    with transaction.atomic():
        if template is None:
            template = Framework.objects.create(
                name=data.name, is_template=True, indicators=rows, created_by=user_of(actor)
            )
            kind = EventKind.FRAMEWORK_CREATED
        else:
            template = Framework.objects.select_for_update().get(pk=template.pk, is_template=True)
            template.name, template.indicators = data.name, rows
            template.save(update_fields=["name", "indicators"])
            kind = EventKind.FRAMEWORK_UPDATED
        audit_record(kind=kind, actor=actor, target=template, new={"name": template.name})
    return template


def framework_for_contract(
    *, contract, actor: Actor, template: Framework | None = None
) -> Framework:
    """The project's framework: copied from a template (the general one by default)."""
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    with transaction.atomic():
        existing = Framework.objects.filter(contract=contract).first()
        if existing is not None:
            return existing
        source = template or default_template(actor)
        if not source.is_template:
            raise field_error("template", _("只能从指标模板复制。"))
        framework = Framework.objects.create(
            name=f"{contract.title}绩效指标",
            contract=contract,
            indicators=[dict(i) for i in source.indicators],
            created_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.FRAMEWORK_CREATED,
            actor=actor,
            target=framework,
            new={"contract": contract.pk, "template": source.pk},
        )
    return framework


def framework_update(*, framework: Framework, data: FrameworkInput, actor: Actor) -> Framework:
    """Adjust a project's framework before its first evaluation (then it is frozen)."""
    if framework.contract_id is None:
        raise Conflict(_("模板请在指标模板管理中修改。"))
    require(actor, Perm.EVALUATIONS_COMMISSION, framework.contract)
    rows = data.rows()
    with transaction.atomic():
        f = Framework.objects.select_for_update().get(pk=framework.pk)
        if f.frozen_at:
            raise Conflict(_("首次评价已开始，指标体系已冻结，不能再调整。"), code=Code.FROZEN)
        old = f.indicators
        f.indicators = rows
        f.save(update_fields=["indicators"])
        audit_record(
            kind=EventKind.FRAMEWORK_UPDATED,
            actor=actor,
            target=f,
            old={"indicators": old},
            new={"indicators": rows},
        )
    return f


def framework_freeze(framework: Framework) -> None:
    if framework.frozen_at is None:
        framework.frozen_at = timezone.now()
        framework.save(update_fields=["frozen_at"])
