from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "caidan.procurement"
    verbose_name = "政府采购"

    def ready(self) -> None:
        from . import lifecycles, permissions, secrecy, services  # noqa: F401 - tables, rules, ticks
