"""Forms of the evaluation pages: they parse input only; every rule is in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import DomainError, form_add_error
from caidan.common.money import format_yuan
from caidan.common.widgets import DateInput

from .models import Grade, Stage


def text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def add_domain_error(form, error: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Like ``form_add_error``, also mapping service field names (``scores.P1.1.score``,
    ``indicators.3.weight``, ``answers.overall``) to this form's fields through ``aliases``."""
    field = error.field or ""
    if aliases and field in aliases and aliases[field] in form.fields:
        form.add_error(aliases[field], error.message)
        return
    form_add_error(form, error)


class ResultFilter(forms.Form):
    stage = forms.ChoiceField(
        label=_("阶段"), required=False, choices=[("", _("全部"))] + list(Stage.choices)
    )
    grade = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部"))] + list(Grade.choices)
    )
    q = forms.CharField(label=_("项目名称、合同编号或承接主体"), required=False, max_length=100)


# --- purchaser -----------------------------------------------------------------------------------


class AppointForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("第三方评估机构"),
        queryset=None,
        empty_label="—",
        help_text=_("与承接主体有隶属关系的机构须回避。"),
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ScheduleForm(forms.Form):
    stage = forms.ChoiceField(label=_("评价阶段"), choices=[("", "—")] + list(Stage.choices))
    due_on = forms.DateField(
        label=_("应完成日期"),
        required=False,
        widget=DateInput,
        help_text=_("不填则按规则计算：终期评估在项目年度结束后两个月内。"),
    )

    def __init__(self, *args, scheduled=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "—")] + [
            (value, label) for value, label in Stage.choices if value not in scheduled
        ]


class PurchaserScoreForm(forms.Form):
    score = forms.CharField(
        label=_("购买方评分（0–100）"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "style": "width:8em"}),
    )


class FrameworkForm(forms.Form):
    """The project's indicators as a table: name, weight and target editable per row; the
    tree (code, level, parent, category, formula) kept as it is."""

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators or [])
        for n, ind in enumerate(self.indicators):
            code = ind["code"]
            self.fields[f"i{n}_name"] = forms.CharField(
                label=_("指标名称"),
                initial=ind["name"],
                max_length=200,
                required=False,
                widget=forms.TextInput(
                    attrs={"aria-label": _("%(code)s 名称") % {"code": code}, "style": "width:100%"}
                ),
            )
            self.fields[f"i{n}_weight"] = forms.CharField(
                label=_("权重"),
                initial=ind["weight"],
                max_length=10,
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "aria-label": _("%(code)s 权重") % {"code": code},
                        "inputmode": "decimal",
                        "style": "width:6em",
                    }
                ),
            )
            self.fields[f"i{n}_target"] = forms.CharField(
                label=_("目标值"),
                initial=ind.get("target", ""),
                max_length=200,
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "aria-label": _("%(code)s 目标值") % {"code": code},
                        "style": "width:100%",
                    }
                ),
            )

    def rows(self):
        return [
            (ind, self[f"i{n}_name"], self[f"i{n}_weight"], self[f"i{n}_target"])
            for n, ind in enumerate(self.indicators)
        ]

    def cleaned_indicators(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                **ind,
                "name": d.get(f"i{n}_name", ""),
                "weight": d.get(f"i{n}_weight", ""),
                "target": d.get(f"i{n}_target", ""),
            }
            for n, ind in enumerate(self.indicators)
        ]

    def error_aliases(self) -> dict[str, str]:
        aliases = {}
        for n in range(len(self.indicators)):
            for part in ("name", "weight", "target"):
                aliases[f"indicators.{n}.{part}"] = f"i{n}_{part}"
        return aliases


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("调查标题"), max_length=200)
    opens_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    closes_on = forms.DateField(label=_("截止日期"), widget=DateInput)
    tokens = forms.IntegerField(
        label=_("答卷码数量"),
        help_text=_("每位服务对象一个一次性答卷码，打印在纸条上或通过短信发送。"),
    )


