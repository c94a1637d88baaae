from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.fields import BoundedDateField
from caidan.common.widgets import DateInput

from .kinds import EventKind


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("事件类型"), required=False, choices=[("", "全部")] + list(EventKind.choices)
    )
    actor = forms.CharField(label=_("操作人（用户名）"), required=False)
    target_type = forms.CharField(label=_("对象类型"), required=False)
    target_id = forms.CharField(label=_("对象编号"), required=False)
    since = BoundedDateField(label=_("起始日期"), required=False, widget=DateInput)
    until = BoundedDateField(label=_("截止日期"), required=False, widget=DateInput)
