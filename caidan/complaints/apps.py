from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "caidan.complaints"
    verbose_name = "投诉"

    def ready(self) -> None:
        from caidan.procurement.holds import register_hold

        from . import dashboard, lifecycles, permissions, services  # noqa: F401
        from .holds import complaint_holds

        register_hold(complaint_holds)
