"""Evaluations' inputs (``caidan.common.inputs``): an indicator framework and a template, a
satisfaction survey, a hearing and its follow-up, a standardisation assessment, an audit plan,
a finding with the provider's response and the auditor's closing note, an evaluator's scores
and the purchaser's score.

Built from the API schema, the form's ``cleaned_data`` or keywords. The rules that need the
database or the clock stay in the services: a score within its indicator's weight, a contract
in the unit's year, a date not after today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from caidan.common.errors import field_error
from caidan.common.inputs import Input, Line, RequiredText, Text
from caidan.common.masking import contains_personal_numbers
from caidan.evaluations.codes import Code

from .formulas import FORMULAS

MAX_TEXT = 20000
MAX_TOKENS = 2000
CENT = Decimal("0.01")


# --- field types ---------------------------------------------------------------------------------
# A refusal raised as ``ValueError`` keeps its message as written (the field is still named).


def _blank(value: Any) -> Any:
    """``None`` as the empty text."""
    return "" if value is None else value


def _day(value: Any) -> dt.date:
    """A calendar date given as a ``date``, a ``datetime`` (its local day) or ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(gettext_lazy("日期格式应为 YYYY-MM-DD。"))


def _decimal(value: Any, name: str) -> Decimal:
    """A finite number given as a string or an integer (never a float), to the cent."""
    if isinstance(value, bool | float) or value is None:
        raise ValueError(
            gettext_lazy("%(name)s须以字符串或整数给出，不能是浮点数。") % {"name": name}
        )
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(gettext_lazy("%(name)s须为数字。") % {"name": name}) from None
    if not number.is_finite() or abs(number) >= 10**15:
        raise ValueError(gettext_lazy("%(name)s超出范围。") % {"name": name})
    if number != number.quantize(CENT):
        raise ValueError(gettext_lazy("%(name)s最多保留两位小数。") % {"name": name})
    return number


def _points(value: Any) -> Decimal:
    return _decimal(value, "得分")


def _count(value: Any) -> Decimal:
    number = _decimal(value, "得分")
    if not 0 <= number <= 10**9:
        raise ValueError(gettext_lazy("得分须在 0 到 1000000000 之间。"))
    return number


Day = Annotated[dt.date, BeforeValidator(_day)]
BlankText = Annotated[str, BeforeValidator(_blank)]
# A score's number (the range is its indicator's weight, which the service knows).
Points = Annotated[Decimal, BeforeValidator(_points)]
Count = Annotated[Decimal, BeforeValidator(_count)]  # 实际完成率's actual and planned output


def refuse_personal_data(data: Input, *names: str) -> None:
    """Text that will be published holds no mobile or ID numbers (DOMAIN.md §5)."""
    for name in names:
        if contains_personal_numbers(getattr(data, name)):
            label = type(data).model_fields[name].title
            raise field_error(
                name,
                gettext_lazy(
                    "%(label)s将公开，不得包含手机号码或身份证号码等个人信息；参加人员请只写身份类别和人数（如“居民代表 12 人”）。"
                )
                % {"label": label},
                code=Code.PERSONAL_DATA,
            )


# --- indicator frameworks (指标体系, 财预〔2020〕10号) ----------------------------------------------

CATEGORIES = {"decision": "决策", "process": "过程", "output": "产出", "effect": "效益"}


def _level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise ValueError(gettext_lazy("指标级别须为 1、2 或 3。")) from None
    if level not in (1, 2, 3):
        raise ValueError(gettext_lazy("指标级别须为 1、2 或 3。"))
    return level