class TokensAddForm(forms.Form):
    count = forms.IntegerField(
        label=_("增加答卷码数量"), widget=forms.NumberInput(attrs={"style": "width:6em"})
    )


class HearingForm(forms.Form):
    held_on = forms.DateField(label=_("举行日期"), widget=DateInput)
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    participants = forms.CharField(
        label=_("参加人员"),
        widget=text(2),
        help_text=_("只写身份类别和人数，如“居民代表 12 人、服务对象 8 人”，不写姓名和电话。"),
    )
    opinions = forms.CharField(label=_("听证意见"), widget=text(4))
    follow_up = forms.CharField(label=_("意见处理和落实情况"), required=False, widget=text(3))


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("意见处理和落实情况"), widget=text(3))


# --- evaluator -----------------------------------------------------------------------------------


class ScoreForm(forms.Form):
    """One row per leaf indicator: score (0..weight) and evidence; for 实际完成率 the actual
    and planned output. The services validate the numbers."""

    summary = forms.CharField(
        label=_("评价结论"),
        required=False,
        widget=text(5),
        help_text=_("公布时必填：总体评价、主要问题和改进建议，将公开。"),
    )

    def __init__(self, *args, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaf_rows = [r for r in (rows or []) if r["leaf"]]

        def number(label):
            return forms.TextInput(
                attrs={"aria-label": label, "inputmode": "decimal", "style": "width:7em"}
            )

        for n, row in enumerate(self.leaf_rows):
            entry, name = row["entry"], row["name"]
            self.fields[f"s{n}_score"] = forms.CharField(
                label=_("得分"),
                required=False,
                max_length=12,
                initial=entry.get("score", ""),
                widget=number(_("%(name)s 得分") % {"name": name}),
            )
            self.fields[f"s{n}_evidence"] = forms.CharField(
                label=_("评分依据"),
                required=False,
                max_length=2000,
                initial=entry.get("evidence", ""),
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "aria-label": _("%(name)s 依据") % {"name": name},
                        "style": "width:100%",
                    }
                ),
            )
            if row["computed"] == "completion":
                self.fields[f"s{n}_actual"] = forms.CharField(
                    label=_("实际产出数"),
                    required=False,
                    max_length=16,
                    initial=entry.get("actual", ""),
                    widget=number(_("%(name)s 实际产出数") % {"name": name}),
                )
                self.fields[f"s{n}_planned"] = forms.CharField(
                    label=_("计划产出数"),
                    required=False,
                    max_length=16,
                    initial=entry.get("planned", ""),
                    widget=number(_("%(name)s 计划产出数") % {"name": name}),
                )

    def table(self):
        out = []
        for n, row in enumerate(self.leaf_rows):
            out.append(
                {
                    "row": row,
                    "score": self[f"s{n}_score"],
                    "evidence": self[f"s{n}_evidence"],
                    "actual": self[f"s{n}_actual"] if f"s{n}_actual" in self.fields else None,
                    "planned": self[f"s{n}_planned"] if f"s{n}_planned" in self.fields else None,
                }
            )
        return out

    def scores(self) -> dict:
        """The rows the evaluator filled in (blank rows are left as they were)."""
        d = self.cleaned_data
        out = {}
        for n, row in enumerate(self.leaf_rows):
            entry = {
                "score": d.get(f"s{n}_score", ""),
                "evidence": d.get(f"s{n}_evidence", ""),
            }
            for key in ("actual", "planned"):
                if d.get(f"s{n}_{key}"):
                    entry[key] = d[f"s{n}_{key}"]
            if any(v not in (None, "") for v in entry.values()):
                out[row["code"]] = entry
        return out

    def error_aliases(self) -> dict[str, str]:
        aliases = {}
        for n, row in enumerate(self.leaf_rows):
            for part in ("score", "evidence", "actual", "planned"):
                aliases[f"scores.{row['code']}.{part}"] = f"s{n}_{part}"
            aliases[f"scores.{row['code']}"] = f"s{n}_score"
        return aliases


# --- the public survey ---------------------------------------------------------------------------


class LikertSelect(forms.RadioSelect):
    template_name = "evaluations/_likert.html"


