from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "caidan.demo"
    verbose_name = _("演示辖区")
