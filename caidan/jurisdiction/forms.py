from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.models import CalendarDay
from caidan.common.widgets import DateInput


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput)
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("名称"), required=False, max_length=100)
