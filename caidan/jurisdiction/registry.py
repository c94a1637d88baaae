"""The configurable rules of DOMAIN.md, with their defaults and sources.

Everything DOMAIN.md marks *configurable* is declared here once. A jurisdiction's value
lives in the database (``JurisdictionSetting``), edited by the platform admin, every
change audited; code reads it with ``setting_value(key)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from caidan.common.errors import field_error


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    kind: str  # int | decimal | bool | choice | weights
    default: Any
    source: str = ""
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    minimum: Any = None
    maximum: Any = None
    check: Callable[[Any], None] | None = None

    def parse(self, raw: Any) -> Any:
        """Turn user input into a stored JSON value, or raise naming the setting."""
        try:
            if self.kind == "int":
                if isinstance(raw, bool):
                    raise ValueError
                value: Any = int(str(raw).strip())
            elif self.kind == "decimal":
                value = str(Decimal(str(raw).strip()))
            elif self.kind == "bool":
                if isinstance(raw, bool):
                    value = raw
                elif str(raw).strip().lower() in {"1", "true", "on", "yes", "是"}:
                    value = True
                elif str(raw).strip().lower() in {"0", "false", "off", "no", "否", ""}:
                    value = False
                else:
                    raise ValueError
            elif self.kind == "choice":
                value = str(raw).strip()
                if value not in {c for c, _ in self.choices}:
                    allowed = "、".join(f"{c}（{label}）" for c, label in self.choices)
                    raise field_error(self.key, f"“{self.label}”只能取：{allowed}。")
            elif self.kind == "fraction":
                value = str(parse_fraction(raw, key=self.key, label=self.label))
            elif self.kind == "weights":
                value = {k: int(v) for k, v in dict(raw).items()}
                if set(value) != set(self.default):
                    raise field_error(
                        self.key, f"“{self.label}”必须包含且仅包含：{'、'.join(self.default)}。"
                    )
            else:  # pragma: no cover - a spec with an unknown kind is a programming error
                raise AssertionError(self.kind)
        except (ValueError, TypeError, ArithmeticError):
            raise field_error(self.key, f"“{self.label}”的值无效：{raw!r}。") from None
        if self.minimum is not None and Decimal(str(value)) < Decimal(str(self.minimum)):
            raise field_error(self.key, f"“{self.label}”不能小于 {self.minimum}。")
        if self.maximum is not None and Decimal(str(value)) > Decimal(str(self.maximum)):
            raise field_error(self.key, f"“{self.label}”不能大于 {self.maximum}。")
        if self.check is not None:
            self.check(value)
        return value


def parse_fraction(raw: Any, *, key: str = "fraction", label: str = "比例") -> Fraction:
    """A share between one half and one, written as a fraction ("2/3") or a percent ("67")."""
    text = str(raw).strip().replace("％", "%").rstrip("%")
    try:
        value = Fraction(text) if "/" in text else Fraction(Decimal(text)) / 100
    except (ValueError, ZeroDivisionError, ArithmeticError):
        raise field_error(key, f"“{label}”应写成分数（如 2/3）或百分数（如 67）。") from None
    if not Fraction(1, 2) <= value <= 1:
        raise field_error(key, f"“{label}”应在 1/2 到 1 之间。")
    return value


def _weights_sum_100(key: str, label: str, minimum_output_effect: bool = False):
    def check(value: dict[str, int]) -> None:
        if any(v < 0 for v in value.values()):
            raise field_error(key, f"“{label}”各项权重不能为负数。")
        if sum(value.values()) != 100:
            raise field_error(
                key, f"“{label}”各项权重之和必须为 100，当前为 {sum(value.values())}。"
            )
        if minimum_output_effect and value.get("产出", 0) + value.get("效益", 0) < 60:
            raise field_error(
                key, f"“{label}”中产出与效益的权重合计不得低于 60（财预〔2020〕10号）。"
            )

    return check


def _payment_split(value: dict[str, int]) -> None:
    if sum(value.values()) != 100:
        raise field_error("payment_split", "分期付款比例之和必须为 100。")
    if value["first"] != 50:
        raise field_error("payment_split", "首期付款比例应为 50%（签约后支付）。")
    if not 30 <= value["second"] <= 40:
        raise field_error("payment_split", "中期付款比例应在 30% 到 40% 之间。")


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "score_aggregate",
        "专家评分汇总方式",
        "choice",
        "mean",
        "87号令；评审实践",
        choices=(("mean", "算术平均"), ("trimmed_mean", "去掉最高分和最低分后平均")),
    ),
    SettingSpec("score_decimals", "评分保留小数位数", "int", 2, "评审实践", minimum=0, maximum=4),
    SettingSpec(
        "min_valid_bids",
        "公开招标最少有效投标人数",
        "int",
        3,
        "政府采购法 §36",
        minimum=1,
        maximum=10,
    ),
    SettingSpec(
        "min_valid_bids_consultation",
        "竞争性磋商（购买服务）最少有效供应商数",
        "int",
        2,
        "财库〔2015〕124号",
        minimum=1,
        maximum=10,
    ),
    SettingSpec(
        "bidding_period_days",
        "招标文件发出至投标截止最少天数",
        "int",
        20,
        "政府采购法 §35",
        minimum=20,
        maximum=90,
    ),
    SettingSpec(
        "consultation_period_days",
        "磋商文件发出至响应截止最少天数",
        "int",
        10,
        "竞争性磋商办法",
        minimum=10,
        maximum=60,
    ),
    SettingSpec(
        "late_amendment_days",
        "澄清修改须早于截止的天数",
        "int",
        15,
        "实施条例 §31",
        minimum=15,
        maximum=60,
    ),
    SettingSpec(
        "award_notice_working_days",
        "中标结果须在确定后几个工作日内公告",
        "int",
        2,
        "实施条例 §43",
        minimum=1,
        maximum=2,
    ),
    SettingSpec(
        "award_notice_period_working_days",
        "中标公告期限（工作日）",
        "int",
        1,
        "87号令 §69",
        minimum=1,
        maximum=10,
    ),
    SettingSpec(
        "challenge_working_days",
        "质疑期限（公告期满后工作日）",
        "int",
        7,
        "政府采购法 §52",
        minimum=7,
        maximum=30,
    ),
    SettingSpec(
        "challenge_answer_working_days",
        "质疑答复期限（工作日）",
        "int",
        7,
        "政府采购法 §53",
        minimum=1,
        maximum=7,
    ),
    SettingSpec(
        "expert_reserves",
        "抽取备选专家人数",
        "int",
        2,
        "财库〔2016〕198号",
        minimum=1,
        maximum=10,
    ),
    SettingSpec(
        "bid_security_max_percent",
        "投标保证金上限（预算的百分比）",
        "decimal",
        "2",
        "实施条例 §33",
        minimum=0,
        maximum=2,
    ),
    SettingSpec(
        "performance_security_max_percent",
        "履约保证金上限（合同金额的百分比）",
        "decimal",
        "10",
        "实施条例 §48",
        minimum=0,
        maximum=10,
    ),
    SettingSpec(
        "services_min_price_weight",
        "服务类项目价格分最低权重（%）",
        "int",
        10,
        "87号令；财库〔2014〕214号",
        minimum=10,
        maximum=100,
    ),
    SettingSpec(
        "provider_grade_requirement",
        "承接主体等级要求（默认）",
        "choice",
        "preferred",
        "民政部令第39号",
        choices=(
            ("none", "不要求"),
            ("preferred", "优先 3A 及以上"),
            ("required", "必须 3A 及以上"),
        ),
    ),
    SettingSpec(
        "abnormal_list_excludes",
        "列入活动异常名录者不得承接",
        "bool",
        True,
        "民政部令第60号；财库〔2016〕125号",
    ),
    SettingSpec(
        "review_quorum",
        "审定会议法定人数（有表决权委员中须出席表决的比例，分数）",
        "fraction",
        "2/3",
        "本地审定规则",
        help="如 2/3 表示三分之二（含）以上；1/2 表示半数（含）以上",
    ),
    SettingSpec(
        "review_majority_percent",
        "审定通过所需赞成票比例（出席委员 %）",
        "int",
        50,
        "本地审定规则",
        help="赞成票须超过此比例",
        minimum=50,
        maximum=100,
    ),
    SettingSpec(
        "payment_split",
        "分期付款比例（签约 / 中期 / 终期）",
        "weights",
        {"first": 50, "second": 35, "final": 15},
        "种子文档 001",
        check=_payment_split,
    ),
    SettingSpec(
        "evaluation_weights",
        "绩效评价一级指标权重",
        "weights",
        {"决策": 20, "过程": 20, "产出": 40, "效益": 20},
        "财预〔2020〕10号",
        check=_weights_sum_100("evaluation_weights", "绩效评价一级指标权重", True),
    ),
    SettingSpec(
        "self_evaluation_weights",
        "自评指标权重",
        "weights",
        {"产出": 50, "效益": 30, "满意度": 10, "预算执行率": 10},
        "财预〔2020〕10号",
        check=_weights_sum_100("self_evaluation_weights", "自评指标权重"),
    ),
    SettingSpec(
        "evaluation_subject_weights",
        "多主体评价权重（购买方 / 服务对象 / 第三方）",
        "weights",
        {"purchaser": 30, "recipients": 30, "evaluator": 40},
        "种子文档 001、003",
        check=_weights_sum_100("evaluation_subject_weights", "多主体评价权重"),
    ),
    SettingSpec(
        "bar_after_poor_months",
        "评价为“差”后禁止投标的月数",
        "int",
        24,
        "种子文档 002（优胜劣汰）",
        minimum=0,
        maximum=120,
    ),
    SettingSpec(
        "enquiry_answer_working_days",
        "咨询、建议答复期限（工作日）",
        "int",
        10,
        "本地规则",
        minimum=1,
        maximum=60,
    ),
    SettingSpec(
        "need_hide_after_reports",
        "需求被举报多少次后自动隐藏",
        "int",
        3,
        "本地规则",
        minimum=1,
        maximum=100,
    ),
)

SPECS_BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SPECS}
