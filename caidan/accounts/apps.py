from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "caidan.accounts"
    verbose_name = _("账户与角色")

    def ready(self) -> None:
        from . import permissions, services, throttle  # noqa: F401 - rules and tick jobs
