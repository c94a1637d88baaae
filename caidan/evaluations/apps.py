from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "caidan.evaluations"
    verbose_name = _("绩效评价与审计")

    def ready(self) -> None:
        from caidan.contracts.links import register_contract_section

        from . import (  # noqa: F401 - rules, tables, ticks, hooks
            contract_section,
            lifecycles,
            permissions,
            services,
            track_record_source,
        )

        register_contract_section(contract_section.section)

        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
