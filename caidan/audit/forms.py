from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.fields import BoundedDateField
from caidan.common.widgets import DateInput

from .describe import object_types
from .kinds import EventKind


class AuditFilterForm(forms.Form):
    """The audit page's filters: pickers, not typed ids. The person is found by name or
    user name (suggested as you type), the object type and the event type are chosen from
    lists, the period from two dates; ``target_id`` comes only from a link (an object's
    own history) and rides along hidden."""

    kind = forms.ChoiceField(label=_("事件类型"), required=False)
    who = forms.CharField(
        label=_("操作人（姓名或用户名）"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "list": "audit-actors"}),
    )
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    since = BoundedDateField(label=_("起始日期"), required=False, widget=DateInput)
    until = BoundedDateField(label=_("截止日期"), required=False, widget=DateInput)
    actor = forms.CharField(required=False, widget=forms.HiddenInput)  # a user name, from links
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        all_ = [("", _("全部"))]
        self.fields["kind"].choices = all_ + sorted(
            EventKind.choices, key=lambda c: (c[0].split(".")[0], str(c[1]))
        )
        self.fields["target_type"].choices = all_ + object_types()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data
