"""Procurement's inputs (``caidan.common.inputs``): a tender's documents with their scoring
sheet, a bid's content, an expert's scores, compliance review and correction, an expert's
record.

Built from the API schema, the form's ``cleaned_data`` or keywords. Which of a tender's
fields apply, and how, is the method's configuration (``methods.config_for``): the invited
provider, the posts, the committee and the scoring sheet. The checks that need the database
or the jurisdiction's settings stay in the services: the bid security cap and the price
weight (``tender_rules``), the bids and factors a sheet may name and their ranges
(``evaluation``), an expert's login (``experts``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import BeforeValidator, Field, model_validator

from caidan.accounts.models import Unit, User
from caidan.common.errors import field_error
from caidan.common.inputs import Choice, Input, Money, PositiveMoney, RequiredText, rule
from caidan.common.money import format_yuan
from caidan.orgs.models import Organization, ServiceField
from caidan.projects.models import GradePolicy

from . import scoring
from .methods import committee_needed, config_for, default_committee_size, experts_needed
from .models import Aggregate, Bid, CorrectionReason, EvaluationMethod, Method

FACTOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
AUTO_FACTORS = ("track_record",)  # computed, not scored (``ranking.auto_factor_points``)
DEFAULT_FACTORS = [
    {"id": "plan", "name": "服务方案", "max": 40},
    {"id": "team", "name": "团队与资质", "max": 20},
    {"id": "experience", "name": "同类项目经验", "max": 10},
]
MAX_TEXT = 20000  # a bid's plan or team, a tender's description
CENT = Decimal("0.01")
SCORE_LIMIT = Decimal(10) ** 6  # keeps quantize in range; a factor is worth at most 100


def _blank(value: Any) -> Any:
    """An absent text (``None``) is empty text."""
    return "" if value is None else value


def _none_if_blank(value: Any) -> Any:
    """An empty form field (``""``, blank text) is no value."""
    return None if isinstance(value, str) and not value.strip() else value


def _zero_if_blank(value: Any) -> Any:
    return 0 if value is None or (isinstance(value, str) and not value.strip()) else value


def OptionalText(max_length: int, *, title: str) -> Any:  # noqa: N802 - a type factory
    """Optional text, ``None`` counting as empty."""
    return Annotated[
        str, BeforeValidator(_blank), Field(default="", max_length=max_length, title=title)
    ]


def _instance_of(model: type, text: str):
    def check(value: Any) -> Any:
        value = _none_if_blank(value)
        if value is not None and not isinstance(value, model):
            raise rule(text)
        return value

    return BeforeValidator(check)


OrganizationRef = Annotated[
    Organization | None, _instance_of(Organization, "须为已登记的社会组织。")
]
UnitRef = Annotated[Unit | None, _instance_of(Unit, "无效。")]
UserRef = Annotated[User | None, _instance_of(User, "无效。")]


def _choice_or_none(choices: type, *, title: str) -> Any:
    """One value of ``choices``, or ``None`` (blank) for the default the service applies."""
    labels = "、".join(str(label) for label in choices.labels)

    def check(value: Any) -> Any:
        value = _none_if_blank(value)
        if value is not None and value not in choices.values:
            raise rule(
                _("“%(value)s”无效（可选：%(labels)s）。") % {"value": value, "labels": labels}
            )
        return value

    return Annotated[str | None, BeforeValidator(check), Field(default=None, title=title)]


def _count_or_none(*, title: str, maximum: int) -> Any:
    """A whole number, or ``None`` (blank) for the default the service applies."""
    return Annotated[
        Annotated[int, Field(ge=0, le=maximum)] | None,
        BeforeValidator(_none_if_blank),
        Field(default=None, title=title),
    ]


# --- a tender's documents -------------------------------------------------------------------


def _service_fields(value: Any) -> list[str]:
    """Known service fields (a list)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise rule(_("须为列表。"))
    bad = [str(f) for f in value if f not in ServiceField.values]
    if bad:
        raise rule(_("“%(join)s”无效。") % {"join": "、".join(bad)})
    return [str(f) for f in value]


def _exact(value: Any) -> Decimal:
    """An exact number: an int, ``Decimal`` or numeric string, never a float."""
    if isinstance(value, float):
        raise rule(_("须以整数或字符串给出，不能是浮点数。"))
    if isinstance(value, bool) or value is None:
        raise rule(_("须为数字。"))
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise rule(_("须为数字。")) from None
    if not number.is_finite():
        raise rule(_("须为数字。"))
    return number


