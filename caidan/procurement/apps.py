from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "caidan.procurement"
    verbose_name = _("政府采购")

    def ready(self) -> None:
        from . import (  # noqa: F401 - tables, rules, ticks, the project page's procurements
            lifecycles,
            permissions,
            project_progress,
            secrecy,
            services,
        )
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
