from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.fields import BoundedDateField
from caidan.common.models import CalendarDay
from caidan.common.widgets import DateInput


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


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("事件类型"), required=False, choices=[("", "全部")] + list(EventKind.choices)
    )
    actor = forms.CharField(label=_("操作人（用户名）"), required=False)
    target_type = forms.CharField(label=_("对象类型"), required=False)
    target_id = forms.CharField(label=_("对象编号"), required=False)
    since = BoundedDateField(label=_("起始日期"), required=False, widget=DateInput)
    until = BoundedDateField(label=_("截止日期"), required=False, widget=DateInput)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput)
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("名称"), required=False, max_length=100)
