"""Forms of the procurement pages: they parse input only; every rule is in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import DomainError, form_add_error
from caidan.common.widgets import DateInput, DateTimeLocalInput
from caidan.orgs.models import ServiceField

from .methods import evaluation_methods_for
from .models import (
    Aggregate,
    CorrectionReason,
    EvaluationMethod,
    Method,
    TenderStatus,
    TieKind,
)

FACTOR_ROWS = 5
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


class TenderForm(forms.Form):
    """The tender documents. Factors are ``FACTOR_ROWS`` rows of id / name / max; blank rows
    are ignored."""

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
        help_text=_("价格分与各评分因素分值之和须为 100 分；服务类项目价格分不低于 10 分。"),
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
    invited_organization = forms.ChoiceField(
        label=_("拟定承接主体"),
        required=False,
        help_text=_("仅单一来源、协议购买填写。"),
    )
    justification = forms.CharField(
        label=_("采用该方式的理由"),
        required=False,
        help_text=_("单一来源、协议购买须填写，随公告公开。"),
        **TEXT,
    )
    posts = forms.IntegerField(
        label=_("岗位数"), required=False, min_value=0, help_text=_("仅岗位购买填写。")
    )
    post_requirements = forms.CharField(label=_("岗位要求"), required=False, **TEXT)
    post_price_cap = forms.DecimalField(label=_("每岗位最高单价（元）"), required=False, **MONEY)
    deadline = forms.DateTimeField(
        label=_("投标截止（开标）时间"),
        required=False,
        widget=DateTimeLocalInput,
        help_text=_("北京时间。发布时检查：公开招标自公告起不少于 20 日，且须为工作日。"),
    )

    SECTIONS = (
        (_("基本信息"), ("title", "method", "method_change_reason", "description")),
        (
            _("预算与资格"),
            ("budget", "bid_security", "grade_policy", "required_fields", "require_experience"),
        ),
        (_("评审"), ("evaluation_method", "aggregate", "committee_size", "reserve_count")),
        (
            _("单一来源、协议购买与岗位购买"),
            (
                "invited_organization",
                "justification",
                "posts",
                "post_requirements",
                "post_price_cap",
            ),
        ),
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = list(organizations)
        self.fields["invited_organization"].choices = [("", "—")] + [
            (str(o.pk), o.name) for o in self.organizations
        ]
        # Offer only the evaluation methods the chosen procurement method allows
        # (competitive consultation: comprehensive scoring only, 财库〔2014〕214号 §23).
        method = (self.data.get("method") if self.is_bound else None) or self.initial.get("method")
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
        for i in range(1, FACTOR_ROWS + 1):
            self.fields[f"factor_{i}_id"] = forms.CharField(
                label=_("编号"), required=False, max_length=40
            )
            self.fields[f"factor_{i}_name"] = forms.CharField(
                label=_("评分因素"), required=False, max_length=100
            )
            self.fields[f"factor_{i}_max"] = forms.DecimalField(
                label=_("分值"), required=False, max_digits=6, decimal_places=2, min_value=0
            )
        self._factor_rows: list[int] = []

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def factor_rows(self):
        return [
            (self[f"factor_{i}_id"], self[f"factor_{i}_name"], self[f"factor_{i}_max"])
            for i in range(1, FACTOR_ROWS + 1)
        ]

    @staticmethod
    def initial_factors(factors) -> dict:
        out = {}
        for i, f in enumerate(list(factors or [])[:FACTOR_ROWS], start=1):
            out.update(
                {
                    f"factor_{i}_id": f["id"],
                    f"factor_{i}_name": f["name"],
                    f"factor_{i}_max": f["max"],
                }
            )
        return out

    def factors(self) -> list[dict]:
        d = self.cleaned_data
        rows, self._factor_rows = [], []
        for i in range(1, FACTOR_ROWS + 1):
            fid = (d.get(f"factor_{i}_id") or "").strip()
            name = (d.get(f"factor_{i}_name") or "").strip()
            maximum = d.get(f"factor_{i}_max")
            if not fid and not name and maximum is None:
                continue
            rows.append({"id": fid, "name": name, "max": "" if maximum is None else str(maximum)})
            self._factor_rows.append(i)
        return rows

    def error_aliases(self) -> dict[str, str]:
        """``factors.<index>.<part>`` (index into the non-blank rows) → the row's field."""
        aliases = {}
        for index, row in enumerate(self._factor_rows):
            for part in ("id", "name", "max"):
                aliases[f"factors.{index}.{part}"] = f"factor_{row}_{part}"
        return aliases

    def service_data(self) -> dict:
        """The documents for ``TenderInput``: the invited organization picked from the
        list, blank numbers left out (the service's lawful defaults on a new tender,
        unchanged on a draft)."""
        d = self.cleaned_data
        invited = d["invited_organization"]
        data = {
            "title": d["title"],
            "method": d["method"],
            "method_change_reason": d["method_change_reason"],
            "evaluation_method": d["evaluation_method"],
            "aggregate": d["aggregate"],
            "description": d["description"],
            "budget": d["budget"],
            "bid_security": d["bid_security"],
            "grade_policy": d["grade_policy"],
            "required_fields": list(d["required_fields"]),
            "require_experience": d["require_experience"],
            "price_points": d["price_points"],
            "factors": self.factors(),
            "invited_organization": next(
                (o for o in self.organizations if str(o.pk) == invited), None
            ),
            "justification": d["justification"],
            "posts": d["posts"] or 0,
            "post_requirements": d["post_requirements"],
            "post_price_cap": d["post_price_cap"],
            "deadline": d["deadline"],
        }
        for key in ("committee_size", "reserve_count"):
            if d.get(key) is not None:
                data[key] = d[key]
        return data


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
