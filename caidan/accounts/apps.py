from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caidan.accounts"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        from . import permissions, services, throttle  # noqa: F401 - rules and tick jobs
