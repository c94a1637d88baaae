from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "caidan.catalog"
    verbose_name = "购买服务目录"

    def ready(self) -> None:
        from . import lifecycles, permissions  # noqa: F401 - the status table, the rules
