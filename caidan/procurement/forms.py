"""Forms of the procurement pages: they parse input only; every rule is in the services."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import DomainError, form_add_error
from caidan.common.i18n import join_list
from caidan.common.widgets import DateInput, DateTimeLocalInput
from caidan.orgs.models import ServiceField

from . import scoring, sheet_templates
from .inputs import FACTOR_ID
from .methods import MethodConfig, config_for, evaluation_methods_for
from .models import (
    Aggregate,
    CorrectionReason,
    EvaluationMethod,
    Method,
    TenderStatus,
    TieKind,
)

GRADE_POLICIES = [
    ("none", _("不要求")),
    ("preferred", _("3A 及以上优先")),
    ("required", _("须 3A 及以上")),
]
MONEY = {"max_digits": 16, "decimal_places": 2}
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


def add_domain_error(form, error: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Like ``form_add_error``, also mapping service field names (``factors.0.max``,
    ``scores.12.plan``) to this form's fields through ``aliases``."""
    field = error.field or ""
    if aliases and field in aliases and aliases[field] in form.fields:
        form.add_error(aliases[field], error.message)
        return
    form_add_error(form, error)


class TenderListFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(TenderStatus.choices)
    )
    method = forms.ChoiceField(
        label=_("采购方式"), required=False, choices=[("", _("全部"))] + list(Method.choices)
    )
    q = forms.CharField(label=_("项目名称或编号"), required=False, max_length=100)


FACTOR_KEY = re.compile(r"^factor_(\d{1,3})_(id|auto|name|max|guidance)$")
FACTOR_PARTS = ("id", "auto", "name", "max", "guidance")
MAX_FACTOR_ROWS = 20


def _row_indices(keys) -> list[int]:
    """The row numbers named by ``factor_<n>_<part>`` keys, in order (at most
    ``MAX_FACTOR_ROWS``): rows are numbered by the page, not consecutively (a removed row
    leaves a gap)."""
    found = sorted({int(m.group(1)) for key in keys if (m := FACTOR_KEY.match(str(key)))})
    return found[:MAX_FACTOR_ROWS]


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class Section:
    """A part of the tender form and the methods it applies to (``None``: every method);
    ``comprehensive``: only under comprehensive scoring."""

    key: str
    title: Any
    names: tuple[str, ...]
    applies: Callable[[MethodConfig], bool] | None = None
    comprehensive: bool = False

    def methods(self) -> list[str]:
        if self.applies is None:
            return []
        return [m for m in Method.values if self.applies(config_for(m))]

    def method_labels(self) -> str:
        return join_list(Method(m).label for m in self.methods())

    def applies_to(self, method: str | None, evaluation_method: str | None) -> bool:
        if self.applies is not None and (
            method not in Method.values or not self.applies(config_for(method))
        ):
            return False
        return not self.comprehensive or evaluation_method == EvaluationMethod.COMPREHENSIVE


@dataclass
class FactorRow:
    number: int
    id: Any  # the bound fields
    auto: Any
    name: Any
    max: Any
    guidance: Any

    @property
    def errors(self) -> list[str]:
        return [
            e
            for part in (self.id, self.auto, self.name, self.max, self.guidance)
            for e in part.errors
        ]


