from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "caidan.common"
    verbose_name = "公共内核"
