"""The gap figures fed forward to the apps below ``stats`` (issue 21): registered from
``StatsConfig.ready`` in the hooks those apps ask (``catalog/gaps.py``,
``projects/gaps.py``); the unmet-need flag is the tick job in ``unmet.py``."""

from __future__ import annotations

from caidan.catalog.gaps import register_gap_source
from caidan.projects.gaps import register_unmet_source

from .gaps import largest_gaps_by_field, unmet_by_unit

register_gap_source(largest_gaps_by_field)
register_unmet_source(unmet_by_unit)
