"""The proposal's input (``caidan.common.inputs``): what a purchaser or a provider drafts.

Built from the API schema, the form's ``cleaned_data`` or keywords; the checks that need
the database (the catalog item's version, a need's unit, the negative list) stay in the
service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import Field, model_validator

from caidan.common.errors import ValidationError, field_error
from caidan.common.inputs import (
    Choice,
    Choices,
    Input,
    NonNegativeInt,
    PositiveMoney,
    RequiredText,
    Text,
)
from caidan.common.money import format_yuan
from caidan.common.periods import max_period_end
from caidan.orgs.models import ServiceField
from caidan.projects.codes import Code

from .models import FundingSource, GradePolicy, ProcurementMethod, PurchaseMode

TARGET_GROUPS = [  # stored as written (Chinese); the form shows them translated
    gettext_noop("困难家庭"),
    gettext_noop("精神障碍者"),
    gettext_noop("残疾人"),
    gettext_noop("刑释人员"),
    gettext_noop("困难独居老人"),
    gettext_noop("特殊儿童"),
    gettext_noop("老年人"),
    gettext_noop("青少年"),
    gettext_noop("其他"),
]
MAX_YEARS = 3  # DOMAIN.md §4.3: ≤ 1 year, ≤ 3 years for stable, continuously funded services


class Indicator(Input):
    """An output or outcome indicator: a name and a positive target (with its unit)."""

    name: RequiredText(100, title=gettext_noop("指标名称"))
    target: Decimal = Field(gt=0, max_digits=14, decimal_places=4, title=gettext_noop("指标目标值"))
    unit: Text(20, title=gettext_noop("指标单位"))

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "target": str(self.target), "unit": self.unit}


class Funding(Input):
    """One funding source and its amount (to the fen)."""

    source: Choice(FundingSource, title=gettext_noop("资金来源"))
    amount: PositiveMoney = Field(title=gettext_noop("资金来源金额"))


def check_funding(budget: Decimal, funding: list[Funding]) -> None:
    """Sources known, positive, each once, and adding up to the budget to the fen."""
    if not funding:
        raise field_error(
            "funding", _("请填写资金来源（财政预算、福彩公益金、社会配套资金、专项资金）。")
        )
    seen = set()
    for i, row in enumerate(funding):
        if row.source in seen:
            raise field_error(
                f"funding.{i}.source",
                _("资金来源“%(label)s”重复。") % {"label": FundingSource(row.source).label},
            )
        seen.add(row.source)
    total = sum((row.amount for row in funding), Decimal("0.00"))
    if total != budget:
        raise ValidationError(
            _("资金来源合计 %(total)s 与项目预算 %(budget)s 不一致（须精确到分）。")
            % {"total": format_yuan(total), "budget": format_yuan(budget)},
            code=Code.FUNDING_MISMATCH,
            detail={"field": "funding", "total": str(total), "budget": str(budget)},
        )


def check_period(start: dt.date, end: dt.date, justification: str) -> None:
    """One year at most; up to three with a stated reason (财政部令第102号)."""
    if end <= start:
        raise field_error("period_end", _("服务期结束日期必须晚于开始日期。"))
    one_year = max_period_end(start, 1)  # the day before the anniversary (common/periods)
    if end <= one_year:
        return
    three_years = max_period_end(start, MAX_YEARS)
    if end > three_years:
        raise field_error(
            "period_end",
            _("服务期不得超过 3 年（至 %(three_years)s），财政部令第102号。")
            % {"three_years": three_years},
            code=Code.PERIOD_TOO_LONG,
        )
    if not (justification or "").strip():
        raise field_error(
            "stability_justification",
            _(
                "服务期超过 1 年（至 %(one_year)s）须说明需求稳定、持续资助的理由；一般合同期为一年。"
            )
            % {"one_year": one_year},
            code=Code.PERIOD_NEEDS_JUSTIFICATION,
        )


class ProposalInput(Input):
    title: RequiredText(200, title=gettext_noop("项目名称"))
    year: int | None = Field(default=None, ge=1900, le=2200, title=gettext_noop("预算年度"))
    catalog_item: Any = Field(title=gettext_noop("购买服务目录条目"))
    description: Text(20000, title=gettext_noop("项目内容"))
    service_targets: Text(5000, title=gettext_noop("服务对象"))
    target_groups: Choices(TARGET_GROUPS, title=gettext_noop("服务对象类别"))
    scale: NonNegativeInt = Field(default=0, title=gettext_noop("服务规模"))
    scale_unit: str = Field(default="人", max_length=20, title=gettext_noop("规模单位"))
    outputs: list[Indicator] = Field(default_factory=list, title=gettext_noop("产出指标"))
    outcomes: list[Indicator] = Field(default_factory=list, title=gettext_noop("效果指标"))
    budget: PositiveMoney = Field(title=gettext_noop("项目预算"))
    funding: list[Funding] = Field(default_factory=list, title=gettext_noop("资金来源"))
    period_start: dt.date = Field(title=gettext_noop("服务期开始日期"))
    period_end: dt.date = Field(title=gettext_noop("服务期结束日期"))
    stability_justification: Text(5000, title=gettext_noop("跨年度理由"))
    purchase_mode: Choice(PurchaseMode, title=gettext_noop("购买方式"))
    procurement_method: Choice(ProcurementMethod, title=gettext_noop("采购方式"))
    grade_policy: Choice(GradePolicy, title=gettext_noop("承接主体等级要求")) = (
        GradePolicy.PREFERRED
    )
    required_fields: Choices(ServiceField, title=gettext_noop("要求的服务领域"))
    require_experience: bool = Field(default=False, title=gettext_noop("要求项目实施经验"))
    needs: list[Any] = Field(default_factory=list, title=gettext_noop("居民需求"))
    menu_items: list[Any] = Field(default_factory=list, title=gettext_noop("菜单项"))

    @model_validator(mode="after")
    def _rules(self) -> ProposalInput:
        if self.catalog_item is None:
            raise field_error("catalog_item", _("请选择购买服务目录中的条目。"))
        check_funding(self.budget, self.funding)
        check_period(self.period_start, self.period_end, self.stability_justification)
        if self.year is None:
            object.__setattr__(self, "year", self.period_start.year)
        elif self.year != self.period_start.year:
            raise field_error("year", _("预算年度应与服务期开始的年份一致。"))
        post_mode = self.purchase_mode == PurchaseMode.POST
        post_method = self.procurement_method == ProcurementMethod.POST_PURCHASE
        if post_mode != post_method:
            raise field_error(
                "procurement_method", _("岗位购买方式须采用“岗位购买”采购方式，反之亦然。")
            )
        return self