def _points(value: Any) -> Decimal:
    """Points of the scoring sheet: 0–100, at most two decimals."""
    number = _exact(value)
    if not 0 <= number <= scoring.SHEET_TOTAL or number != number.quantize(CENT):
        raise rule(_("须为 0 到 100 之间的数，最多保留两位小数。"))
    return number


def _factor_max(value: Any) -> Decimal:
    number = _exact(value)
    if not 0 < number <= scoring.SHEET_TOTAL:
        raise rule(_("须为大于 0、不超过 100 的数（不能是浮点数）。"))
    if number != number.quantize(CENT):
        raise rule(_("最多保留两位小数。"))
    return number


def _factor_id(value: Any) -> str:
    text = str(_blank(value)).strip()
    if not FACTOR_ID.match(text):
        raise rule(_("须为小写英文字母开头的字母、数字或下划线。"))
    return text


def _auto(value: Any) -> str:
    value = _blank(value)
    if value and value not in AUTO_FACTORS:
        raise rule(_("只支持 track_record（履约记录）。"))
    return value


class Factor(Input):
    """A scoring factor (评审因素) worth ``0..max`` points; an automatic one
    (``track_record``) is computed, not scored by the experts."""

    id: Annotated[str, BeforeValidator(_factor_id), Field(title=gettext_noop("编号"))]
    name: RequiredText(100, title=gettext_noop("名称"))
    max: Annotated[Decimal, BeforeValidator(_factor_max), Field(title=gettext_noop("分值"))]
    guidance: OptionalText(2000, title=gettext_noop("评分说明"))
    auto: Annotated[str, BeforeValidator(_auto), Field(default="", title=gettext_noop("自动计分"))]

    def as_json(self) -> dict[str, Any]:
        """The row as the tender stores it (an integral maximum as an int)."""
        row: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "max": int(self.max) if self.max == int(self.max) else str(self.max),
            "guidance": self.guidance,
        }
        if self.auto:
            row["auto"] = self.auto
        return row


def project_defaults(proposal) -> dict[str, Any]:
    """A new tender's documents as the approved project has them."""
    return {
        "title": proposal.title,
        "method": proposal.procurement_method,
        "description": proposal.description,
        "budget": proposal.budget,
        "grade_policy": proposal.grade_policy,
        "required_fields": list(proposal.required_fields),
        "require_experience": proposal.require_experience,
    }


