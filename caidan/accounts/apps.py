from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caidan.accounts"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        from . import services, throttle  # noqa: F401 - registers the app's tick jobs
