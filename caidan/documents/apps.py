from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "caidan.documents"
    verbose_name = _("文件与附件")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the app's permission rules
