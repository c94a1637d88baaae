from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "caidan.projects"
    verbose_name = _("项目库与审定")

    def ready(self) -> None:
        from . import followups, lifecycles, permissions, services  # noqa: F401 - rules, tables
        from .todo import register as register_todo  # the workbench's to-do kinds

        register_todo()

        from caidan.audit.describe import register_page_access

        from .permissions import openable_proposals

        # the audit log links a proposal only for those who may open it (drafts: the drafter)
        register_page_access("projects.proposal", openable_proposals)
