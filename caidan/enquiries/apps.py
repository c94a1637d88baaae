from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnquiriesConfig(AppConfig):
    name = "caidan.enquiries"
    verbose_name = _("咨询建议与监督")

    def ready(self) -> None:
        from . import dashboard, lifecycles, permissions, services  # noqa: F401
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
