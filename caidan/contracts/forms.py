"""Forms of the contract pages: they parse input only; every rule is in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import DomainError, form_add_error
from caidan.common.widgets import DateInput

from .models import ContractStatus

MONEY = {"max_digits": 16, "decimal_places": 2}
FUND_ROWS = 4


def text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def add_domain_error(form, error: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Like ``form_add_error``, also mapping service field names (``fund_lines.0.spent``)
    to this form's fields through ``aliases``."""
    field = error.field or ""
    if aliases and field in aliases and aliases[field] in form.fields:
        form.add_error(aliases[field], error.message)
        return
    form_add_error(form, error)


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
        "payment_split",
        "renewal_intent",
        "renewal_years",
    )
    SECTIONS = (
        (_("服务"), ("title", "service_content", "period_start", "period_end", "quantity")),
        (_("质量与验收"), ("quality_standards", "acceptance_criteria")),
        (
            _("价格与结算"),
            ("amount", "payment_split", "settlement_method", "performance_security"),
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


def term_labels() -> dict[str, str]:
    """Field name → label, for showing amendments and versions."""
    labels = {name: f.label for name, f in ContractTermsForm.base_fields.items()}
    labels["indicators"] = _("绩效指标和目标")
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
    """The provider's report: the summary and the fund-usage lines (``FUND_ROWS`` rows of
    line / budget / spent; blank rows are ignored)."""

    summary = forms.CharField(
        label=_("报告内容"),
        widget=text(8),
        help_text=_("服务开展情况、完成的指标、存在的问题和下一步计划。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, FUND_ROWS + 1):
            self.fields[f"fund_{i}_line"] = forms.CharField(
                label=_("预算科目"), required=False, max_length=100
            )
            self.fields[f"fund_{i}_budget"] = forms.DecimalField(
                label=_("预算金额（元）"), required=False, min_value=0, **MONEY
            )
            self.fields[f"fund_{i}_spent"] = forms.DecimalField(
                label=_("已支出（元）"), required=False, min_value=0, **MONEY
            )
        self._rows: list[int] = []

    @staticmethod
    def initial_lines(lines) -> dict:
        out = {}
        for i, row in enumerate(list(lines or [])[:FUND_ROWS], start=1):
            out.update(
                {
                    f"fund_{i}_line": row.get("line", ""),
                    f"fund_{i}_budget": row.get("budget", ""),
                    f"fund_{i}_spent": row.get("spent", ""),
                }
            )
        return out

    def fund_rows(self):
        return [
            (i, self[f"fund_{i}_line"], self[f"fund_{i}_budget"], self[f"fund_{i}_spent"])
            for i in range(1, FUND_ROWS + 1)
        ]

    def fund_lines(self) -> list[dict]:
        d = self.cleaned_data
        rows, self._rows = [], []
        for i in range(1, FUND_ROWS + 1):
            line = (d.get(f"fund_{i}_line") or "").strip()
            budget, spent = d.get(f"fund_{i}_budget"), d.get(f"fund_{i}_spent")
            if not line and budget is None and spent is None:
                continue
            rows.append(
                {
                    "line": line,
                    "budget": "" if budget is None else str(budget),
                    "spent": "" if spent is None else str(spent),
                }
            )
            self._rows.append(i)
        return rows

    def error_aliases(self) -> dict[str, str]:
        """``fund_lines.<index>.<part>`` (index into the non-blank rows) → the row's field;
        ``fund_lines`` (none given) → the first row."""
        aliases = {"fund_lines": "fund_1_line"}
        for index, row in enumerate(self._rows):
            for part in ("line", "budget", "spent"):
                aliases[f"fund_lines.{index}.{part}"] = f"fund_{row}_{part}"
        return aliases


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
