from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "caidan.evaluations"
    verbose_name = "绩效评价与审计"

    def ready(self) -> None:
        from . import permissions, services  # noqa: F401 - rules and tick jobs
