from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "caidan.needs"
    verbose_name = "居民需求与菜单"

    def ready(self) -> None:
        from . import dashboard, followups, lifecycles, permissions, services  # noqa: F401
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
