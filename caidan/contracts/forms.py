"""Forms of the contract pages: they parse input only; every rule is in the services."""

from __future__ import annotations

import contextlib
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from caidan.common.widgets import DateInput
from caidan.documents.services import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_TYPES_TEXT,
    MAX_DESCRIPTION_LENGTH,
    human_size,
)
from caidan.web.rows import Column, RowsField

from .models import ContractStatus

MONEY = {"max_digits": 16, "decimal_places": 2}
BUDGET_COLUMNS = (
    Column("line", _("预算科目"), width=16),
    Column("amount", _("预算金额（元）"), money=True, width=12),
)
FUND_COLUMNS = (
    Column("line", _("预算科目"), width=16),
    Column("budget", _("预算金额（元）"), money=True, width=12),
    Column("spent", _("已支出（元）"), money=True, width=12),
)


def text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ContractListFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部"))] + list(ContractStatus.choices),
    )
    q = forms.CharField(label=_("合同名称、编号或承接主体"), required=False, max_length=100)
    mine = forms.BooleanField(label=_("只看本方的合同"), required=False)

    def __init__(self, *args, party=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not party:
            del self.fields["mine"]

    def clean(self):
        data = super().clean()
        data.setdefault("mine", False)
        return data


# --- the terms -----------------------------------------------------------------------------------


class SplitWidget(forms.MultiWidget):
    template_name = "contracts/_split_widget.html"

    def __init__(self, attrs=None):
        attrs = {"min": 0, "max": 100, "step": 1, "style": "width:6em", **(attrs or {})}
        super().__init__([forms.NumberInput(attrs) for _ in range(3)], attrs)

    def decompress(self, value):
        if isinstance(value, list | tuple) and len(value) == 3:
            return list(value)
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = (_("签约后"), _("中期评估后"), _("终期评估后"))
        for sub, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            sub["label"] = label
        return context


class SplitHiddenWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        super().__init__([forms.HiddenInput(attrs) for _ in range(3)], attrs)

    def decompress(self, value):
        return SplitWidget.decompress(self, value)


class SplitField(forms.MultiValueField):
    """The payment split: three whole percentages (signing / mid-term / final)."""

    widget = SplitWidget
    hidden_widget = SplitHiddenWidget

    def __init__(self, **kwargs):
        fields = [forms.IntegerField(min_value=0, max_value=100) for _ in range(3)]
        super().__init__(fields, require_all_fields=True, **kwargs)

    def compress(self, data_list):
        return list(data_list) if data_list else None


class ContractTermsForm(forms.Form):
    """All the terms of a contract (seed 003), prefilled when drafting from an award."""

    title = forms.CharField(label=_("合同名称"), max_length=200)
    service_content = forms.CharField(label=_("服务内容"), widget=text(4))
    period_start = forms.DateField(label=_("服务期开始"), widget=DateInput)
    period_end = forms.DateField(
        label=_("服务期结束"),
        widget=DateInput,
        help_text=_("一份合同的服务期不超过一年；需求稳定的服务可约定续签意向，每年签订新合同。"),
    )
    quantity = forms.CharField(label=_("服务数量"), required=False, widget=text(2))
    quality_standards = forms.CharField(label=_("服务质量要求"), widget=text())
    amount = forms.DecimalField(
        label=_("合同金额（元）"), help_text=_("不得超过中标金额。"), **MONEY
    )
    settlement_method = forms.CharField(label=_("资金结算方式"), widget=text())
    acceptance_criteria = forms.CharField(label=_("验收标准"), widget=text())
    rights_obligations = forms.CharField(label=_("双方的权利义务"), widget=text(4))
    breach_liability = forms.CharField(label=_("违约责任"), widget=text(4))
    performance_security = forms.DecimalField(
        label=_("履约保证金（元）"),
        initial=0,
        help_text=_("不得超过合同金额的 10%（实施条例 §48）。"),
        **MONEY,
    )
    budget_lines = RowsField(
        label=_("预算明细"),
        required=False,
        columns=BUDGET_COLUMNS,
        add_label=_("添加预算科目"),
        help_text=_(
            "按科目列出合同金额的用途（如人员费、活动费、管理费），合计须等于合同金额；"
            "承接主体报告资金使用情况时以此为准。可不填。"
        ),
    )
    payment_split = SplitField(
        label=_("分期付款比例（%）"),
        help_text=_("签约后支付 50%；中期评估合格后 30%–40%；终期评估合格后支付余款。合计 100%。"),
    )
    renewal_intent = forms.BooleanField(label=_("有续签意向（需求稳定的服务）"), required=False)
    renewal_years = forms.IntegerField(
        label=_("意向续签总年限"),
        min_value=1,
        max_value=3,
        initial=1,
        help_text=_("含本合同在内最长 3 年，每年签订新合同。"),
    )

    TERMS = (
        "title",
        "service_content",
        "period_start",
        "period_end",
        "quantity",
        "quality_standards",
        "amount",
        "settlement_method",
        "acceptance_criteria",
        "rights_obligations",
        "breach_liability",
        "performance_security",
        "budget_lines",
        "payment_split",
        "renewal_intent",
        "renewal_years",
    )
    SECTIONS = (
        (_("服务"), ("title", "service_content", "period_start", "period_end", "quantity")),
        (_("质量与验收"), ("quality_standards", "acceptance_criteria")),
        (
            _("价格与结算"),
            (
                "amount",
                "budget_lines",
                "payment_split",
                "settlement_method",
                "performance_security",
            ),
        ),
        (_("权利义务与违约责任"), ("rights_obligations", "breach_liability")),
        (_("续签"), ("renewal_intent", "renewal_years")),
    )

    @classmethod
    def initial_from(cls, contract) -> dict:
        return {name: getattr(contract, name) for name in cls.TERMS}

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def terms(self) -> dict:
        """The terms, as the services take them."""
        d = self.cleaned_data
        out = {name: d[name] for name in self.TERMS}
        out["amount"] = str(d["amount"])
        out["performance_security"] = str(d["performance_security"])
        return out


def _budget(lines) -> list[tuple[str, str]]:
    """Budget lines compared by name and amount (``1000`` is ``1000.00``); an amount that is
    not a number compares as typed (the input refuses it)."""
    out = []
    for row in lines or []:
        amount = str(row.get("amount", "")).strip()
        with contextlib.suppress(InvalidOperation, ValueError):
            amount = str(Decimal(amount.replace(",", "")).quantize(Decimal("0.01")))
        out.append((str(row.get("line", "")).strip(), amount))
    return out


def term_labels() -> dict[str, str]:
    """Field name → label, for showing amendments and versions."""
    labels = {name: f.label for name, f in ContractTermsForm.base_fields.items()}
    labels["indicators"] = _("绩效指标和目标")
    labels["budget_lines"] = _("预算明细")
    return labels


class AmendmentForm(ContractTermsForm):
    rationale = forms.CharField(
        label=_("变更理由"),
        widget=text(3),
        help_text=_("写明变更了什么、为什么（补充协议的依据）。"),
    )
    SECTIONS = (*ContractTermsForm.SECTIONS, (_("补充协议"), ("rationale",)))

    def changes(self, contract) -> dict:
        """The terms that differ from the contract's current version."""
        out = {}
        for name, value in self.terms().items():
            current = getattr(contract, name)
            if name in ("amount", "performance_security"):
                same = str(current) == value
            elif name == "budget_lines":
                same = _budget(current) == _budget(value)
            elif name == "payment_split":
                same = [int(v) for v in current] == value
            elif isinstance(value, str):
                same = (current or "").strip() == value.strip()
            else:
                same = current == value
            if not same:
                out[name] = value
        return out


# --- actions -------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("作废理由"), widget=text())


class TerminateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("终止方式"),
        choices=[("", "—"), ("breach", _("乙方违约解除")), ("agreement", _("双方协商一致解除"))],
    )
    reason = forms.CharField(
        label=_("终止理由"), widget=text(4), help_text=_("写明违约事实或协商情况，将公开。")
    )
    settlement = forms.CharField(
        label=_("结算安排"), widget=text(3), help_text=_("已付款项和已提供服务如何结算。")
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("支付金额（元）"),
        disabled=True,
        required=False,
        help_text=_("按分期付款计划，不能修改。"),
        **MONEY,
    )
    paid_on = forms.DateField(label=_("支付日期"), widget=DateInput)
    voucher = forms.CharField(label=_("凭证号"), max_length=64)


