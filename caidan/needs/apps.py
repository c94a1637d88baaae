from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "caidan.needs"
    verbose_name = _("居民需求与菜单")

    def ready(self) -> None:
        from . import dashboard, followups, lifecycles, permissions, services  # noqa: F401
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
