"""The officers' dashboard panel: the unit's enquiries, with the late ones flagged.

Added to ``caidan.accounts.dashboards.PANELS`` from ``AppConfig.ready`` (once)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.dashboards import PANELS, Panel
from caidan.accounts.models import Role

PANEL = Panel(
    _("咨询建议与监督"),
    _("本单位收到的咨询、建议、信息公开申请（财政部门另有举报），按期限答复。"),
    "enquiries:inbox",
    late="caidan.enquiries.selectors.overdue_count",
)

for role in (Role.PURCHASER, Role.PLATFORM_ADMIN, Role.REGISTRATION_AUTHORITY, Role.AUDITOR):
    panels = PANELS.setdefault(role, [])
    if all(p.url_name != PANEL.url_name for p in panels):
        panels.append(PANEL)
