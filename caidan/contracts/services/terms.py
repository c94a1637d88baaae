"""A contract's terms: the clauses every contract must have, their defaults, the payment
split and the rules a draft, an amendment or a renewal is checked against."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.common.errors import field_error
from caidan.common.money import cap_amount, format_yuan, within_cap
from caidan.common.periods import max_period_end
from caidan.jurisdiction.selectors import setting_value

from ..models import TERM_FIELDS, Contract, Gate

MAX_YEARS = 3  # DOMAIN.md §4.3
GATES = (Gate.SIGNATURE, Gate.MIDTERM, Gate.FINAL)
REQUIRED_TEXT = {
    "service_content": "服务内容",
    "quality_standards": "服务质量要求",
    "settlement_method": "资金结算方式",
    "acceptance_criteria": "验收标准",
    "rights_obligations": "双方的权利义务",
    "breach_liability": "违约责任",
}

DEFAULT_TERMS = {
    "settlement_method": "按合同约定分三期支付：合同签订后支付首期；中期评估合格后支付第二期；"
    "终期评估合格后支付余款。",
    "acceptance_criteria": "按照合同约定的绩效指标和目标，由购买主体会同第三方评估机构进行中期评估和终期评估，评估合格即为验收合格。",
    "rights_obligations": "甲方按约定支付资金、提供必要的工作条件并监督检查；乙方按约定提供服务，"
    "按时报送进度报告、中期报告和资金使用情况、结项报告和财务报表，配合绩效评价和审计，对发现的问题及时整改。",
    "breach_liability": "乙方未按约定提供服务或服务质量不达标的，甲方有权要求整改、暂停付款直至解除合同；"
    "评估结果为差或严重违约的，按规定列入承接主体负面清单。甲方未按约定付款的，应承担相应责任。",
}


def terms_of(contract: Contract) -> dict[str, Any]:
    out = {}
    for f in ("title", *TERM_FIELDS, "renewal_intent", "renewal_years"):
        value = getattr(contract, f)
        out[f] = (
            value.isoformat()
            if isinstance(value, dt.date)
            else (str(value) if isinstance(value, Decimal) else value)
        )
    return out


# --- validation ----------------------------------------------------------------------------------


def validate_contract(c: Contract) -> None:
    """The rules of the whole contract, on its terms as they would be saved (each term was
    checked on its own by ``ContractTermsInput``): the required clauses, the sum within the
    award, one year of service, the security's cap (实施条例 §48), the renewal years."""
    for key, label in REQUIRED_TEXT.items():
        if not (getattr(c, key) or "").strip():
            raise field_error(key, _("请填写%(label)s（合同必备条款）。") % {"label": label})
    if not (c.title or "").strip():
        raise field_error("title", _("请填写合同名称。"))
    if c.amount is None or c.amount <= 0:
        raise field_error("amount", _("合同金额必须大于 0。"))
    if c.amount > c.award.amount:
        raise field_error(
            "amount",
            _("合同金额 %(amount)s 不得超过中标金额 %(amount_2)s。")
            % {"amount": format_yuan(c.amount), "amount_2": format_yuan(c.award.amount)},
        )
    if c.period_end <= c.period_start:
        raise field_error("period_end", _("服务期结束须晚于开始。"))
    last_day = max_period_end(c.period_start, 1)  # the day before the anniversary
    if c.period_end > last_day:
        raise field_error(
            "period_end",
            _(
                "一份合同的服务期不超过一年：自 %(period_start)s 起最迟至 %(last_day)s（种子文档 001：合同期一年；期间按民法典 §201–§202 计算）；需求稳定的服务可约定续签意向，每年签订新合同。"
            )
            % {"period_start": c.period_start, "last_day": last_day},
        )
    cap_percent = setting_value("performance_security_max_percent")
    if c.performance_security < 0:
        raise field_error("performance_security", _("履约保证金不能为负数。"))
    if not within_cap(c.performance_security, c.amount, cap_percent):  # exact: never rounds up
        raise field_error(
            "performance_security",
            _(
                "履约保证金 %(performance_security)s 超过合同金额的 %(cap_percent)s%%（至多 %(cap_amount)s，实施条例 §48）。"
            )
            % {
                "performance_security": format_yuan(c.performance_security),
                "cap_percent": cap_percent,
                "cap_amount": format_yuan(cap_amount(c.amount, cap_percent)),
            },
        )
    if c.budget_lines:
        total = sum((Decimal(str(line["amount"])) for line in c.budget_lines), Decimal("0.00"))
        if total != c.amount:
            raise field_error(
                "budget_lines",
                _("预算明细合计 %(total)s，须等于合同金额 %(amount)s（精确到分）。")
                % {"total": format_yuan(total), "amount": format_yuan(c.amount)},
            )
    if not 1 <= c.renewal_years <= MAX_YEARS:
        raise field_error(
            "renewal_years",
            _("续签意向总年限为 1–%(MAX_YEARS)s 年（DOMAIN §4.3）。") % {"MAX_YEARS": MAX_YEARS},
        )
    if c.renewal_years > 1 and not c.renewal_intent:
        raise field_error("renewal_intent", _("多年续签须勾选续签意向。"))