class ReportForm(forms.Form):
    """The provider's report in one form: the summary, the fund-usage rows (prefilled from the
    contract's budget lines) and a file to attach. 上传附件 attaches the file and shows the
    form again as typed (``attaching``: the summary may still be empty); 提交报告 attaches the
    file chosen, if any, and submits. Nothing typed is lost to an upload or a refusal."""

    summary = forms.CharField(
        label=_("报告内容"),
        widget=text(8),
        help_text=_("服务开展情况、完成的指标、存在的问题和下一步计划。"),
    )
    fund_lines = RowsField(
        label=_("资金使用情况"),
        required=False,
        columns=FUND_COLUMNS,
        add_label=_("添加预算科目"),
    )
    file = forms.FileField(
        label=_("附件"),
        required=False,
        allow_empty_file=True,  # the service refuses empty files and wrong types, with its words
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    description = forms.CharField(
        label=_("附件说明"), required=False, max_length=MAX_DESCRIPTION_LENGTH
    )

    def __init__(self, *args, attaching: bool = False, parts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if parts:  # a hub bundle's contract: what each member delivered (issue 21)
            self.fields["part_outputs"] = RowsField(
                label=_("各成员完成情况"),
                required=False,
                columns=(
                    Column(
                        "part",
                        _("成员组织及其部分"),
                        choices=tuple(
                            (str(p.pk), f"{p.position}. {p.organization.name}：{p.title}")
                            for p in parts
                        ),
                    ),
                    Column("output", _("该成员完成的产出"), width=40),
                ),
                extra=0,
                add_label=_("添加一个成员部分"),
                help_text=_("每个成员组织承担的部分各一行：写明本期该成员完成的服务和产出。"),
            )
        self.fields["file"].help_text = _("允许：%(types)s；不超过 %(size)s。") % {
            "types": ALLOWED_TYPES_TEXT,
            "size": human_size(settings.DOCUMENT_MAX_BYTES),
        }
        if attaching:
            self.fields["summary"].required = False
            self.fields["file"].required = True
            self.fields["file"].error_messages["required"] = _("请选择要上传的文件。")

    def report_data(self) -> dict:
        """The summary and the rows, as ``ReportInput`` takes them (no rows: none given)."""
        d = self.cleaned_data
        data = {"summary": d["summary"], "fund_lines": d["fund_lines"] or None}
        if "part_outputs" in self.fields:
            data["part_outputs"] = [
                {"part": r["part"] or None, "output": r["output"]} for r in d["part_outputs"]
            ]
        return data


class ReviewForm(forms.Form):
    decision = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("accept", _("通过")), ("return", _("退回修改"))],
        coerce=lambda v: v == "accept",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=text(3),
        help_text=_("退回修改须写明意见；承接主体将看到该意见。"),
    )
