from __future__ import annotations

from django import forms

from .models import ComplaintOutcome


class ComplaintForm(forms.Form):
    matters = forms.CharField(
        label="投诉事项和事实依据",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="只能就已提出质疑的事项投诉（94号令 §19）。",
    )
    request = forms.CharField(
        label="投诉请求",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：认定中标结果无效。",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    until = forms.DateField(
        label="暂停至（含当日）",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="自今日起最长 30 日（政府采购法 §57）。",
    )
    reason = forms.CharField(label="暂停理由", widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=ComplaintOutcome.choices)
    reasoning = forms.CharField(label="处理理由", widget=forms.Textarea(attrs={"rows": 5}))
