from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "caidan.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from . import anchors  # noqa: F401 - registers the daily anchor tick job
