from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "caidan.common"
    verbose_name = _("公共内核")