class TenderInput(Input):
    """A tender's documents (采购文件) for an approved project, checked as one (DOMAIN.md
    §4.1). What a new tender leaves out comes from the project (``project_defaults``) and
    the fields' defaults; ``aggregate`` and ``reserve_count`` left blank are the
    jurisdiction's settings (the service applies them), ``committee_size`` left blank is
    the smallest lawful committee."""

    proposal: Any = Field(title=gettext_noop("立项项目"))
    title: RequiredText(200, title=gettext_noop("采购项目名称"))
    method: Choice(Method, title=gettext_noop("采购方式"))
    evaluation_method: Choice(EvaluationMethod, title=gettext_noop("评标方法")) = (
        EvaluationMethod.COMPREHENSIVE
    )
    aggregate: _choice_or_none(Aggregate, title=gettext_noop("专家评分汇总方式"))
    description: OptionalText(MAX_TEXT, title=gettext_noop("采购需求"))
    budget: PositiveMoney = Field(title=gettext_noop("采购预算"))
    bid_security: Annotated[Money, Field(ge=0, title=gettext_noop("投标保证金"))] = Decimal("0.00")
    grade_policy: Choice(GradePolicy, title=gettext_noop("等级要求")) = GradePolicy.PREFERRED
    required_fields: Annotated[
        list[str],
        BeforeValidator(_service_fields),
        Field(default_factory=list, title=gettext_noop("要求的服务领域")),
    ]
    require_experience: bool = Field(default=False, title=gettext_noop("要求项目实施经验"))
    abnormal_excludes: bool | None = Field(default=None, title=gettext_noop("活动异常名录排除"))
    designer_organization: OrganizationRef = Field(default=None, title=gettext_noop("项目设计单位"))
    price_points: Annotated[
        Decimal, BeforeValidator(_points), Field(title=gettext_noop("价格分"))
    ] = Decimal(30)
    factors: list[Factor] = Field(
        default_factory=lambda: [Factor(**f) for f in DEFAULT_FACTORS],
        title=gettext_noop("评分因素"),
    )
    committee_size: _count_or_none(title=gettext_noop("评审委员会人数"), maximum=99)
    reserve_count: _count_or_none(title=gettext_noop("备选专家人数"), maximum=99)
    invited_organization: OrganizationRef = Field(default=None, title=gettext_noop("拟定承接主体"))
    justification: OptionalText(5000, title=gettext_noop("采用该方式的理由"))
    posts: Annotated[
        int,
        BeforeValidator(_zero_if_blank),
        Field(default=0, ge=0, le=100000, title=gettext_noop("岗位数")),
    ]
    post_requirements: OptionalText(5000, title=gettext_noop("岗位要求"))
    post_price_cap: Annotated[
        PositiveMoney | None,
        BeforeValidator(_none_if_blank),
        Field(title=gettext_noop("每岗位最高单价")),
    ] = None
    deadline: dt.datetime | None = Field(default=None, title=gettext_noop("投标截止（开标）时间"))
    method_change_reason: OptionalText(5000, title=gettext_noop("变更采购方式理由"))

    @model_validator(mode="before")
    @classmethod
    def _from_the_project(cls, values: Any) -> Any:
        proposal = values.get("proposal") if isinstance(values, dict) else None
        if proposal is None:
            return values
        return {**project_defaults(proposal), **values}

    @model_validator(mode="after")
    def _rules(self) -> TenderInput:
        if self.proposal is None:
            raise field_error("proposal", _("请选择已立项的项目。"))
        if self.budget > self.proposal.budget:
            raise field_error(
                "budget",
                _("采购预算 %(budget)s 超过立项预算 %(budget_2)s（预算为最高限价）。")
                % {
                    "budget": format_yuan(self.budget),
                    "budget_2": format_yuan(self.proposal.budget),
                },
            )
        if self.designer_organization is not None and (
            self.designer_organization == self.invited_organization
        ):
            raise field_error(
                "invited_organization",
                _("为本项目提供设计的单位不得参与本项目采购（实施条例 §18）。"),
            )
        cfg = config_for(self.method)
        if not cfg.lowest_price_allowed and self.evaluation_method == EvaluationMethod.LOWEST_PRICE:
            raise field_error(
                "evaluation_method",
                _("%(label)s须采用综合评分法，不能采用最低评标价法（财库〔2014〕214号 §23）。")
                % {"label": cfg.label},
            )
        self._check_committee()
        if experts_needed(self):
            self._check_sheet()
        self._check_invitation()
        if cfg.justification_required and len(self.justification) < 10:
            raise field_error(
                "justification",
                _("%(label)s须说明采用该方式的理由（将在公告中公开，不少于 10 个字）。")
                % {"label": cfg.label},
            )
        self._check_posts()
        return self

    def _check_committee(self) -> None:
        """Every competitive method has a lawful committee, also under the lowest-price
        method, where it reviews qualification and compliance (87号令 §45–47)."""
        if not committee_needed(self):
            object.__setattr__(self, "committee_size", 0)
            return
        if self.committee_size is None:
            object.__setattr__(
                self, "committee_size", default_committee_size(self.method, self.budget)
            )
        ok, why = scoring.committee_size_ok(
            self.committee_size, budget=self.budget, method=config_for(self.method).committee_rule
        )
        if not ok:
            raise field_error("committee_size", why)
        if self.reserve_count is not None and self.reserve_count < 1:
            raise field_error("reserve_count", _("至少抽取 1 名备选专家，以便回避时递补。"))

    def _check_sheet(self) -> None:
        """The scoring sheet: factors with distinct ids, one at least scored by the
        experts, adding up with the price points to 100."""
        if not self.factors:
            raise field_error(
                "factors", _("综合评分法须设置至少一项评分因素（服务方案、团队等）。")
            )
        seen = set()
        for i, factor in enumerate(self.factors):
            if factor.id in seen:
                raise field_error(
                    f"factors.{i}.id", _("评分因素编号“%(id)s”重复。") % {"id": factor.id}
                )
            seen.add(factor.id)
        if all(f.auto for f in self.factors):
            raise field_error("factors", _("至少需要一项由专家评分的因素。"))
        total = self.price_points + sum(f.max for f in self.factors)
        if total != scoring.SHEET_TOTAL:
            raise field_error(
                "factors",
                _("价格分与各评分因素分值之和须为 100 分，当前为 %(normalize)s 分。")
                % {"normalize": format(total.normalize(), "f")},
            )

    def _check_invitation(self) -> None:
        """Single source and agreement purchase name the provider; the others may not."""
        cfg = config_for(self.method)
        invited = self.invited_organization
        if not cfg.invited_only:
            if invited is not None:
                raise field_error(
                    "invited_organization",
                    _("%(label)s面向所有合格供应商，不能指定承接主体。") % {"label": cfg.label},
                )
            return
        if invited is None:
            raise field_error(
                "invited_organization",
                _("%(label)s须指定拟定的承接主体（社会组织）。") % {"label": cfg.label},
            )
        if cfg.invitee_must_be_hub and not invited.is_hub:
            raise field_error(
                "invited_organization",
                _("协议购买只适用于枢纽型社会组织，“%(name)s”不是枢纽型社会组织。")
                % {"name": invited.name},
            )

    def _check_posts(self) -> None:
        """Post purchase: the number of posts, their requirements, a cap within the budget."""
        cfg = config_for(self.method)
        if not cfg.posts:
            if self.posts:
                raise field_error("posts", _("%(label)s不设岗位数。") % {"label": cfg.label})
            return
        if self.posts < 1:
            raise field_error("posts", _("岗位购买须填写岗位数（至少 1 个）。"))
        if not self.post_requirements:
            raise field_error(
                "post_requirements", _("岗位购买须填写岗位要求（资格、职责、工作时间）。")
            )
        cap = self.post_price_cap
        if cap is not None and cap * self.posts > self.budget:
            raise field_error(
                "post_price_cap",
                _("每岗位最高单价 %(cap)s × %(posts)s 个岗位超过采购预算 %(budget)s。")
                % {
                    "cap": format_yuan(cap),
                    "posts": self.posts,
                    "budget": format_yuan(self.budget),
                },
            )

    def documents(self) -> dict[str, Any]:
        """The tender's fields as stored (factors as JSON rows); ``aggregate`` and
        ``reserve_count`` may still be ``None`` (the jurisdiction's settings)."""
        values = self.values(*(name for name in type(self).model_fields if name != "proposal"))
        values["factors"] = [f.as_json() for f in self.factors]
        return values


