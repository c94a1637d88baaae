"""The community worker's dashboard panel (issue 21): the counter where residents who do not
use a phone are registered and helped. Added to ``caidan.accounts.dashboards.PANELS`` from
``AppConfig.ready`` (once)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.dashboards import PANELS, Panel
from caidan.accounts.models import Role

PANEL = Panel(
    _("窗口代办"),
    _("核验居民身份证后登记，代不便使用手机的居民点菜、提出需求；代办记录标注办理人。"),
    "needs:counter",
)

panels = PANELS.setdefault(Role.COMMUNITY_WORKER, [])
if all(p.url_name != PANEL.url_name for p in panels):
    panels.append(PANEL)
