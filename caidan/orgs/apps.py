from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "caidan.orgs"
    verbose_name = _("社会组织")

    def ready(self) -> None:
        from . import lifecycles, permissions, services  # noqa: F401 - tables, rules, ticks
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
