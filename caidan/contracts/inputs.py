"""Contracts' inputs (``caidan.common.inputs``): a contract's terms (drafting from an award,
editing a draft, a supplementary agreement), the provider's report with its fund-usage
lines, a payment.

Built from the API schema, the form's ``cleaned_data`` or keywords. The terms are checked
one by one here; the rules of the whole contract (the required clauses, the sum within the
award, one year of service, the security's cap, the renewal years) need the award and the
jurisdiction's settings and stay in ``services.terms.validate_contract``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from caidan.common.errors import field_error
from caidan.common.inputs import Input, Money, RequiredText, rule
from caidan.jurisdiction.registry import SPECS_BY_KEY

MAX_TEXT = 20000


def _split(value: Any) -> list[int]:
    """[first, second, final] percentages within seed 001's bounds (first 50 %, second
    30–40 %, the balance the rest)."""
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ValueError(_("分期付款比例须为三期（签约 / 中期 / 终期）。"))
    try:
        values = [int(v) for v in value]
    except (TypeError, ValueError):
        raise ValueError(_("分期付款比例须为整数百分比。")) from None
    SPECS_BY_KEY["payment_split"].check(
        {"first": values[0], "second": values[1], "final": values[2]}
    )  # refuses naming payment_split
    return values


PaymentSplit = Annotated[list[int], BeforeValidator(_split)]


def _not_negative(amount: Decimal) -> Decimal:
    if amount < 0:
        raise rule(_("不能为负数。"))
    return amount


# An amount in yuan, to the fen, not negative.
Amount = Annotated[Money, AfterValidator(_not_negative)]


class BudgetLine(Input):
    """One line of the contract's budget (预算明细): a budget line (科目) and its amount; the
    lines add up to the contract's amount (``services.terms.validate_contract``)."""

    line: RequiredText(100, title=gettext_noop("预算科目名称"))
    amount: Amount = Field(title=gettext_noop("预算金额"))

    def as_json(self) -> dict[str, str]:
        return {"line": self.line, "amount": str(self.amount)}


class ContractTermsInput(Input):
    """Any subset of a contract's terms: what is given is checked, what is omitted keeps its
    default (drafting) or its value (an edit, an amendment). A term given as null is refused:
    to leave it as it is, omit it."""

    title: str | None = Field(default=None, max_length=200, title=gettext_noop("合同名称"))
    service_content: str | None = Field(default=None, title=gettext_noop("服务内容"))
    period_start: dt.date | None = Field(default=None, title=gettext_noop("服务期开始"))
    period_end: dt.date | None = Field(default=None, title=gettext_noop("服务期结束"))
    quantity: str | None = Field(default=None, title=gettext_noop("服务数量"))
    quality_standards: str | None = Field(default=None, title=gettext_noop("服务质量要求"))
    amount: Money | None = Field(default=None, title=gettext_noop("合同金额"))
    settlement_method: str | None = Field(default=None, title=gettext_noop("资金结算方式"))
    acceptance_criteria: str | None = Field(default=None, title=gettext_noop("验收标准"))
    rights_obligations: str | None = Field(default=None, title=gettext_noop("双方的权利义务"))
    breach_liability: str | None = Field(default=None, title=gettext_noop("违约责任"))
    performance_security: Money | None = Field(default=None, title=gettext_noop("履约保证金"))
    indicators: list[dict[str, Any]] | None = Field(default=None, title=gettext_noop("绩效指标"))
    budget_lines: list[BudgetLine] | None = Field(default=None, title=gettext_noop("预算明细"))
    payment_split: PaymentSplit | None = Field(default=None, title=gettext_noop("分期付款比例"))
    renewal_intent: bool | None = Field(default=None, title=gettext_noop("续签意向"))
    renewal_years: int | None = Field(default=None, title=gettext_noop("意向续签总年限"))

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        for key, value in dict(data).items() if isinstance(data, dict) else ():
            if value is None and key in cls.model_fields:
                raise field_error(key, _("该字段不能为空（不修改请省略该字段）。"))
        return data

    def given(self) -> dict[str, Any]:
        """The terms given, in the order of the fields, as typed values (the budget lines as
        the contract stores them)."""
        out = {k: getattr(self, k) for k in type(self).model_fields if k in self.model_fields_set}
        if "budget_lines" in out:
            out["budget_lines"] = [line.as_json() for line in out["budget_lines"]]
        return out


# --- reports -------------------------------------------------------------------------------------


class FundLine(Input):
    """One line of the fund-usage statement: a budget line, budgeted and spent."""

    line: RequiredText(100, title=gettext_noop("预算科目名称"))
    budget: Amount = Field(title=gettext_noop("预算金额"))
    spent: Amount = Field(title=gettext_noop("已支出金额"))

    def as_json(self) -> dict[str, str]:
        return {"line": self.line, "budget": str(self.budget), "spent": str(self.spent)}


class PartOutput(Input):
    """What one member of a hub bundle delivered in the period (issue 21)."""

    part: int = Field(title=gettext_noop("成员部分"))
    output: RequiredText(MAX_TEXT, title=gettext_noop("该成员完成的产出"))


class ReportInput(Input):
    """The provider's report: what was done, and (a mid-term report must have it) the
    fund-usage statement."""

    summary: RequiredText(MAX_TEXT, title=gettext_noop("报告内容"))
    fund_lines: list[FundLine] = Field(default_factory=list, title=gettext_noop("资金使用明细"))
    part_outputs: list[PartOutput] = Field(
        default_factory=list, title=gettext_noop("各成员完成情况")
    )

    @model_validator(mode="before")
    @classmethod
    def _lines(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("fund_lines", "part_outputs"):
                if key in data and data.get(key) is None:
                    data = {k: v for k, v in data.items() if k != key}  # none given
        return data

    def fund_rows(self) -> list[dict[str, str]]:
        return [row.as_json() for row in self.fund_lines]


# --- payments ------------------------------------------------------------------------------------


class PaymentInput(Input):
    """The payment of one instalment; without ``amount``, the instalment's own."""

    paid_on: dt.date = Field(title=gettext_noop("支付日期"))
    voucher: RequiredText(64, title=gettext_noop("支付凭证号"))
    amount: Annotated[Money | None, BeforeValidator(lambda v: None if v == "" else v)] = Field(
        default=None, title=gettext_noop("支付金额")
    )