class TenderForm(forms.Form):
    """The tender documents, with the sections that apply to the chosen method only
    (``SECTIONS``: the page hides the others, the form ignores what they hold) and the
    scoring sheet as rows ``factor_<n>_<part>`` started from a template
    (``sheet_templates``): the purchaser picks, renames and weighs factors; the ids are the
    template's or generated (``factors``), never typed. Blank rows are ignored."""

    title = forms.CharField(label=_("采购项目名称"), max_length=200)
    method = forms.ChoiceField(label=_("采购方式"), choices=Method.choices)
    method_change_reason = forms.CharField(
        label=_("变更采购方式理由"),
        required=False,
        help_text=_("改用立项时确定以外的采购方式须说明理由，并经财政部门批准后才能发布。"),
        **TEXT,
    )
    evaluation_method = forms.ChoiceField(label=_("评标方法"), choices=EvaluationMethod.choices)
    aggregate = forms.ChoiceField(label=_("专家评分汇总方式"), choices=Aggregate.choices)
    description = forms.CharField(label=_("采购需求"), required=False, **TEXT)
    budget = forms.DecimalField(label=_("采购预算（最高限价，元）"), **MONEY)
    bid_security = forms.DecimalField(
        label=_("投标保证金（元）"),
        initial=0,
        help_text=_("不得超过采购预算的 2%。"),
        **MONEY,
    )
    grade_policy = forms.ChoiceField(label=_("等级要求"), choices=GRADE_POLICIES)
    required_fields = forms.MultipleChoiceField(
        label=_("要求的服务领域"),
        required=False,
        choices=ServiceField.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    require_experience = forms.BooleanField(label=_("要求具有项目实施经验"), required=False)
    price_points = forms.DecimalField(
        label=_("价格分"),
        max_digits=5,
        decimal_places=2,
        initial=30,
        widget=forms.NumberInput(attrs={"step": "0.01", "data-sheet-weight": ""}),
        help_text=_("价格分与各评分因素分值之和须为 100 分；服务类项目价格分不低于 10 分。"),
    )
    sheet_template = forms.ChoiceField(
        label=_("评分表模板"),
        required=False,
        choices=sheet_templates.choices(),
        help_text=_("按服务领域选择模板，套用后可逐行修改、增加或删除评分因素。"),
    )
    committee_size = forms.IntegerField(
        label=_("评审委员会人数"),
        required=False,
        min_value=0,
        help_text=_("留空按法定最少人数：公开招标 5 人（预算 1000 万元以上 7 人），磋商 3 人。"),
    )
    reserve_count = forms.IntegerField(
        label=_("备选专家人数"), required=False, min_value=0, help_text=_("留空按辖区设置。")
    )
    invited_organization = forms.ChoiceField(label=_("拟定承接主体"), required=False)
    justification = forms.CharField(
        label=_("采用该方式的理由"),
        required=False,
        help_text=_("随公告公开，不少于 10 个字。"),
        **TEXT,
    )
    posts = forms.IntegerField(label=_("岗位数"), required=False, min_value=0)
    post_requirements = forms.CharField(label=_("岗位要求"), required=False, **TEXT)
    post_price_cap = forms.DecimalField(label=_("每岗位最高单价（元）"), required=False, **MONEY)
    deadline = forms.DateTimeField(
        label=_("投标截止（开标）时间"),
        required=False,
        widget=DateTimeLocalInput,
        help_text=_("北京时间。发布时检查：公开招标自公告起不少于 20 日，且须为工作日。"),
    )

    SECTIONS = (
        Section("basic", _("基本信息"), ("title", "method", "method_change_reason", "description")),
        Section(
            "eligibility",
            _("预算与资格"),
            ("budget", "bid_security", "grade_policy", "required_fields", "require_experience"),
        ),
        Section(
            "committee",
            _("评审"),
            ("evaluation_method", "committee_size", "reserve_count"),
            applies=lambda cfg: cfg.committee_rule is not None,
        ),
        Section(
            "invitation",
            _("拟定承接主体"),
            ("invited_organization", "justification"),
            applies=lambda cfg: cfg.invited_only,
        ),
        Section(
            "posts",
            _("岗位"),
            ("posts", "post_requirements", "post_price_cap"),
            applies=lambda cfg: cfg.posts,
        ),
        Section(
            "sheet",
            _("评分表"),
            ("aggregate", "sheet_template", "price_points"),
            applies=lambda cfg: cfg.experts_score,
            comprehensive=True,
        ),
        Section("time", _("时间"), ("deadline",)),
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = list(organizations)
        self.fields["invited_organization"].choices = [("", "—")] + [
            (str(o.pk), o.name) for o in self.organizations
        ]
        # Offer only the evaluation methods the chosen procurement method allows
        # (competitive consultation: comprehensive scoring only, 财库〔2014〕214号 §23).
        # The page's script offers the same when the method changes (every choice, and the
        # methods that allow comprehensive scoring only).
        self.fields["evaluation_method"].widget.attrs.update(
            {
                "data-choices": json.dumps(
                    [[v, str(label)] for v, label in EvaluationMethod.choices], ensure_ascii=False
                ),
                "data-comprehensive-only": " ".join(
                    m for m in Method.values if not config_for(m).lowest_price_allowed
                ),
            }
        )
        method = self._value("method")
        # The deadline's rule for the chosen method; the page swaps it as the method changes.
        periods = self.period_rules()
        self.fields["deadline"].widget.attrs["data-period-rules"] = json.dumps(
            periods, ensure_ascii=False
        )
        if method in periods:
            self.fields["deadline"].help_text = periods[method]
        if method in Method.values:
            allowed = evaluation_methods_for(method)
            self.fields["evaluation_method"].choices = [
                (v, label) for v, label in EvaluationMethod.choices if v in allowed
            ]
            if len(allowed) == 1:
                rule = _(
                    "竞争性磋商须采用综合评分法，不能采用最低评标价法（财库〔2014〕214号 §23）。"
                )
                self.fields["evaluation_method"].help_text = rule
                self.fields["evaluation_method"].error_messages["invalid_choice"] = rule
        self.row_numbers = _row_indices(self.data if self.is_bound else self.initial)
        for n in self.row_numbers:
            self._add_row_fields(n)
        self._factor_rows: list[int] = []
        self.sheet_errors: list[str] = []

    @staticmethod
    def period_rules() -> dict[str, str]:
        """Each method's rule for the deadline (``MethodConfig``: calendar days from the
        jurisdiction's settings, or working days of publicity)."""
        rules, days_of = {}, {}
        for m in Method.values:
            cfg = config_for(m)
            label = str(Method(m).label)
            if cfg.period_setting:
                if cfg.period_setting not in days_of:
                    days_of[cfg.period_setting] = cfg.min_period_days()
                rule = _(
                    "北京时间，须为工作日；%(method)s自公告发布至投标截止不少于 %(days)s 日"
                    "（发布时检查）。"
                ) % {"method": label, "days": days_of[cfg.period_setting]}
            elif cfg.period_working_days:
                rule = _(
                    "北京时间，须为工作日；%(method)s公示不少于 %(days)s 个工作日（发布时检查）。"
                ) % {"method": label, "days": cfg.period_working_days}
            else:
                rule = _("北京时间，须为工作日（发布时检查）。")
            rules[m] = str(rule)
        return rules

    def _add_row_fields(self, n: int) -> None:
        self.fields[f"factor_{n}_id"] = forms.CharField(
            required=False, max_length=40, widget=forms.HiddenInput
        )
        self.fields[f"factor_{n}_auto"] = forms.CharField(
            required=False, max_length=40, widget=forms.HiddenInput
        )
        self.fields[f"factor_{n}_name"] = forms.CharField(
            label=_("评分因素"),
            required=False,
            max_length=100,
            widget=forms.TextInput(attrs={"aria-label": _("评分因素")}),
        )
        self.fields[f"factor_{n}_max"] = forms.DecimalField(
            label=_("分值"),
            required=False,
            max_digits=6,
            decimal_places=2,
            min_value=0,
            widget=forms.NumberInput(
                attrs={"step": "0.01", "data-sheet-weight": "", "aria-label": _("分值")}
            ),
        )
        self.fields[f"factor_{n}_guidance"] = forms.CharField(
            label=_("评分说明"),
            required=False,
            max_length=2000,
            widget=forms.TextInput(attrs={"aria-label": _("评分说明")}),
        )

    def _value(self, name: str):
        """A field's value as the page holds it (typed, or the initial one)."""
        if self.is_bound:
            return self.data.get(name)
        return self.initial.get(name, self.fields[name].initial if name in self.fields else None)

    # --- what applies ---------------------------------------------------------------------

    def applies(self, section: Section) -> bool:
        return section.applies_to(self._value("method"), self._value("evaluation_method"))

    def sections(self):
        """Each section with its fields, whether it applies now, and the methods it applies
        to (the page's script toggles the sections from these)."""
        out = []
        for section in self.SECTIONS:
            fields = [self[name] for name in section.names if name != "sheet_template"]
            out.append(
                {
                    "key": section.key,
                    "title": section.title,
                    "fields": fields,
                    "applies": self.applies(section),
                    "methods": " ".join(section.methods()),
                    "method_labels": section.method_labels(),
                    "comprehensive": section.comprehensive,
                }
            )
        return out

    def clean(self):
        data = super().clean()
        # What a section that does not apply holds is ignored, errors included (the page
        # hides the section; without JavaScript it is shown, marked with its methods).
        for section in self.SECTIONS:
            if self.applies(section):
                continue
            for name in list(self._errors):
                if name in section.names or (section.key == "sheet" and FACTOR_KEY.match(name)):
                    del self._errors[name]
                    data.pop(name, None)
        return data

    # --- the scoring sheet ----------------------------------------------------------------

    def factor_rows(self) -> list[FactorRow]:
        return [
            FactorRow(n, *(self[f"factor_{n}_{part}"] for part in FACTOR_PARTS))
            for n in self.row_numbers
        ]

    def sheet_total(self) -> Decimal | None:
        """Price points plus every row's points as the page holds them (``None`` while a
        number is not one yet)."""
        total = Decimal(0)
        for name in ["price_points"] + [f"factor_{n}_max" for n in self.row_numbers]:
            value = self._value(name)
            if value in (None, ""):
                continue
            number = _number(value)
            if number is None:
                return None
            total += number
        return total

    def sheet_total_text(self) -> str:
        total = self.sheet_total()
        return "—" if total is None else f"{total.normalize():f}"

    def sheet_total_ok(self) -> bool:
        return self.sheet_total() == scoring.SHEET_TOTAL

    @staticmethod
    def initial_factors(factors) -> dict:
        """Rows ``factor_1_…`` … for ``factors`` (a tender's or a template's)."""
        out = {}
        for n, f in enumerate(list(factors or [])[:MAX_FACTOR_ROWS], start=1):
            out.update(
                {
                    f"factor_{n}_id": f.get("id", ""),
                    f"factor_{n}_auto": f.get("auto", ""),
                    f"factor_{n}_name": f.get("name", ""),
                    f"factor_{n}_max": f.get("max", ""),
                    f"factor_{n}_guidance": f.get("guidance", ""),
                }
            )
        return out

    def factors(self) -> list[dict]:
        """The non-blank rows as the service's factors. A row keeps the id it came with (a
        template's, or the saved tender's) when that id is well-formed and not taken by an
        earlier row; any other row gets the next free ``f<n>``."""
        d = self.cleaned_data
        rows, self._factor_rows = [], []
        for n in self.row_numbers:
            name = (d.get(f"factor_{n}_name") or "").strip()
            maximum = d.get(f"factor_{n}_max")
            guidance = (d.get(f"factor_{n}_guidance") or "").strip()
            if not name and maximum is None and not guidance:
                continue
            row = {
                "id": (d.get(f"factor_{n}_id") or "").strip(),
                "name": name,
                "max": "" if maximum is None else str(maximum),
                "guidance": guidance,
            }
            auto = (d.get(f"factor_{n}_auto") or "").strip()
            if auto:
                row["auto"] = auto
            rows.append(row)
            self._factor_rows.append(n)
        taken: set[str] = set()
        for row in rows:
            if FACTOR_ID.match(row["id"]) and row["id"] not in taken:
                taken.add(row["id"])
            else:
                row["id"] = ""
        counter = 0
        for row in rows:
            while not row["id"]:
                counter += 1
                if f"f{counter}" not in taken:
                    row["id"] = f"f{counter}"
                    taken.add(row["id"])
        return rows

    def error_aliases(self) -> dict[str, str]:
        """``factors.<index>.<part>`` (index into the non-blank rows) → the row's field (an
        id, never typed, is the row's name)."""
        aliases = {}
        for index, n in enumerate(self._factor_rows):
            for part in FACTOR_PARTS:
                shown = "name" if part in ("id", "auto") else part
                aliases[f"factors.{index}.{part}"] = f"factor_{n}_{shown}"
        return aliases

    def add_service_error(self, error: DomainError) -> None:
        """A service's refusal on the form: a row's on its field, the whole sheet's
        (``factors``) under the sheet, any other on its field or above the form."""
        if error.field == "factors":
            self.sheet_errors.append(error.message)
            return
        add_domain_error(self, error, aliases=self.error_aliases())

    @property
    def error_count(self) -> int:
        return sum(len(e) for e in self.errors.values()) + len(self.sheet_errors)

    # --- for the service ------------------------------------------------------------------

    def service_data(self) -> dict:
        """The documents for ``TenderInput``: only what applies to the chosen method (the
        rest left out: the service's defaults on a new tender, unchanged on a draft, or
        emptied where the method may not have it), the invited organization picked from
        the list, blank numbers left out."""
        d = self.cleaned_data
        applies = {s.key: self.applies(s) for s in self.SECTIONS}
        data = {
            "title": d["title"],
            "method": d["method"],
            "method_change_reason": d["method_change_reason"],
            "description": d["description"],
            "budget": d["budget"],
            "bid_security": d["bid_security"],
            "grade_policy": d["grade_policy"],
            "required_fields": list(d["required_fields"]),
            "require_experience": d["require_experience"],
            "deadline": d["deadline"],
            # emptied unless the method has them (the input refuses them elsewhere)
            "invited_organization": None,
            "justification": "",
            "posts": 0,
            "post_requirements": "",
            "post_price_cap": None,
        }
        if applies["invitation"]:
            invited = d.get("invited_organization")
            data["invited_organization"] = next(
                (o for o in self.organizations if str(o.pk) == invited), None
            )
            data["justification"] = d.get("justification", "")
        if applies["posts"]:
            data["posts"] = d.get("posts") or 0
            data["post_requirements"] = d.get("post_requirements", "")
            data["post_price_cap"] = d.get("post_price_cap")
        if applies["committee"]:
            data["evaluation_method"] = d["evaluation_method"]
            for key in ("committee_size", "reserve_count"):
                if d.get(key) is not None:
                    data[key] = d[key]
        if applies["sheet"]:
            data["aggregate"] = d["aggregate"]
            data["price_points"] = d["price_points"]
            data["factors"] = self.factors()
        return data

    @classmethod
    def redisplay(cls, post, *, rows: list[dict] | None = None, **kwargs) -> TenderForm:
        """An unbound form showing what ``post`` holds (nothing checked yet), its sheet
        replaced by ``rows`` when given: the page after 'add a row', 'remove a row' or
        'apply a template' without JavaScript."""
        typed = cls(post, **kwargs)
        initial = {name: bf.data for name, bf in ((n, typed[n]) for n in typed.fields)}
        if rows is not None:
            initial = {k: v for k, v in initial.items() if not FACTOR_KEY.match(k)}
            initial.update(cls.initial_factors(rows))
        return cls(initial=initial, **kwargs)


class AmendForm(forms.Form):
    summary = forms.CharField(label=_("澄清或修改的内容"), widget=forms.Textarea(attrs={"rows": 5}))
    affects_bids = forms.BooleanField(
        label=_("影响投标文件编制"),
        required=False,
        initial=True,
        help_text=_("距截止不足 15 日的，截止时间将依法顺延。"),
    )
    new_deadline = forms.DateTimeField(
        label=_("新的投标截止时间"),
        required=False,
        widget=DateTimeLocalInput,
        help_text=_("留空：不变，或按规定自动顺延。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由（将公开）"), widget=forms.Textarea(attrs={"rows": 3}))


class RetenderForm(forms.Form):
    method = forms.ChoiceField(label=_("采购方式"), choices=Method.choices)
    reason = forms.CharField(
        label=_("变更采购方式理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecusalRequestForm(forms.Form):
    expert_name = forms.CharField(
        label=_("专家姓名（如知道）"),
        max_length=100,
        required=False,
        help_text=_("评审专家名单在结果公告前不公开，可只说明关系。"),
    )
    reason = forms.CharField(
        label=_("申请回避的事实和理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如：某专家近三年曾在另一投标人处任职或担任理事。"),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("问题"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("答复将公开，不显示提问单位。"),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))


class BidForm(forms.Form):
    price = forms.DecimalField(label=_("投标报价（元）"), required=False, **MONEY)
    per_post_price = forms.DecimalField(label=_("每岗位报价（元）"), required=False, **MONEY)
    plan = forms.CharField(
        label=_("服务方案"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("投标文件的技术部分：服务内容、方式、进度和质量保证。"),
    )
    team = forms.CharField(
        label=_("项目团队"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("人员、资质与分工。"),
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.tender = tender
        if tender.config.posts:
            del self.fields["price"]
            self.fields["per_post_price"].required = True
            self.fields["per_post_price"].help_text = _("总价 = 每岗位报价 × 岗位数。")
        else:
            del self.fields["per_post_price"]
            self.fields["price"].required = True

    def content(self) -> dict:
        d = self.cleaned_data
        out = {"plan": d["plan"], "team": d.get("team", "")}
        if "per_post_price" in self.fields:
            out["per_post_price"] = str(d["per_post_price"])
        else:
            out["price"] = str(d["price"])
        return out


class AwardForm(forms.Form):
    bid = forms.ChoiceField(label=_("中标供应商"), widget=forms.RadioSelect, required=False)
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("排名并列时须说明确定其中一家的理由。"),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [(str(b.pk), b.organization.name) for b in candidates]
        if len(candidates) > 1:
            self.fields["bid"].required = True
        else:
            self.fields["bid"].widget = forms.HiddenInput()


class ChallengeForm(forms.Form):
    grounds = forms.CharField(
        label=_("质疑事项和理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明质疑事项、事实依据和请求。"),
    )


class ChallengeAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.TypedChoiceField(
        label=_("质疑是否成立"),
        choices=[("no", _("不成立")), ("yes", _("成立"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )


class DeclarationForm(forms.Form):
    no_conflict = forms.TypedChoiceField(
        label=_("利害关系声明"),
        choices=[
            ("yes", _("本人与各投标人不存在利害关系")),
            ("no", _("本人与投标人存在利害关系，申请回避")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    declaration = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("存在利害关系时，写明与哪个投标人存在何种关系。"),
    )


class RecusalForm(forms.Form):
    reason = forms.CharField(label=_("回避理由"), max_length=2000)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("作废理由（应当回避的情形）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明该专家与哪个投标人存在何种应当回避的关系，以及如何发现。"),
    )


class CorrectionForm(forms.Form):
    """One correction of a submitted score; the service checks the reason, the bid, the
    factor and the range (87号令 §64)."""

    bid = forms.ChoiceField(label=_("投标人"))
    factor = forms.ChoiceField(label=_("评分因素"))
    new_value = forms.DecimalField(label=_("更正后的分数"), max_digits=8, decimal_places=2)
    reason = forms.ChoiceField(
        label=_("更正原因"),
        choices=[("", "—")] + list(CorrectionReason.choices),
        help_text=_("已提交的评分仅在 87号令第六十四条规定的四种情形下可以更正，更正记录备查。"),
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, bids=(), factors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [("", "—")] + [(str(b.pk), b.organization.name) for b in bids]
        self.fields["factor"].choices = [("", "—")] + [
            (str(f["id"]), f"{f.get('name') or f['id']}（0–{f['max']}）") for f in factors
        ]


class ExpertSearchForm(forms.Form):
    q = forms.CharField(label=_("专家姓名"), required=False, max_length=100)


class ExpertForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    specialties = forms.MultipleChoiceField(
        label=_("专业领域"), choices=ServiceField.choices, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("职称"), required=False, max_length=100)
    employer_name = forms.CharField(label=_("工作单位"), required=False, max_length=200)
    employer_unit = forms.ChoiceField(
        label=_("所在政府单位（如有）"),
        required=False,
        help_text=_("采购人工作人员不得作为本单位项目的评审专家。"),
    )
    username = forms.CharField(
        label=_("登录账号（用户名）"),
        required=False,
        max_length=150,
        help_text=_("须为已授予“评审专家”角色的用户。"),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_unit"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]


class ExpertEditForm(ExpertForm):
    """The expert's record as the pool administrator maintains it (the login is bound at
    entry)."""

    username = None

    def __init__(self, *args, units=(), **kwargs):
        self.units = list(units)
        super().__init__(*args, units=self.units, **kwargs)

    def changes(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "title": d["title"],
            "specialties": list(d["specialties"]),
            "employer_name": d["employer_name"],
            "employer_unit": next((u for u in self.units if str(u.pk) == d["employer_unit"]), None),
        }


class TieForm(forms.Form):
    organization = forms.ChoiceField(label=_("社会组织"))
    kind = forms.ChoiceField(label=_("关系"), choices=TieKind.choices)
    started_on = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    ended_on = forms.DateField(label=_("终止日期"), required=False, widget=DateInput)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "—")] + [
            (str(o.pk), o.name) for o in organizations
        ]
