from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "caidan.audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from caidan.common.lifecycle import set_recorder

        from . import anchors, permissions  # noqa: F401 - the anchor tick job, the rule
        from .services import audit_record

        set_recorder(audit_record)
