from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "caidan.contracts"
    verbose_name = "合同管理"

    def ready(self) -> None:
        from . import (  # noqa: F401 - tables, rules, ticks, the project page's contracts
            lifecycles,
            permissions,
            project_progress,
            services,
        )
