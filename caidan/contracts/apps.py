from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def contract_on_notice(award):
    """The award notice's line for the contract signed on ``award``, once it is public
    (registered in ``caidan.procurement.links``: procurement sits below contracts)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from caidan.procurement.links import TenderLink

    from .selectors import contract_for_award

    contract = contract_for_award(award)
    if contract is None or not contract.is_public:
        return None
    signed = contract.signed_at and timezone.localtime(contract.signed_at).strftime("%Y-%m-%d")
    return TenderLink(
        label=_("合同"),
        text=contract.reference,
        url=reverse("contracts:detail", args=[contract.pk]),
        note=f"{contract.get_status_display()}，{signed or ''} {_('签订')}",
        testid="notice-contract",
    )


class ContractsConfig(AppConfig):
    name = "caidan.contracts"
    verbose_name = _("合同管理")

    def ready(self) -> None:
        from caidan.procurement.links import register_tender_link

        from . import (  # noqa: F401 - tables, rules, ticks, the project page's contracts
            dashboard,
            lifecycles,
            permissions,
            project_progress,
            services,
        )

        register_tender_link(contract_on_notice)

        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()
