from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Unit

from .models import BODY_MAX, TITLE_MAX, EnquiryKind, SubjectType

ASK_KINDS = [
    (EnquiryKind.ENQUIRY, _("咨询")),
    (EnquiryKind.SUGGESTION, _("建议")),
    (EnquiryKind.INFO_REQUEST, _("政府信息公开申请")),
]
REPORT_SUBJECTS = [
    (SubjectType.PROJECT, _("项目（立项编号）")),
    (SubjectType.TENDER, _("采购项目（编号）")),
    (SubjectType.CONTRACT, _("合同（编号）")),
    (SubjectType.ORGANIZATION, _("承接主体（社会组织编号）")),
    (SubjectType.OFFICIAL, _("工作人员")),
]


def _units():
    return Unit.objects.order_by("path")


class EnquiryForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ASK_KINDS, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(
        label=_("向哪个单位提出"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("请选择"),
    )
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": BODY_MAX}),
        help_text=_("请勿填写身份证号、电话等个人信息；如需联系，工作人员会通过平台答复您。"),
    )
    attachment = forms.FileField(label=_("附件（可选）"), required=False)
    publish_consent = forms.BooleanField(
        label=_("同意公开答复（隐去个人信息，仅适用于咨询和建议）"), required=False
    )

    def __init__(self, *args, with_unit: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_unit:
            self.fields["unit"].queryset = _units()
            self.fields["unit"].required = True
        else:
            del self.fields["unit"]


class ReportForm(forms.Form):
    subject_type = forms.ChoiceField(label=_("举报对象"), choices=REPORT_SUBJECTS)
    subject_id = forms.IntegerField(label=_("对象编号"), required=False, min_value=1)
    official = forms.CharField(label=_("工作人员（姓名或职务）"), max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label=_("工作人员所在单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("请选择"),
    )
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("举报内容"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": BODY_MAX}),
        help_text=_("举报由财政部门办理，不会转给被举报的单位；举报人信息仅承办人可见。"),
    )
    attachment = forms.FileField(label=_("附件（可选）"), required=False)
    anonymous = forms.BooleanField(label=_("匿名举报"), required=False)

    def __init__(self, *args, authenticated: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        if not authenticated:  # a visitor who has not logged in reports anonymously anyway
            del self.fields["anonymous"]


class FollowForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=64)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 6}))
