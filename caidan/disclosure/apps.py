from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "caidan.disclosure"
    verbose_name = _("信息公开（开放合同数据）")

    def ready(self) -> None:
        from caidan.audit.services import on_audit_record

        from . import (
            downloads,  # noqa: F401 - registers the OCDS bulk-file tick job
            lifecycles,  # noqa: F401 - the notice's status table
            permissions,  # noqa: F401 - rules and document targets
            project_progress,  # noqa: F401 - the project page's OCDS link
        )
        from .feed import on_audit_event

        on_audit_record(on_audit_event)
