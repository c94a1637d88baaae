"""The finance bureau's dashboard panel: complaints to accept or decide, the late ones
flagged. Added to ``caidan.accounts.dashboards.PANELS`` from ``AppConfig.ready`` (once)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.dashboards import PANELS, Panel
from caidan.accounts.models import Role

PANEL = Panel(
    _("投诉处理"),
    _("供应商对质疑答复不满意提出的投诉：5 个工作日内决定是否受理，30 个工作日内作出处理决定。"),
    "complaints:inbox",
    late="caidan.complaints.selectors.overdue_count",
)

panels = PANELS.setdefault(Role.PLATFORM_ADMIN, [])
if all(p.url_name != PANEL.url_name for p in panels):
    panels.append(PANEL)

MINE = Panel(
    _("我的投诉"),
    _("对质疑答复不满意或采购人逾期未答复的，可向财政部门投诉；在这里查看办理进展和处理决定。"),
    "complaints:mine",
)
for role in (Role.PROVIDER, Role.HUB):
    panels = PANELS.setdefault(role, [])
    if all(p.url_name != MINE.url_name for p in panels):
        panels.append(MINE)
