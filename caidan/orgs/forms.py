from django import forms

from caidan.common.widgets import DateInput

from .models import CreditRecord, Organization, Penalty, ServiceField

DATE = {"widget": DateInput}


class SearchForm(forms.Form):
    q = forms.CharField(label="名称或统一社会信用代码", required=False)
    field = forms.ChoiceField(
        label="服务领域", required=False, choices=[("", "全部")] + list(ServiceField.choices)
    )
    min_grade = forms.ChoiceField(
        label="评估等级",
        required=False,
        choices=[("", "不限"), ("3", "3A 及以上"), ("4", "4A 及以上"), ("5", "5A")],
    )
    credit = forms.ChoiceField(
        label="信用状态",
        required=False,
        choices=[
            ("", "全部"),
            ("clean", "未列入名录"),
            ("abnormal", "活动异常名录"),
            ("serious", "严重违法失信名单"),
        ],
    )


class ProfileForm(forms.Form):
    """What a provider maintains itself."""

    contact_name = forms.CharField(label="联系人", required=False, max_length=100)
    contact_phone = forms.CharField(label="联系电话", required=False, max_length=30)
    email = forms.CharField(label="电子邮箱", required=False)
    website = forms.CharField(label="网站", required=False)
    description = forms.CharField(
        label="机构简介", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    full_time_staff = forms.IntegerField(label="专职人员数", min_value=0, required=False)
    part_time_staff = forms.IntegerField(label="兼职人员数", min_value=0, required=False)
    social_workers = forms.IntegerField(label="持证社会工作者数", min_value=0, required=False)
    volunteers = forms.IntegerField(label="登记志愿者数", min_value=0, required=False)
    fields = forms.MultipleChoiceField(
        label="服务领域",
        choices=ServiceField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class IdentityForm(forms.Form):
    """Legal identity: the authority edits it; a provider requests changes to it."""

    name = forms.CharField(label="名称", max_length=200)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    legal_form = forms.ChoiceField(label="组织形式", choices=Organization.LegalForm.choices)
    registration_date = forms.DateField(label="成立登记日期", required=False, **DATE)
    registration_authority = forms.CharField(label="登记管理机关", required=False, max_length=100)
    legal_representative = forms.CharField(label="法定代表人", required=False, max_length=100)
    address = forms.CharField(label="住所", required=False, max_length=300)


class AuthorityForm(IdentityForm, ProfileForm):
    status = forms.ChoiceField(label="登记状态", choices=Organization.Status.choices)
    is_hub = forms.BooleanField(label="枢纽型社会组织", required=False)
    is_evaluator = forms.BooleanField(label="第三方评估机构", required=False)


class ChangeRequestForm(IdentityForm):
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}))


class GradeForm(forms.Form):
    level = forms.ChoiceField(label="评估等级", choices=[(i, f"{i}A") for i in range(5, 0, -1)])
    assessed_on = forms.DateField(label="评定日期", **DATE)
    score = forms.DecimalField(label="评估得分", required=False, min_value=0, max_value=1000)
    assessor = forms.CharField(label="评估机构", required=False)


class PenaltyForm(forms.Form):
    kind = forms.ChoiceField(label="处罚种类", choices=Penalty.Kind.choices)
    amount = forms.CharField(label="罚款金额（元）", required=False, help_text="仅罚款填写。")
    decided_on = forms.DateField(label="处罚决定日期", **DATE)
    authority = forms.CharField(label="作出决定机关", required=False)
    document_no = forms.CharField(label="决定书文号", required=False)
    reason = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 2}))


class CreditForm(forms.Form):
    list_kind = forms.ChoiceField(
        label="名录",
        choices=[
            (CreditRecord.List.ABNORMAL, "活动异常名录"),
            (CreditRecord.List.SERIOUS, "严重违法失信名单"),
        ],
    )
    reason = forms.ChoiceField(
        label="事由",
        choices=[
            (CreditRecord.Reason.ANNUAL_REPORT, CreditRecord.Reason.ANNUAL_REPORT.label),
            (CreditRecord.Reason.UNREACHABLE, CreditRecord.Reason.UNREACHABLE.label),
            (CreditRecord.Reason.OTHER, CreditRecord.Reason.OTHER.label),
        ],
    )
    listed_on = forms.DateField(label="列入日期", **DATE)
    detail = forms.CharField(
        label="具体情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DefaulterForm(forms.Form):
    listed_on = forms.DateField(label="认定日期", **DATE)
    detail = forms.CharField(label="法院及案号", required=False)


class RemoveForm(forms.Form):
    reason = forms.CharField(label="移出理由", widget=forms.Textarea(attrs={"rows": 2}))
    removed_on = forms.DateField(label="移出日期", required=False, **DATE)


class BarForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label="起始日期", **DATE)
    ends_on = forms.DateField(label="截止日期", **DATE)


class PastProjectForm(forms.Form):
    year = forms.IntegerField(label="年度")
    title = forms.CharField(label="项目名称")
    purchaser_name = forms.CharField(label="购买主体")
    amount = forms.CharField(label="合同金额（元）", required=False)


class HubForm(forms.Form):
    hub = forms.ModelChoiceField(
        label="所属枢纽组织",
        queryset=Organization.objects.filter(is_hub=True).order_by("name"),
        required=False,
        empty_label="（不挂靠）",
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


class CreateForm(IdentityForm):
    fields = forms.MultipleChoiceField(
        label="服务领域",
        choices=ServiceField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_hub = forms.BooleanField(label="枢纽型社会组织", required=False)
    is_evaluator = forms.BooleanField(label="第三方评估机构", required=False)
