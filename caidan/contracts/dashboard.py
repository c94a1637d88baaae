"""The money view's dashboard panel (issue 19 §4) for the purchaser, the finance bureau
(platform admin) and auditors, flagged with the number of overdue instalments. Added to
``caidan.accounts.dashboards.PANELS`` from ``AppConfig.ready`` (once)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.dashboards import PANELS, Panel
from caidan.accounts.models import Role

PANEL = Panel(
    _("资金台账"),
    _("每份合同的分期付款：付款条件是否达成、已付、未付和逾期天数，可筛选并导出 Excel。"),
    "contracts:ledger",
    late="caidan.contracts.ledger.overdue_count",
)

for role in (Role.PURCHASER, Role.PLATFORM_ADMIN, Role.AUDITOR):
    panels = PANELS.setdefault(role, [])
    if all(p.url_name != PANEL.url_name for p in panels):
        panels.append(PANEL)
