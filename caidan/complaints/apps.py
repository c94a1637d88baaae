from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "caidan.complaints"
    verbose_name = _("投诉")

    def ready(self) -> None:
        from caidan.procurement.holds import register_hold
        from caidan.procurement.links import register_challenge_section, register_tender_section

        from . import dashboard, lifecycles, permissions, services  # noqa: F401
        from .holds import complaint_holds
        from .tender_page import challenge_complaint, tender_decisions

        register_hold(complaint_holds)
        register_challenge_section(challenge_complaint)
        register_tender_section(tender_decisions)

        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
