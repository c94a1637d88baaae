from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "caidan.projects"
    verbose_name = "项目库与审定"

    def ready(self) -> None:
        from . import followups, lifecycles, permissions, services  # noqa: F401 - rules, tables
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
