from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "caidan.documents"
    verbose_name = "文件与附件"

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the app's permission rules
