from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "caidan.catalog"
    verbose_name = _("购买服务目录")

    def ready(self) -> None:
        from . import lifecycles, permissions  # noqa: F401 - the status table, the rules
