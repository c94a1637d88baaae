from django.apps import AppConfig


class JurisdictionConfig(AppConfig):
    name = "caidan.jurisdiction"
    verbose_name = "辖区设置"
