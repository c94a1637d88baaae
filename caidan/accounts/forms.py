from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.roles import Role

from .models import Unit
from .selectors import membership_organizations


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("邮箱"), required=False, help_text=_("用于接收截止提醒与审批结果。")
    )
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput,
        help_text=_("至少 12 位且不易猜到；请当面或电话告知本人。"),
    )


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=Unit.objects.order_by("path"),
        required=False,
        help_text=_("平台管理员、登记管理机关、购买主体、审定委员会委员、审计必填。"),
    )
    organization = forms.ModelChoiceField(
        label=_("所属组织"),
        queryset=None,  # set in __init__: organizations belong to orgs, above accounts
        required=False,
        help_text=_("承接主体、枢纽型社会组织、第三方评估机构必填。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = membership_organizations().order_by("name")


class ResetPasswordForm(forms.Form):
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)


class UnitCreateForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=Unit.Kind.choices)
    code = forms.CharField(label=_("单位代码"), max_length=32)
    parent = forms.ModelChoiceField(
        label=_("上级单位"), queryset=Unit.objects.order_by("path"), required=False
    )
    population = forms.IntegerField(label=_("常住人口"), required=False, min_value=0)


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput,
        help_text=_("至少 12 位，不能是纯数字、常见密码或容易猜到的组合（如姓名加年份）。"),
    )
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100, help_text=_("例如“统计报表脚本”。"))
