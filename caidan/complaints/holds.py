"""The complaint's holds on the procurement (registered in ``AppConfig.ready``):

* while a complaint is pending (filed, not yet rejected, decided or withdrawn) no contract
  may be drafted or signed (DOMAIN.md §4.7);
* while a suspension is in force no award may be confirmed and no contract drafted or
  signed (政府采购法 §57; 94号令 §28).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from caidan.procurement.holds import Step

from .models import PENDING_STATUSES, Complaint


def complaint_holds(tender, step: Step, now: dt.datetime) -> list[str]:
    if step not in (Step.AWARD, Step.CONTRACT):
        return []
    reasons: list[str] = []
    rows = list(
        Complaint.objects.filter(tender_id=tender.pk)
        .filter(status__in=PENDING_STATUSES)
        .select_related("organization")
        .order_by("id")
    )
    for c in rows:
        if c.suspended_at(now):
            reasons.append(
                f"财政部门已书面通知暂停采购活动至 {timezone.localtime(c.suspension_end):%Y-%m-%d}"
                "，暂停期间不得确定中标人、起草或签订合同（政府采购法 §57，94号令 §28）。"
            )
        if step == Step.CONTRACT:
            reasons.append(
                f"{c.organization.name}于 {timezone.localtime(c.filed_at):%Y-%m-%d} 提出的投诉"
                "尚在处理中，处理决定作出前不得起草或签订合同（DOMAIN §4.7，政府采购法 §57）。"
            )
    return reasons
