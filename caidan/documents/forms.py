from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_DESCRIPTION_LENGTH, human_size


class DocumentUploadForm(forms.Form):
    # Empty files and wrong types are refused by the service, with its messages.
    file = forms.FileField(
        label=_("文件"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    description = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_public = forms.BooleanField(
        label=_("公开"),
        required=False,
        help_text=_("勾选后任何人无需登录即可下载；不勾选则只有您本人和平台管理员可以下载。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("允许：%(types)s；不超过 %(size)s。") % {
            "types": ALLOWED_TYPES_TEXT,
            "size": human_size(settings.DOCUMENT_MAX_BYTES),
        }