def _weight(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(gettext_lazy("权重须以字符串或整数给出，不能是浮点数。"))
    try:
        weight = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(gettext_lazy("权重须为数字。")) from None
    if not weight.is_finite() or not 0 < weight <= 100 or weight != weight.quantize(CENT):
        raise ValueError(gettext_lazy("权重须为大于 0、不超过 100、最多两位小数的数。"))
    return weight


def _target(value: Any) -> Any:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return _blank(value)


class IndicatorInput(Input):
    """One indicator of the tree: level 1 names its category, a lower one its parent (an
    indicator listed before it, one level up) and takes the parent's category."""

    code: RequiredText(20, title=gettext_noop("编号"))
    name: RequiredText(200, title=gettext_noop("名称"))
    level: Annotated[int, BeforeValidator(_level)] = Field(title=gettext_noop("级别"))
    parent: Annotated[str | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None, title=gettext_noop("上级指标")
    )
    weight: Annotated[Decimal, BeforeValidator(_weight)] = Field(title=gettext_noop("权重"))
    category: BlankText = Field(default="", title=gettext_noop("类别"))
    computed: BlankText = Field(default="", title=gettext_noop("计算公式"))
    target: Annotated[str, BeforeValidator(_target)] = Field(
        default="", title=gettext_noop("目标值")
    )

    def as_json(self, category: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "weight": str(self.weight),
            "category": category,
            "computed": self.computed,
            "target": self.target,
        }


def _category(n: int, row: IndicatorInput, placed: dict[str, tuple[int, str]]) -> str:
    """The row's category: its own at level 1, else its parent's (listed before, one up)."""
    if row.level == 1:
        if row.parent:
            raise field_error(f"indicators.{n}.parent", gettext_lazy("一级指标没有上级指标。"))
        if row.category not in CATEGORIES:
            raise field_error(
                f"indicators.{n}.category", gettext_lazy("一级指标须为决策、过程、产出、效益之一。")
            )
        return row.category
    up = placed.get(row.parent or "")
    if up is None or up[0] != row.level - 1:
        raise field_error(
            f"indicators.{n}.parent",
            gettext_lazy("“%(name)s”的上级指标须为列在其前的 %(value)s 级指标。")
            % {"name": row.name, "value": row.level - 1},
        )
    return up[1]


def indicator_categories(rows: list[IndicatorInput]) -> list[str]:
    """Each row's category, checking its place in the tree on the way: codes once, parents
    before children, formulas known, 满意度 under 效益."""
    placed: dict[str, tuple[int, str]] = {}
    for n, row in enumerate(rows):
        if row.code in placed:
            raise field_error(
                f"indicators.{n}.code",
                gettext_lazy("指标编号“%(code)s”重复。") % {"code": row.code},
            )
        category = _category(n, row, placed)
        if row.computed and row.computed not in FORMULAS:
            raise field_error(
                f"indicators.{n}.computed",
                gettext_lazy("计算公式“%(computed)s”无效。") % {"computed": row.computed},
            )
        if row.computed == "satisfaction" and category != "effect":
            raise field_error(
                f"indicators.{n}.computed", gettext_lazy("满意度指标须在“效益”之下。")
            )
        placed[row.code] = (row.level, category)
    return [placed[row.code][1] for row in rows]


def _check_weights(rows: list[IndicatorInput], categories: list[str]) -> None:
    """Four level-1 indicators 决策 / 过程 / 产出 / 效益 summing to 100, 产出 + 效益 ≥ 60;
    each parent's children sum to its weight."""
    level1 = [(row, c) for row, c in zip(rows, categories, strict=True) if row.level == 1]
    if sorted(c for _, c in level1) != sorted(CATEGORIES):
        raise field_error("indicators", gettext_lazy("一级指标须为决策、过程、产出、效益各一项。"))
    total = sum(row.weight for row, _ in level1)
    if total != 100:
        raise field_error(
            "indicators",
            gettext_lazy("一级指标权重之和须为 100，当前为 %(normalize)s。")
            % {"normalize": format(total.normalize(), "f")},
        )
    oe = sum(row.weight for row, c in level1 if c in ("output", "effect"))
    if oe < 60:
        raise field_error(
            "indicators",
            gettext_lazy(
                "产出和效益指标权重合计不得低于 60%%（财预〔2020〕10号），当前为 %(normalize)s。"
            )
            % {"normalize": format(oe.normalize(), "f")},
        )
    for row in rows:
        children = [c.weight for c in rows if c.parent == row.code]
        if children and sum(children) != row.weight:
            raise field_error(
                "indicators",
                gettext_lazy(
                    "“%(name)s”的下级指标权重之和 %(normalize)s 不等于其权重 %(normalize_2)s。"
                )
                % {
                    "name": row.name,
                    "normalize": format(sum(children).normalize(), "f"),
                    "normalize_2": format(row.weight.normalize(), "f"),
                },
            )


class FrameworkInput(Input):
    """A project's indicators (DOMAIN.md §4.5), checked as a tree."""

    indicators: list[IndicatorInput] = Field(min_length=1, title=gettext_noop("指标"))

    @model_validator(mode="after")
    def _tree(self) -> FrameworkInput:
        _check_weights(self.indicators, indicator_categories(self.indicators))
        return self

    def rows(self) -> list[dict[str, Any]]:
        """The indicators as stored (``Framework.indicators``), each with its category."""
        categories = indicator_categories(self.indicators)
        return [row.as_json(c) for row, c in zip(self.indicators, categories, strict=True)]


class TemplateInput(FrameworkInput):
    """An indicator template the platform admin maintains."""

    name: RequiredText(200, title=gettext_noop("模板名称"))


# --- satisfaction surveys (满意度调查) ------------------------------------------------------------


def _kind(value: Any) -> Any:
    if value not in ("likert", "text"):
        raise ValueError(gettext_lazy("题型只能是满意度评分（1–5）或文字。"))
    return value


class QuestionInput(Input):
    id: Annotated[str, Field(min_length=1, max_length=50, title=gettext_noop("题目编号"))]
    text: Annotated[str, Field(min_length=1, max_length=500, title=gettext_noop("题目"))]
    kind: Annotated[str, BeforeValidator(_kind)] = Field(
        default="likert", title=gettext_noop("题型")
    )


DEFAULT_QUESTIONS = [
    {"id": "attitude", "text": "您对服务人员的态度是否满意？", "kind": "likert"},
    {"id": "timeliness", "text": "服务是否及时、按约定的时间提供？", "kind": "likert"},
    {"id": "effect", "text": "服务是否解决了您的实际困难？", "kind": "likert"},
    {"id": "frequency", "text": "您对服务的频次和时长是否满意？", "kind": "likert"},
    {"id": "overall", "text": "总体而言，您对这项服务是否满意？", "kind": "likert"},
    {"id": "suggestion", "text": "您还有什么意见或建议？", "kind": "text"},
]


class SurveyInput(Input):
    """A survey the purchaser opens, with ``tokens`` one-time respondent tokens; without
    ``questions``, the standard five (1–5) and a comment."""

    title: RequiredText(200, title=gettext_noop("调查标题"))
    opens_on: dt.date = Field(title=gettext_noop("开始日期"))
    closes_on: dt.date = Field(title=gettext_noop("截止日期"))
    tokens: int = Field(ge=1, le=MAX_TOKENS, title=gettext_noop("答卷令牌数量"))
    questions: Annotated[list[QuestionInput], Field(min_length=1)] | None = Field(
        default=None, title=gettext_noop("题目")
    )

    @model_validator(mode="after")
    def _rules(self) -> SurveyInput:
        if self.closes_on < self.opens_on:
            raise field_error("closes_on", gettext_lazy("截止日期不能早于开始日期。"))
        seen: set[str] = set()
        for n, q in enumerate(self.questions or []):
            if q.id in seen:
                raise field_error(f"questions.{n}.id", gettext_lazy("题目编号不能为空或重复。"))
            seen.add(q.id)
        if self.questions is not None and not any(q.kind == "likert" for q in self.questions):
            raise field_error("questions", gettext_lazy("至少需要一道满意度评分题。"))
        return self

    def question_rows(self) -> list[dict[str, str]]:
        if self.questions is None:
            return [dict(q) for q in DEFAULT_QUESTIONS]
        return [q.model_dump() for q in self.questions]


# --- hearings (听证会): public records, no personal data ---------------------------------------------


class HearingInput(Input):
    held_on: Day = Field(title=gettext_noop("举行日期"))
    participants: RequiredText(2000, title=gettext_noop("参加人员"))
    opinions: RequiredText(MAX_TEXT, title=gettext_noop("听证意见"))
    follow_up: Annotated[
        Text(MAX_TEXT, title=gettext_noop("意见处理和落实情况")), BeforeValidator(_blank)
    ]
    place: Annotated[Text(200, title=gettext_noop("地点")), BeforeValidator(_blank)]

    @model_validator(mode="after")
    def _public(self) -> HearingInput:
        refuse_personal_data(self, "participants", "opinions", "follow_up", "place")
        return self


class FollowUpInput(Input):
    """How a hearing's opinions were handled (public too)."""

    follow_up: RequiredText(MAX_TEXT, title=gettext_noop("意见处理和落实情况"))

    @model_validator(mode="after")
    def _public(self) -> FollowUpInput:
        refuse_personal_data(self, "follow_up")
        return self


# --- standardisation assessments (社会组织规范化评估) ---------------------------------------------

MAX_SCORE = Decimal("1000")  # the national assessment scale (1000 points)


def _assessment_score(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError(gettext_lazy("评估得分须以字符串或整数给出，不能是浮点数。"))
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(
            gettext_lazy("评估得分不是有效的数字：%(value)s。") % {"value": repr(value)}
        ) from None
    if not score.is_finite() or not Decimal(0) <= score <= MAX_SCORE:
        raise ValueError(
            gettext_lazy("评估得分应在 0 到 %(MAX_SCORE)s 分之间。") % {"MAX_SCORE": MAX_SCORE}
        )
    if score != score.quantize(CENT):
        raise ValueError(gettext_lazy("评估得分最多保留两位小数。"))
    return score.quantize(CENT)


def _grade_level(value: Any) -> int:
    """1–5, or "1A"–"5A"."""
    refused = "建议等级应为 1 到 5（即 1A–5A）。"
    if isinstance(value, bool):
        raise ValueError(refused)
    try:
        level = int(str(value).strip().upper().removesuffix("A"))
    except (TypeError, ValueError):
        raise ValueError(refused) from None
    if not 1 <= level <= 5:
        raise ValueError(refused)
    return level


class AssessmentInput(Input):
    """An evaluator organization's assessment of a social organization (民政部令第39号)."""

    score: Annotated[Decimal, BeforeValidator(_assessment_score)] = Field(
        title=gettext_noop("评估得分")
    )
    proposed_level: Annotated[int, BeforeValidator(_grade_level)] = Field(
        title=gettext_noop("建议等级")
    )
    report: RequiredText(MAX_TEXT, title=gettext_noop("评估意见"))
    assessed_on: Day = Field(title=gettext_noop("评估日期"))

    @model_validator(mode="after")
    def _public(self) -> AssessmentInput:
        refuse_personal_data(self, "report")
        return self


# --- financial audit ------------------------------------------------------------------------------


def _year(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(gettext_lazy("年度应为四位数字。"))
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(gettext_lazy("年度应为四位数字。")) from None
    latest = timezone.localdate().year + 1
    if not 2000 <= year <= latest:
        raise ValueError(gettext_lazy("年度应在 2000 至 %(latest)s 年之间。") % {"latest": latest})
    return year


def _contract_ids(value: Any) -> list[int]:
    """Contract ids (or contracts), each once, in the order given."""
    if value is None or isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValueError(gettext_lazy("请选择列入审计计划的项目合同。"))
    ids: list[int] = []
    for item in value:
        pk = getattr(item, "pk", item)
        if isinstance(pk, bool) or not isinstance(pk, int | str) or not str(pk).isdigit():
            raise ValueError(gettext_lazy("合同编号无效：%(pk)s。") % {"pk": repr(pk)})
        if int(pk) not in ids:
            ids.append(int(pk))
    if not ids:
        raise ValueError(gettext_lazy("请至少选择一个列入审计计划的项目合同。"))
    return ids


class AuditPlanInput(Input):
    """The auditor's plan of a unit's year: which signed contracts are audited."""

    year: Annotated[int, BeforeValidator(_year)] = Field(title=gettext_noop("年度"))
    contracts: Annotated[list[int], BeforeValidator(_contract_ids)] = Field(
        title=gettext_noop("项目合同")
    )
    note: Annotated[Text(MAX_TEXT, title=gettext_noop("说明")), BeforeValidator(_blank)]


class FindingInput(Input):
    description: RequiredText(MAX_TEXT, title=gettext_noop("审计发现"))
    rectify_by: Day = Field(title=gettext_noop("整改期限"))


class FindingResponseInput(Input):
    """The provider's report of its rectification."""

    response: RequiredText(MAX_TEXT, title=gettext_noop("整改情况"))


class FindingCloseInput(Input):
    """The auditor's note closing (销号) a finding."""

    note: RequiredText(MAX_TEXT, title=gettext_noop("销号意见"))


# --- scores ---------------------------------------------------------------------------------------


class ScoreEntry(Input):
    """One leaf indicator's score and evidence; for 实际完成率 the actual and planned output
    (the platform computes the rate)."""

    score: Annotated[Points | None, BeforeValidator(lambda v: None if v == "" else v)] = None
    evidence: Annotated[BlankText, AfterValidator(lambda text: text[:2000])] = Field(
        default="", title=gettext_noop("评分依据")
    )
    actual: Count | None = Field(default=None, title=gettext_noop("实际产出数"))
    planned: Count | None = Field(default=None, title=gettext_noop("计划产出数"))

    @model_validator(mode="before")
    @classmethod
    def _entry(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError(gettext_lazy("每项须包含得分和依据。"))
        return value


class ScoresInput(Input):
    """The evaluator's scores by leaf indicator code (saved in parts), and the conclusion."""

    scores: dict[str, ScoreEntry] = Field(title=gettext_noop("评分"))
    summary: BlankText = Field(default="", title=gettext_noop("评价结论"))


def _purchaser_score(value: Any) -> Decimal:
    number = _decimal(value, "得分")
    if not 0 <= number <= 100:
        raise ValueError(gettext_lazy("得分须在 0 到 100 之间。"))
    return number


class PurchaserScoreInput(Input):
    """The purchaser's own score (0–100), one subject of the multi-subject evaluation."""

    score: Annotated[Decimal, BeforeValidator(_purchaser_score)] = Field(
        title=gettext_noop("购买方评分")
    )


class SubjectWaiverInput(Input):
    """The purchaser's waiver of one subject that has no result: which subject
    (``purchaser`` or ``recipients``) and why (issue 20; rules in services/waivers.py)."""

    subject: Line(20, title=gettext_noop("评价主体"))
    reason: Line(500, title=gettext_noop("免评理由"))
