from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IdentityKind, TargetGroup
from .selectors import need_units, orderable_catalog_items

DATETIME = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
}


class VerifyStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("验证方式"),
        choices=IdentityKind.choices,
        initial=IdentityKind.PHONE,
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label=_("手机号或身份证号"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "text"}),
    )


class VerifyConfirmForm(forms.Form):
    """Step two: the number travels back in the form, never in the server's session."""

    kind = forms.ChoiceField(choices=IdentityKind.choices, widget=forms.HiddenInput)
    value = forms.CharField(max_length=32, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class NeedForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("街道（镇）"), queryset=None, empty_label=_("请选择"))
    community = forms.CharField(
        label=_("社区（居委会）"), max_length=100, help_text=_("例如：愚园路居委会")
    )
    target_group = forms.ChoiceField(label=_("服务对象"), choices=TargetGroup.choices)
    text = forms.CharField(
        label=_("需求内容"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        help_text=_(
            "10–1000 字：需要什么服务、为谁、在哪里。请勿填写姓名、电话等个人信息，需求内容将公开。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = need_units()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, required=False)


class MenuForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    community = forms.CharField(label=_("社区（居委会）"), max_length=100)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    ordering_opens_at = forms.DateTimeField(label=_("点菜开始时间"), **DATETIME)
    ordering_closes_at = forms.DateTimeField(label=_("点菜截止时间"), **DATETIME)


class MenuItemForm(forms.Form):
    catalog_item = forms.ModelChoiceField(
        label=_("目录条目（已发布目录的三级条目）"), queryset=None, empty_label=_("请选择")
    )
    title = forms.CharField(
        label=_("菜单项名称"),
        max_length=200,
        required=False,
        help_text=_("不填则使用目录条目名称。"),
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    estimated_budget = forms.CharField(label=_("预估预算（元）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["catalog_item"]
        field.queryset = orderable_catalog_items()
        field.label_from_instance = lambda i: f"{i.version.name} · {i.code} {i.name}"
