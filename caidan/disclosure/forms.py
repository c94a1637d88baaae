"""Forms of the portal: the notice filters, the notice editor, withdrawal, search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .inputs import BODY_MAX, NUMBER_MAX, REASON_MAX, SOURCE_MAX, TITLE_MAX
from .models import NoticeCategory, NoticeStatus
from .selectors import MAX_QUERY_LENGTH


class NoticeFilter(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部"))] + list(NoticeCategory.choices)
    )
    q = forms.CharField(label=_("标题或文号"), required=False, max_length=MAX_QUERY_LENGTH)


class NoticeManageFilter(NoticeFilter):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(NoticeStatus.choices)
    )


class NoticeForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=NoticeCategory.choices)
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    source = forms.CharField(label=_("发布机关"), max_length=SOURCE_MAX)
    document_number = forms.CharField(
        label=_("文号"), max_length=NUMBER_MAX, required=False, help_text=_("如：长民〔2016〕12号")
    )
    effective_date = forms.DateField(
        label=_("施行日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("可不填"),
    )
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("纯文本：段落之间空一行；不支持 HTML。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("撤回理由将在公告页面上公开显示。"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索公开信息"), required=False, max_length=MAX_QUERY_LENGTH)
