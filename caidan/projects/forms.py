from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.widgets import DateInput, DateTimeLocalInput
from caidan.orgs.models import ServiceField
from caidan.web.rows import Column, RowsField

from .inputs import TARGET_GROUPS
from .models import FundingSource, GradePolicy, ProcurementMethod, PurchaseMode

DATE = {"widget": DateInput}


INDICATOR_COLUMNS = (
    Column("name", _("指标名称"), width=16),
    Column("target", _("目标值"), width=8),
    Column("unit", _("单位"), width=6),
)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    catalog_item = forms.ChoiceField(label=_("购买服务目录条目（三级）"))
    description = forms.CharField(
        label=_("项目内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    service_targets = forms.CharField(label=_("服务对象"), required=False)
    target_groups = forms.MultipleChoiceField(
        label=_("服务对象类别"),
        required=False,
        choices=[(g, _(g)) for g in TARGET_GROUPS],  # the names are marked in inputs.TARGET_GROUPS
        widget=forms.CheckboxSelectMultiple,
    )
    scale = forms.IntegerField(label=_("服务规模"), min_value=0, required=False)
    scale_unit = forms.CharField(label=_("规模单位"), initial="人", max_length=20)
    outputs = RowsField(
        label=_("产出指标"),
        required=False,
        columns=INDICATOR_COLUMNS,
        add_label=_("添加产出指标"),
        help_text=_("每行一个指标，例如：上门探访 · 1200 · 人次。"),
    )
    outcomes = RowsField(
        label=_("效果指标"),
        required=False,
        columns=INDICATOR_COLUMNS,
        extra=1,
        add_label=_("添加效果指标"),
        help_text=_("例如：服务对象满意度 · 90 · %。"),
    )
    budget = forms.DecimalField(label=_("项目预算（元）"), max_digits=16, decimal_places=2)
    fiscal = forms.DecimalField(
        label=_("财政预算（元）"), required=False, max_digits=16, decimal_places=2
    )
    welfare_lottery = forms.DecimalField(
        label=_("福彩公益金（元）"), required=False, max_digits=16, decimal_places=2
    )
    social = forms.DecimalField(
        label=_("社会配套资金（元）"), required=False, max_digits=16, decimal_places=2
    )
    special = forms.DecimalField(
        label=_("专项资金（元）"), required=False, max_digits=16, decimal_places=2
    )
    period_start = forms.DateField(label=_("服务期开始"), **DATE)
    period_end = forms.DateField(
        label=_("服务期结束"),
        **DATE,
        help_text=_("一般不超过一年；需求稳定、持续资助的服务最长三年，须说明理由。"),
    )
    stability_justification = forms.CharField(
        label=_("跨年度理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    purchase_mode = forms.ChoiceField(label=_("购买方式"), choices=PurchaseMode.choices)
    procurement_method = forms.ChoiceField(
        label=_("拟采用采购方式"), choices=ProcurementMethod.choices
    )
    grade_policy = forms.ChoiceField(
        label=_("承接主体等级要求"), choices=GradePolicy.choices, initial="preferred"
    )
    required_fields = forms.MultipleChoiceField(
        label=_("要求的服务领域"),
        required=False,
        choices=ServiceField.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    require_experience = forms.BooleanField(label=_("要求具有项目实施经验"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog_item"].choices = [("", _("请选择"))] + [
            (str(i.pk), f"{i.code} {i.name}（{i.version.name}）") for i in items
        ]

    def service_data(self) -> dict:
        d = self.cleaned_data
        funding = [
            {"source": s, "amount": str(d[s])}
            for s in FundingSource.values
            if d.get(s) not in (None, Decimal("0"))
        ]
        return {
            "title": d["title"],
            "description": d["description"],
            "service_targets": d["service_targets"],
            "target_groups": d["target_groups"],
            "scale": d["scale"] or 0,
            "scale_unit": d["scale_unit"],
            "outputs": d["outputs"],
            "outcomes": d["outcomes"],
            "budget": str(d["budget"]),
            "funding": funding,
            "period_start": d["period_start"],
            "period_end": d["period_end"],
            "stability_justification": d["stability_justification"],
            "purchase_mode": d["purchase_mode"],
            "procurement_method": d["procurement_method"],
            "grade_policy": d["grade_policy"],
            "required_fields": d["required_fields"],
            "require_experience": d["require_experience"],
        }


class SessionForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    meeting_at = forms.DateTimeField(label=_("会议时间"), widget=DateTimeLocalInput)
    members = forms.MultipleChoiceField(label=_("出席委员"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(u.pk), u.get_full_name()) for u in members]


class CeilingForm(forms.Form):
    unit = forms.ChoiceField(label=_("购买主体"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("预算控制数（元）"), max_digits=16, decimal_places=2, min_value=0
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]


def bundle_part_columns(proposals) -> tuple[Column, ...]:
    """The bundle editor's columns: a member's proposal picked from the list, its amount."""
    return (
        Column(
            "part",
            _("成员组织及其申报"),
            choices=tuple(
                (
                    str(p.pk),
                    f"{p.proposing_organization.name}：{p.title}（{p.budget:,.2f} 元）",
                )
                for p in proposals
            ),
        ),
        Column("amount", _("本部分金额（元）"), money=True, width=12),
    )


class BundleForm(forms.Form):
    """A hub's bundle: its title and one row per member's part (row editor)."""

    title = forms.CharField(label=_("打包项目名称"), max_length=200)
    parts = RowsField(
        label=_("成员组织承担的部分"),
        columns=(),
        add_label=_("添加一个成员部分"),
        help_text=_("每行选择一个成员组织的申报并填写该部分的金额；金额留空即按成员申报的预算。"),
    )
    submit_now = forms.BooleanField(label=_("打包后立即申报到项目库"), required=False, initial=True)

    def __init__(self, *args, proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        columns = bundle_part_columns(proposals)
        self.fields["parts"] = RowsField(
            label=self.fields["parts"].label,
            columns=columns,
            extra=max(2, min(len(proposals), 4)),
            add_label=_("添加一个成员部分"),
            help_text=self.fields["parts"].help_text,
        )