# --- a bid ------------------------------------------------------------------------------------

OptionalPositiveMoney = Annotated[PositiveMoney | None, BeforeValidator(_none_if_blank)]


class BidContentInput(Input):
    """What a bid says, checked before sealing (the server sees it only for this moment):
    the total price, or under post purchase the price per post (``bids.bid_submit``
    multiplies it by the tender's posts), the service plan and the team."""

    price: OptionalPositiveMoney = Field(default=None, title=gettext_noop("投标报价"))
    per_post_price: OptionalPositiveMoney = Field(default=None, title=gettext_noop("每岗位报价"))
    plan: RequiredText(MAX_TEXT, title=gettext_noop("服务方案"))
    team: OptionalText(MAX_TEXT, title=gettext_noop("团队说明"))


# --- an expert's sheet --------------------------------------------------------------------------


def _key(value: Any) -> str:
    """A bid's or a factor's id as the sheet keys it (text)."""
    return str(value)


Key = Annotated[str, BeforeValidator(_key)]


def _score(value: Any) -> Decimal:
    """One factor's points: an int, ``Decimal`` or numeric string with at most 2 decimals,
    never a float (its range is the tender's factor, checked by the service)."""
    if isinstance(value, float):
        raise ValueError(
            _('评分不能是浮点数（%(value)s）：请以整数或字符串给出，如 "%(value_2)s"。')
            % {"value": repr(value), "value_2": value}
        )
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValueError(_("评分必须是数字，收到 %(value)s。") % {"value": repr(value)})
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (ArithmeticError, ValueError):
        raise ValueError(_("评分不是有效的数字：%(value)s。") % {"value": repr(value)}) from None
    if not number.is_finite() or abs(number) >= SCORE_LIMIT:  # also keeps quantize in range
        raise ValueError(_("评分不是有效的分数：%(value)s。") % {"value": repr(value)})
    if number != number.quantize(CENT):
        raise ValueError(_("评分最多保留 2 位小数，收到 %(value)s。") % {"value": value})
    return number.quantize(CENT)


