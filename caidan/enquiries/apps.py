from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "caidan.enquiries"
    verbose_name = "咨询建议与监督"

    def ready(self) -> None:
        from . import dashboard, lifecycles, permissions, services  # noqa: F401
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
