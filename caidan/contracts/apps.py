from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "caidan.contracts"
    verbose_name = "合同管理"

    def ready(self) -> None:
        from . import permissions, services  # noqa: F401 - rules and tick jobs
