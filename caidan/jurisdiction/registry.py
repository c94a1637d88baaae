"""The configurable rules of DOMAIN.md, with their defaults, legal bounds and sources.

Everything DOMAIN.md marks *configurable* is declared here once. A jurisdiction's value
lives in the database (``JurisdictionSetting``), edited by the platform admin, every
change audited; code reads it with ``setting_value(key)``.

Every numeric rule declares its **floor and ceiling with the source of each bound**: the
law where the law sets one (e.g. at least 3 valid bids, 政府采购法 §36), otherwise
"本地规则" with a sane technical bound, said so explicitly. A value outside them is
refused naming the setting, the bound and its source; a value already stored outside
them (from before the bounds) is never used silently — ``setting_value`` falls back to
the bound and logs an error (see ``selectors.setting_value``). Rules that are not a
single number (choices, weights) state their bounds in ``bounds_note`` and enforce them
in ``check``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy

from caidan.common.errors import ValidationError, field_error
from caidan.jurisdiction.codes import Code

# The parts of the weights settings, by their stored keys.
WEIGHT_PARTS = {
    "first": gettext_lazy("首期"),
    "second": gettext_lazy("中期"),
    "final": gettext_lazy("终期"),
    "决策": gettext_lazy("决策"),
    "过程": gettext_lazy("过程"),
    "产出": gettext_lazy("产出"),
    "效益": gettext_lazy("效益"),
    "满意度": gettext_lazy("满意度"),
    "预算执行率": gettext_lazy("预算执行率"),
    "purchaser": gettext_lazy("购买方"),
    "recipients": gettext_lazy("服务对象"),
    "evaluator": gettext_lazy("第三方"),
}
LOCAL = gettext_lazy("本地规则")  # the law sets no bound: a local, technical one


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    kind: str  # int | decimal | bool | choice | fraction | weights
    default: Any
    source: str = ""
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    floor: Any = None
    floor_source: str = ""
    ceiling: Any = None
    ceiling_source: str = ""
    bounds_note: str = ""  # the bounds of a non-numeric rule, in words, with their source
    check: Callable[[Any], None] | None = None

    def __post_init__(self) -> None:
        if self.kind in ("int", "decimal", "fraction"):
            # A numeric rule without a declared bound, or a bound without its source, is a
            # programming error: the legal reviewer must be able to read every bound.
            assert self.floor is not None and self.ceiling is not None, self.key
            assert self.floor_source and self.ceiling_source, self.key
            assert self.number(self.floor) <= self.number(self.default), self.key
            assert self.number(self.default) <= self.number(self.ceiling), self.key
        else:
            assert self.bounds_note, self.key

    def number(self, value: Any) -> Decimal | Fraction:
        if self.kind == "fraction":
            return parse_fraction(value, key=self.key, label=self.label, bounded=False)
        return Decimal(str(value))

    def shown(self, value: Any) -> str:
        """A value as the settings page shows it: the label of a choice, 是/否, the parts of
        weights by name (“产出 50 / 效益 30 …”)."""
        if self.kind == "weights" and isinstance(value, dict):
            return " / ".join(f"{WEIGHT_PARTS.get(k, k)} {v}" for k, v in value.items())
        if self.kind == "bool":
            return str(gettext_lazy("是") if value else gettext_lazy("否"))
        if self.kind == "choice":
            return str(dict(self.choices).get(value, value))
        return str(value)

    @property
    def bounds(self) -> str:
        """The bounds in words, for the settings page and API."""
        if self.floor is None:
            return str(self.bounds_note)
        return gettext_lazy(
            "不低于 %(floor)s（%(floor_source)s）；不高于 %(ceiling)s（%(ceiling_source)s）"
        ) % {
            "floor": self.floor,
            "floor_source": self.floor_source,
            "ceiling": self.ceiling,
            "ceiling_source": self.ceiling_source,
        }

    def out_of_bounds(self, value: Any) -> tuple[str, Any] | None:
        """``("floor" | "ceiling", bound)`` when a parsed value is outside the bounds."""
        if self.floor is None:
            return None
        number = self.number(value)
        if number < self.number(self.floor):
            return ("floor", self.floor)
        if number > self.number(self.ceiling):
            return ("ceiling", self.ceiling)
        return None

    def parse(self, raw: Any) -> Any:
        """Turn user input into a stored JSON value, or raise naming the setting."""
        try:
            if self.kind == "int":
                if isinstance(raw, bool | float):
                    raise ValueError
                value: Any = int(str(raw).strip())
            elif self.kind == "decimal":
                if isinstance(raw, bool):
                    raise ValueError
                number = Decimal(str(raw).strip())  # a JSON 1.5 reads as "1.5"
                if not number.is_finite():
                    raise ValueError
                if number != number.quantize(Decimal("0.01")):
                    raise field_error(
                        self.key,
                        gettext_lazy("“%(label)s”最多保留两位小数：%(raw)s。")
                        % {"label": self.label, "raw": raw},
                    )
                value = str(number)
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
                    raise field_error(
                        self.key,
                        gettext_lazy("“%(label)s”只能取：%(allowed)s。")
                        % {"label": self.label, "allowed": allowed},
                    )
            elif self.kind == "fraction":
                fraction = parse_fraction(raw, key=self.key, label=self.label, bounded=False)
                # Always "n/d": str(Fraction(1)) is "1", which would read back as 1 %.
                value = f"{fraction.numerator}/{fraction.denominator}"
            elif self.kind == "weights":
                value = {k: int(v) for k, v in dict(raw).items()}
                if set(value) != set(self.default):
                    raise field_error(
                        self.key,
                        gettext_lazy("“%(label)s”必须包含且仅包含：%(join)s。")
                        % {"label": self.label, "join": "、".join(self.default)},
                    )
            else:  # pragma: no cover - a spec with an unknown kind is a programming error
                raise AssertionError(self.kind)
        except (ValueError, TypeError, ArithmeticError):
            raise field_error(
                self.key,
                gettext_lazy("“%(label)s”的值无效：%(raw)s。")
                % {"label": self.label, "raw": repr(raw)},
            ) from None
        beyond = self.out_of_bounds(value)
        if beyond is not None:
            raise _bound_error(self, beyond[0])
        if self.check is not None:
            self.check(value)
        return value


def _bound_error(spec: SettingSpec, side: str) -> ValidationError:
    """The 4xx error of a value beyond a bound: names the setting, the bound and its source."""
    bound, source = (
        (spec.floor, spec.floor_source) if side == "floor" else (spec.ceiling, spec.ceiling_source)
    )
    word = "低于" if side == "floor" else "高于"
    return ValidationError(
        gettext_lazy("“%(label)s”不得%(word)s %(bound)s（%(source)s）。")
        % {"label": spec.label, "word": word, "bound": bound, "source": source},
        code=Code.BELOW_FLOOR if side == "floor" else Code.ABOVE_CEILING,
        detail={"field": spec.key, "bound": str(bound), "source": source},
    )


def parse_fraction(
    raw: Any, *, key: str = "fraction", label: str = "比例", bounded: bool = True
) -> Fraction:
    """A share written as a fraction ("2/3") or a percent ("67"); with ``bounded``, between
    one half and one."""
    text = str(raw).strip().replace("％", "%").rstrip("%")
    try:
        value = Fraction(text) if "/" in text else Fraction(Decimal(text)) / 100
    except (ValueError, ZeroDivisionError, ArithmeticError):
        raise field_error(
            key,
            gettext_lazy("“%(label)s”应写成分数（如 2/3）或百分数（如 67）。") % {"label": label},
        ) from None
    if bounded and not Fraction(1, 2) <= value <= 1:
        raise field_error(key, gettext_lazy("“%(label)s”应在 1/2 到 1 之间。") % {"label": label})
    return value


def _weights_sum_100(key: str, label: str, source: str, minimum_output_effect: bool = False):
    def check(value: dict[str, int]) -> None:
        if any(v < 0 for v in value.values()):
            raise field_error(
                key, gettext_lazy("“%(label)s”各项权重不能为负数。") % {"label": label}
            )
        if sum(value.values()) != 100:
            raise field_error(
                key,
                gettext_lazy("“%(label)s”各项权重之和必须为 100，当前为 %(sum)s（%(source)s）。")
                % {"label": label, "sum": sum(value.values()), "source": source},
            )
        if minimum_output_effect and value.get("产出", 0) + value.get("效益", 0) < 60:
            raise field_error(
                key,
                gettext_lazy("“%(label)s”中产出与效益的权重合计不得低于 60（财预〔2020〕10号）。")
                % {"label": label},
            )

    return check


def _payment_split(value: dict[str, int]) -> None:
    if sum(value.values()) != 100:
        raise field_error(
            "payment_split", gettext_lazy("分期付款比例之和必须为 100（种子文档 001）。")
        )
    if value["first"] != 50:
        raise field_error(
            "payment_split", gettext_lazy("首期付款比例应为 50%（签约后支付，种子文档 001）。")
        )
    if not 30 <= value["second"] <= 40:
        raise field_error(
            "payment_split", gettext_lazy("中期付款比例应在 30% 到 40% 之间（种子文档 001）。")
        )


CHOICE = gettext_lazy("无数值界限：只能取列出的选项")

SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "score_aggregate",
        gettext_lazy("专家评分汇总方式"),
        "choice",
        "mean",
        gettext_lazy("87号令；评审实践"),
        choices=(
            ("mean", gettext_lazy("算术平均")),
            ("trimmed_mean", gettext_lazy("去掉最高分和最低分后平均")),
        ),
        bounds_note=CHOICE,
    ),
    SettingSpec(
        "score_decimals",
        gettext_lazy("评分保留小数位数"),
        "int",
        2,
        gettext_lazy("评审实践"),
        floor=0,
        floor_source=gettext_lazy("本地规则：法律未规定，整数分"),
        ceiling=4,
        ceiling_source=gettext_lazy("本地规则：法律未规定，技术上限"),
    ),
    SettingSpec(
        "min_valid_bids",
        gettext_lazy("公开招标最少有效投标人数"),
        "int",
        3,
        gettext_lazy("政府采购法 §36"),
        floor=3,
        floor_source=gettext_lazy("政府采购法 §36：不足三家应予废标"),
        ceiling=10,
        ceiling_source=gettext_lazy("本地规则：法律未规定上限，技术上限"),
    ),
    SettingSpec(
        "min_valid_bids_consultation",
        gettext_lazy("竞争性磋商（购买服务）最少有效供应商数"),
        "int",
        2,
        gettext_lazy("财库〔2015〕124号"),
        floor=2,
        floor_source=gettext_lazy("财库〔2015〕124号：政府购买服务项目磋商，有效供应商可为 2 家"),
        ceiling=10,
        ceiling_source=gettext_lazy("本地规则：法律未规定上限，技术上限"),
    ),
    SettingSpec(
        "bidding_period_days",
        gettext_lazy("招标文件发出至投标截止最少天数"),
        "int",
        20,
        gettext_lazy("政府采购法 §35"),
        floor=20,
        floor_source=gettext_lazy("政府采购法 §35：不得少于二十日"),
        ceiling=90,
        ceiling_source=gettext_lazy("本地规则：法律未规定上限，技术上限"),
    ),
    SettingSpec(
        "consultation_period_days",
        gettext_lazy("磋商文件发出至响应截止最少天数"),
        "int",
        10,
        gettext_lazy("财库〔2014〕214号 §10"),
        floor=10,
        floor_source=gettext_lazy("财库〔2014〕214号 §10：不得少于 10 日"),
        ceiling=60,
        ceiling_source=gettext_lazy("本地规则：法律未规定上限，技术上限"),
    ),
    SettingSpec(
        "late_amendment_days",
        gettext_lazy("澄清修改须早于截止的天数"),
        "int",
        15,
        gettext_lazy("实施条例 §31"),
        floor=15,
        floor_source=gettext_lazy("实施条例 §31：至少 15 日前通知"),
        ceiling=60,
        ceiling_source=gettext_lazy("本地规则：法律未规定上限，技术上限"),
    ),
    SettingSpec(
        "award_notice_working_days",
        gettext_lazy("中标结果须在确定后几个工作日内公告"),
        "int",
        2,
        gettext_lazy("实施条例 §43"),
        floor=1,
        floor_source=gettext_lazy("本地规则：法律只定上限；至少留 1 个工作日"),
        ceiling=2,
        ceiling_source=gettext_lazy("实施条例 §43：2 个工作日内公告"),
    ),
    SettingSpec(
        "award_notice_period_working_days",
        gettext_lazy("中标公告期限（工作日）"),
        "int",
        1,
        gettext_lazy("87号令 §69"),
        floor=1,
        floor_source=gettext_lazy("87号令 §69：中标公告期限为 1 个工作日"),
        ceiling=1,
        ceiling_source=gettext_lazy("87号令 §69：中标公告期限为 1 个工作日"),
    ),
    SettingSpec(
        "challenge_working_days",
        gettext_lazy("质疑期限（公告期满后工作日）"),
        "int",
        7,
        gettext_lazy("政府采购法 §52"),
        floor=7,
        floor_source=gettext_lazy("政府采购法 §52；实施条例 §53：7 个工作日"),
        ceiling=30,
        ceiling_source=gettext_lazy("本地规则：法律未规定更长期限，技术上限"),
    ),
    SettingSpec(
        "challenge_answer_working_days",
        gettext_lazy("质疑答复期限（工作日）"),
        "int",
        7,
        gettext_lazy("政府采购法 §53"),
        floor=1,
        floor_source=gettext_lazy("本地规则：法律只定上限；至少 1 个工作日"),
        ceiling=7,
        ceiling_source=gettext_lazy("政府采购法 §53：收到质疑后 7 个工作日内答复"),
    ),
    SettingSpec(
        "expert_reserves",
        gettext_lazy("抽取备选专家人数"),
        "int",
        2,
        gettext_lazy("财库〔2016〕198号"),
        floor=1,
        floor_source=gettext_lazy("本地规则：法律未规定人数；至少 1 名以便回避递补"),
        ceiling=10,
        ceiling_source=gettext_lazy("本地规则：法律未规定人数，技术上限"),
    ),
    SettingSpec(
        "bid_security_max_percent",
        gettext_lazy("投标保证金上限（预算的百分比）"),
        "decimal",
        "2",
        gettext_lazy("实施条例 §33"),
        floor=0,
        floor_source=gettext_lazy("本地规则：可不收取"),
        ceiling=2,
        ceiling_source=gettext_lazy("实施条例 §33：不得超过采购项目预算金额的 2%"),
    ),
    SettingSpec(
        "performance_security_max_percent",
        gettext_lazy("履约保证金上限（合同金额的百分比）"),
        "decimal",
        "10",
        gettext_lazy("实施条例 §48"),
        floor=0,
        floor_source=gettext_lazy("本地规则：可不收取"),
        ceiling=10,
        ceiling_source=gettext_lazy("实施条例 §48：不得超过政府采购合同金额的 10%"),
    ),
    SettingSpec(
        "services_min_price_weight",
        gettext_lazy("服务类项目价格分最低权重（%）"),
        "int",
        10,
        gettext_lazy("87号令 §55；财库〔2014〕214号 §24"),
        floor=10,
        floor_source=gettext_lazy("87号令 §55：服务项目价格分不得低于 10%"),
        ceiling=30,
        ceiling_source=gettext_lazy(
            "财库〔2014〕214号 §24：磋商服务项目价格分为 10%–30%，最低权重不得高于 30%"
        ),
    ),
    SettingSpec(
        "provider_grade_requirement",
        gettext_lazy("承接主体等级要求（默认）"),
        "choice",
        "preferred",
        gettext_lazy("民政部令第39号"),
        choices=(
            ("none", gettext_lazy("不要求")),
            ("preferred", gettext_lazy("优先 3A 及以上")),
            ("required", gettext_lazy("必须 3A 及以上")),
        ),
        bounds_note=CHOICE,
    ),
    SettingSpec(
        "abnormal_list_excludes",
        gettext_lazy("列入活动异常名录者不得承接"),
        "bool",
        True,
        gettext_lazy("民政部令第60号；财库〔2016〕125号"),
        bounds_note=gettext_lazy("无数值界限：是或否"),
    ),
    SettingSpec(
        "review_quorum",
        gettext_lazy("审定会议法定人数（有表决权委员中须出席表决的比例，分数）"),
        "fraction",
        "2/3",
        gettext_lazy("本地审定规则"),
        help=gettext_lazy("如 2/3 表示三分之二（含）以上；1/2 表示半数（含）以上"),
        floor="1/2",
        floor_source=gettext_lazy("本地审定规则：至少半数出席"),
        ceiling="100%",
        ceiling_source=gettext_lazy("本地审定规则：比例不超过全体"),
    ),
    SettingSpec(
        "review_majority_percent",
        gettext_lazy("审定通过所需赞成票比例（出席委员 %）"),
        "int",
        50,
        gettext_lazy("本地审定规则"),
        help=gettext_lazy("赞成票须超过此比例"),
        floor=50,
        floor_source=gettext_lazy("本地审定规则：须过半数"),
        ceiling=100,
        ceiling_source=gettext_lazy("本地审定规则：比例不超过 100%"),
    ),
    SettingSpec(
        "payment_split",
        gettext_lazy("分期付款比例（签约 / 中期 / 终期）"),
        "weights",
        {"first": 50, "second": 35, "final": 15},
        gettext_lazy("种子文档 001"),
        bounds_note=gettext_lazy("首期 50%；中期 30%–40%；终期为余额；合计 100%（种子文档 001）"),
        check=_payment_split,
    ),
    SettingSpec(
        "evaluation_weights",
        gettext_lazy("绩效评价一级指标权重"),
        "weights",
        {"决策": 20, "过程": 20, "产出": 40, "效益": 20},
        gettext_lazy("财预〔2020〕10号"),
        bounds_note=gettext_lazy(
            "各项不小于 0，合计 100；产出与效益合计不低于 60（财预〔2020〕10号）"
        ),
        check=_weights_sum_100(
            "evaluation_weights", "绩效评价一级指标权重", "财预〔2020〕10号", True
        ),
    ),
    SettingSpec(
        "self_evaluation_weights",
        gettext_lazy("自评指标权重"),
        "weights",
        {"产出": 50, "效益": 30, "满意度": 10, "预算执行率": 10},
        gettext_lazy("财预〔2020〕10号"),
        bounds_note=gettext_lazy("各项不小于 0，合计 100（财预〔2020〕10号）"),
        check=_weights_sum_100("self_evaluation_weights", "自评指标权重", "财预〔2020〕10号"),
    ),
    SettingSpec(
        "evaluation_subject_weights",
        gettext_lazy("多主体评价权重（购买方 / 服务对象 / 第三方）"),
        "weights",
        {"purchaser": 30, "recipients": 30, "evaluator": 40},
        gettext_lazy("种子文档 001、003"),
        bounds_note=gettext_lazy("各项不小于 0，合计 100（本地规则；种子文档 001、003）"),
        check=_weights_sum_100("evaluation_subject_weights", "多主体评价权重", "种子文档 001、003"),
    ),
    SettingSpec(
        "bar_after_poor_months",
        gettext_lazy("评价为“差”后禁止投标的月数"),
        "int",
        24,
        gettext_lazy("种子文档 002（优胜劣汰）"),
        floor=0,
        floor_source=gettext_lazy("本地规则：法律未规定；种子文档 002 未定期限"),
        ceiling=120,
        ceiling_source=gettext_lazy("本地规则：法律未规定，技术上限"),
    ),
    SettingSpec(
        "enquiry_answer_working_days",
        gettext_lazy("咨询、建议答复期限（工作日）"),
        "int",
        10,
        gettext_lazy("本地规则"),
        help=gettext_lazy(
            "信息公开申请另按《政府信息公开条例》§33：20 个工作日，可延长不超过 20 个工作日"
        ),
        floor=1,
        floor_source=gettext_lazy("本地规则：至少 1 个工作日"),
        ceiling=20,
        ceiling_source=gettext_lazy(
            "本地规则：不长于信息公开申请的 20 个工作日，参照政府信息公开条例 §33"
        ),
    ),
    SettingSpec(
        "need_hide_after_reports",
        gettext_lazy("需求被举报多少次后自动隐藏"),
        "int",
        3,
        gettext_lazy("本地规则"),
        floor=1,
        floor_source=gettext_lazy("本地规则：技术下限"),
        ceiling=100,
        ceiling_source=gettext_lazy("本地规则：技术上限"),
    ),
    # A hub's member group gains standing to bid on its own (issue 21, caidan/orgs/standing.py)
    SettingSpec(
        "hub_member_standing_parts",
        gettext_lazy("基层组织经由枢纽承担的部分达到多少个后可独立投标"),
        "int",
        2,
        gettext_lazy("本地规则：枢纽型社会组织培育基层组织（种子文档 004）"),
        help=gettext_lazy(
            "只计终期评估等级达到下一项设置者；另须登记完成（正常登记、有成立日期）。"
        ),
        floor=1,
        floor_source=gettext_lazy("本地规则：至少一个部分的履约记录"),
        ceiling=20,
        ceiling_source=gettext_lazy("本地规则：技术上限"),
    ),
    SettingSpec(
        "hub_member_standing_grade",
        gettext_lazy("计入独立投标资格的部分须达到的终期评估等级"),
        "choice",
        "good",
        gettext_lazy("本地规则：枢纽型社会组织培育基层组织（种子文档 004）"),
        choices=(
            ("excellent", gettext_lazy("优")),
            ("good", gettext_lazy("良及以上")),
            ("fair", gettext_lazy("中及以上")),
        ),
        bounds_note=CHOICE,
    ),
)

SPECS_BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SPECS}
