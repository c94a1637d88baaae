from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "caidan.documents"
    verbose_name = "文件与附件"