Score = Annotated[Decimal, BeforeValidator(_score)]


class SheetScoresInput(Input):
    """An expert's scores, ``{bid id: {factor id: points}}`` (a draft may be incomplete).
    Which bids and factors it may name, and each factor's range, ``evaluation`` checks
    against the tender."""

    scores: dict[Key, dict[Key, Score]] = Field(title=gettext_noop("评分"))


def _verdict_reason(value: Any) -> str:
    value = _blank(value)
    if not isinstance(value, str) or len(value) > 2000:
        raise ValueError(_("理由须为不超过 2000 字的文本。"))
    return value


class Verdict(Input):
    """One bid's qualification and compliance review (资格性和符合性审查, 87号令 §50): pass,
    or fail (which needs a reason: the service says so naming the bidder)."""

    passed: bool = Field(alias="pass", title=gettext_noop("审查结论"))
    reason: Annotated[str, BeforeValidator(_verdict_reason)] = Field(
        default="", title=gettext_noop("理由")
    )

    @model_validator(mode="before")
    @classmethod
    def _a_conclusion(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("pass"), bool):
            raise ValueError(_("审查结论须为“通过”或“不通过”。"))
        return value

    def as_json(self) -> dict[str, Any]:
        return {"pass": self.passed, "reason": self.reason}


class SheetVerdictsInput(Input):
    """A committee member's compliance review under the lowest-price method,
    ``{bid id: {"pass": bool, "reason": text}}``; which bids, ``evaluation`` checks."""

    verdicts: dict[Key, Verdict] = Field(title=gettext_noop("审查意见"))


def _correction_reason(value: Any) -> str:
    if value not in CorrectionReason.values:
        reasons = "；".join(f"{label}（{v}）" for v, label in CorrectionReason.choices)
        raise ValueError(
            _("已提交的评分仅在以下情形可以修改（87号令 §64）：%(reasons)s。")
            % {"reasons": reasons}
        )
    return str(value)


class ScoreCorrectionInput(Input):
    """One correction of a submitted score (87号令 §64): the bid and the factor, the new
    points, one of the reasons the law allows, a note. Whether the bid and the factor are
    on the expert's sheet, and the factor's range, ``evaluation.score_correct`` checks."""

    bid: Annotated[Bid | None, _instance_of(Bid, "须为本项目的投标。")] = Field(
        title=gettext_noop("投标")
    )
    factor: RequiredText(40, title=gettext_noop("评审因素"))
    new_value: Score = Field(title=gettext_noop("更正后的分数"))
    reason: Annotated[str, BeforeValidator(_correction_reason)] = Field(
        title=gettext_noop("更正原因")
    )
    note: OptionalText(2000, title=gettext_noop("说明"))

    @model_validator(mode="after")
    def _a_bid(self) -> ScoreCorrectionInput:
        if self.bid is None:
            raise field_error("bid", _("请选择要更正评分的投标。"))
        return self


# --- an expert ----------------------------------------------------------------------------------


def _specialties(value: Any) -> list[str]:
    """At least one known service field, each once (sorted)."""
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(_("请至少选择一个专业领域。"))
    bad = [str(v) for v in value if v not in ServiceField.values]
    if bad:
        raise rule(_("无效：%(join)s。") % {"join": "、".join(bad)})
    return sorted(set(value))


class ExpertInput(Input):
    """An expert's record in the pool (评审专家库). Whether the login may be bound (it holds
    the expert role and no other expert has it) ``experts`` checks."""

    name: RequiredText(100, title=gettext_noop("专家姓名"))
    specialties: Annotated[
        list[str], BeforeValidator(_specialties), Field(title=gettext_noop("专业领域"))
    ]
    title: OptionalText(100, title=gettext_noop("职称"))
    employer_unit: UnitRef = Field(default=None, title=gettext_noop("所在政府单位"))
    employer_name: OptionalText(200, title=gettext_noop("工作单位"))
    user: UserRef = Field(default=None, title=gettext_noop("登录账号"))
    is_active: bool = Field(default=True, title=gettext_noop("在库"))