class SurveyAnswerForm(forms.Form):
    token = forms.CharField(
        label=_("答卷码"),
        max_length=40,
        help_text=_(
            "纸条或短信上的 15 位答卷码（不区分大小写，可含空格或短横线），每个答卷码只能提交一次。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, questions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions or [])
        choices = [(str(v), str(v)) for v in (1, 2, 3, 4, 5)]
        for n, q in enumerate(self.questions):
            if q["kind"] == "likert":
                self.fields[f"q{n}"] = forms.ChoiceField(
                    label=q["text"], choices=choices, required=False, widget=LikertSelect
                )
            else:
                self.fields[f"q{n}"] = forms.CharField(
                    label=q["text"], required=False, max_length=2000, widget=text(3)
                )
        private = _("请不要填写姓名、电话等个人信息。")
        for n, q in enumerate(self.questions):
            if q["kind"] != "likert":
                self.fields[f"q{n}"].help_text = private
        if all(q["kind"] == "likert" for q in self.questions):  # else a text question asks it
            self.fields["comment"] = forms.CharField(
                label=_("意见和建议"),
                required=False,
                max_length=2000,
                widget=text(3),
                help_text=private,
            )

    def question_fields(self):
        return [self[f"q{n}"] for n in range(len(self.questions))]

    def comment_text(self) -> str:
        return self.cleaned_data.get("comment", "")

    def answers(self) -> dict:
        d = self.cleaned_data
        return {q["id"]: d.get(f"q{n}") or None for n, q in enumerate(self.questions)}

    def error_aliases(self) -> dict[str, str]:
        aliases = {f"answers.{q['id']}": f"q{n}" for n, q in enumerate(self.questions)}
        if self.questions:
            aliases["answers"] = "q0"
        return aliases


# --- audit ---------------------------------------------------------------------------------------


class AuditPlanPickForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("被审计单位"), queryset=None, empty_label="—")
    year = forms.IntegerField(
        label=_("年度"), widget=forms.NumberInput(attrs={"style": "width:7em"})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AuditPlanForm(forms.Form):
    contracts = forms.MultipleChoiceField(
        label=_("列入审计计划的项目合同"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("说明"), required=False, widget=text(2))

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].choices = [
            (
                str(c.pk),
                f"{c.reference} {c.title}（{c.organization.name}，{format_yuan(c.amount)}）",
            )
            for c in contracts
        ]


class FindingForm(forms.Form):
    contract = forms.ChoiceField(label=_("项目合同"))
    description = forms.CharField(label=_("审计发现"), widget=text(4))
    rectify_by = forms.DateField(label=_("整改期限"), widget=DateInput)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [("", "—")] + [
            (str(c.pk), f"{c.reference} {c.title}") for c in contracts
        ]


class FindingResponseForm(forms.Form):
    response = forms.CharField(
        label=_("整改情况"), widget=text(4), help_text=_("写明整改措施和结果，可多次报送。")
    )


class FindingCloseForm(forms.Form):
    note = forms.CharField(label=_("销号意见"), widget=text(3))


# --- assessments ---------------------------------------------------------------------------------


class AssessmentForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("被评估的社会组织"), queryset=None, empty_label="—"
    )
    assessed_on = forms.DateField(label=_("评估日期"), widget=DateInput)
    score = forms.CharField(
        label=_("评估得分"),
        max_length=10,
        help_text=_("满分 1000 分，最多两位小数。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "style": "width:8em"}),
    )
    proposed_level = forms.ChoiceField(
        label=_("建议等级"), choices=[("", "—")] + [(str(n), f"{n}A") for n in range(1, 6)]
    )
    report = forms.CharField(label=_("评估意见"), widget=text(5))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class AssessmentDecisionForm(forms.Form):
    decision = forms.TypedChoiceField(
        label=_("确认结论"),
        choices=[("confirm", _("确认并登记等级")), ("reject", _("不予确认"))],
        coerce=lambda v: v == "confirm",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("确认意见"),
        required=False,
        widget=text(3),
        help_text=_("不予确认须写明理由。"),
    )
