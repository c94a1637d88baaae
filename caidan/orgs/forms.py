from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.widgets import DateInput

from .models import CreditRecord, Organization, Penalty, ServiceField

DATE = {"widget": DateInput}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("名称或统一社会信用代码"), required=False)
    field = forms.ChoiceField(
        label=_("服务领域"), required=False, choices=[("", _("全部"))] + list(ServiceField.choices)
    )
    min_grade = forms.ChoiceField(
        label=_("评估等级"),
        required=False,
        choices=[("", _("不限")), ("3", _("3A 及以上")), ("4", _("4A 及以上")), ("5", "5A")],
    )
    credit = forms.ChoiceField(
        label=_("信用状态"),
        required=False,
        choices=[
            ("", _("全部")),
            ("clean", _("未列入名录")),
            ("abnormal", _("活动异常名录")),
            ("serious", _("严重违法失信名单")),
        ],
    )


class ProfileForm(forms.Form):
    """What a provider maintains itself."""

    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=100)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    email = forms.CharField(label=_("电子邮箱"), required=False)
    website = forms.CharField(label=_("网站"), required=False)
    description = forms.CharField(
        label=_("机构简介"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    full_time_staff = forms.IntegerField(label=_("专职人员数"), min_value=0, required=False)
    part_time_staff = forms.IntegerField(label=_("兼职人员数"), min_value=0, required=False)
    social_workers = forms.IntegerField(label=_("持证社会工作者数"), min_value=0, required=False)
    volunteers = forms.IntegerField(label=_("登记志愿者数"), min_value=0, required=False)
    fields = forms.MultipleChoiceField(
        label=_("服务领域"),
        choices=ServiceField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class IdentityForm(forms.Form):
    """Legal identity: the authority edits it; a provider requests changes to it."""

    name = forms.CharField(label=_("名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    legal_form = forms.ChoiceField(label=_("组织形式"), choices=Organization.LegalForm.choices)
    registration_date = forms.DateField(label=_("成立登记日期"), required=False, **DATE)
    registration_authority = forms.CharField(
        label=_("登记管理机关"), required=False, max_length=100
    )
    legal_representative = forms.CharField(label=_("法定代表人"), required=False, max_length=100)
    address = forms.CharField(label=_("住所"), required=False, max_length=300)


class AuthorityForm(IdentityForm, ProfileForm):
    status = forms.ChoiceField(label=_("登记状态"), choices=Organization.Status.choices)
    is_hub = forms.BooleanField(label=_("枢纽型社会组织"), required=False)
    is_evaluator = forms.BooleanField(label=_("第三方评估机构"), required=False)


class ChangeRequestForm(IdentityForm):
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}))


class GradeForm(forms.Form):
    level = forms.ChoiceField(label=_("评估等级"), choices=[(i, f"{i}A") for i in range(5, 0, -1)])
    assessed_on = forms.DateField(label=_("评定日期"), **DATE)
    score = forms.DecimalField(label=_("评估得分"), required=False, min_value=0, max_value=1000)
    assessor = forms.CharField(label=_("评估机构"), required=False)


class PenaltyForm(forms.Form):
    kind = forms.ChoiceField(label=_("处罚种类"), choices=Penalty.Kind.choices)
    amount = forms.CharField(label=_("罚款金额（元）"), required=False, help_text=_("仅罚款填写。"))
    decided_on = forms.DateField(label=_("处罚决定日期"), **DATE)
    authority = forms.CharField(label=_("作出决定机关"), required=False)
    document_no = forms.CharField(label=_("决定书文号"), required=False)
    reason = forms.CharField(label=_("违法事实"), widget=forms.Textarea(attrs={"rows": 2}))


class CreditForm(forms.Form):
    list_kind = forms.ChoiceField(
        label=_("名录"),
        choices=[
            (CreditRecord.List.ABNORMAL, "活动异常名录"),
            (CreditRecord.List.SERIOUS, "严重违法失信名单"),
        ],
    )
    reason = forms.ChoiceField(
        label=_("事由"),
        choices=[
            (CreditRecord.Reason.ANNUAL_REPORT, CreditRecord.Reason.ANNUAL_REPORT.label),
            (CreditRecord.Reason.UNREACHABLE, CreditRecord.Reason.UNREACHABLE.label),
            (CreditRecord.Reason.OTHER, CreditRecord.Reason.OTHER.label),
        ],
    )
    listed_on = forms.DateField(label=_("列入日期"), **DATE)
    detail = forms.CharField(
        label=_("具体情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DefaulterForm(forms.Form):
    listed_on = forms.DateField(label=_("认定日期"), **DATE)
    detail = forms.CharField(label=_("法院及案号"), required=False)


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("移出理由"), widget=forms.Textarea(attrs={"rows": 2}))
    removed_on = forms.DateField(label=_("移出日期"), required=False, **DATE)


class BarForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label=_("起始日期"), **DATE)
    ends_on = forms.DateField(label=_("截止日期"), **DATE)


class PastProjectForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    title = forms.CharField(label=_("项目名称"))
    purchaser_name = forms.CharField(label=_("购买主体"))
    amount = forms.CharField(label=_("合同金额（元）"), required=False)


class HubForm(forms.Form):
    hub = forms.ModelChoiceField(
        label=_("所属枢纽组织"),
        queryset=Organization.objects.filter(is_hub=True).order_by("name"),
        required=False,
        empty_label=_("（不挂靠）"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class CreateForm(IdentityForm):
    fields = forms.MultipleChoiceField(
        label=_("服务领域"),
        choices=ServiceField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_hub = forms.BooleanField(label=_("枢纽型社会组织"), required=False)
    is_evaluator = forms.BooleanField(label=_("第三方评估机构"), required=False)
