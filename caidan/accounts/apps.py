from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "caidan.accounts"
    verbose_name = _("账户与角色")

    def ready(self) -> None:
        from caidan.audit.describe import register_page_access

        from . import permissions, services, throttle  # noqa: F401 - rules and tick jobs

        # the audit log links a person's page only for those who may open it (admins)
        register_page_access("accounts.user", permissions.openable_users)
