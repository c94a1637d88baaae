from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "caidan.catalog"
    verbose_name = "购买服务目录"
