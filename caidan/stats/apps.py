from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "caidan.stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from . import (
            feeds,  # noqa: F401 - the gap figures for the catalog draft and the ceilings
            permissions,  # noqa: F401 - registers stats.view_flags at start-up
            snapshots,  # noqa: F401 - registers the stats.refresh tick job
            unmet,  # noqa: F401 - registers the stats.unmet_needs tick job
        )
