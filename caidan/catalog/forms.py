from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.widgets import DateInput

from .models import CatalogVersion, ItemCategory


class VersionCreateForm(forms.Form):
    name = forms.CharField(label=_("版本名称"), max_length=100, help_text=_("如：2017年7月修订版"))
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput)
    notes = forms.CharField(
        label=_("修订说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    copy_from = forms.ModelChoiceField(
        label=_("复制自（可选）"),
        queryset=CatalogVersion.objects.order_by("-effective_date", "-id"),
        required=False,
        empty_label=_("不复制，新建空白目录"),
        help_text=_("复制会为新版本生成全部条目的新副本；原版本及引用其条目的项目都不受影响。"),
    )


class VersionEditForm(forms.Form):
    name = forms.CharField(label=_("版本名称"), max_length=100)
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput)
    notes = forms.CharField(
        label=_("修订说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemForm(forms.Form):
    code = forms.CharField(
        label=_("编码"),
        max_length=6,
        help_text=_(
            "一级 2 位、二级 4 位、三级 6 位数字；上级编码是前缀（如 01 → 0101 → 010101）。"
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", "—（一级、二级目录不填）")] + list(ItemCategory.choices),
        help_text=_("三级目录必填。"),
    )
    guidance_price = forms.CharField(
        label=_("指导价（元）"),
        required=False,
        max_length=20,
        help_text=_("仅三级目录；可留空。最多两位小数。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    price_unit = forms.CharField(
        label=_("计价单位"), required=False, max_length=30, help_text=_("如：元/人·次、元/年")
    )
    bought_first = forms.BooleanField(label=_("优先向社会组织购买"), required=False)
    sort_order = forms.IntegerField(
        label=_("排序"),
        required=False,
        min_value=0,
        help_text=_("同级条目按此数字、再按编码排列。"),
    )


class ItemEditForm(ItemForm):
    """Same fields without the code: an item's code (and so its place) does not change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class NegativeEntryForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=16, help_text=_("如 NL07"))
    title = forms.CharField(label=_("事项"), max_length=200)
    legal_basis = forms.CharField(label=_("依据"), max_length=300)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    keywords = forms.CharField(
        label=_("关键词"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("用顿号、逗号或换行分隔；文字中出现任一关键词即被拒绝。"),
    )
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)


class NegativeEntryEditForm(NegativeEntryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]
