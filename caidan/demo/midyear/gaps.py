"""The demand gap in the mid-year demo (issue 21, ``docs/demand-gap.md``).

The base demo's needs and menu orders are all unanswered, so ``/stats/gaps/`` already shows a
gap; this stage makes the page show the rest of the loop:

* a year and a half ago a resident of 江苏路街道 asked for visits to lonely old people and
  nobody answered: last year's column has unmet demand, and the unmet-need flag (run here as
  the nightly tick would) tells 江苏路街道's purchaser;
* ten days ago the purchaser proposed next year's 独居老人探访 project from this year's need of
  the same kind and the menu item 独居老人定期上门探访, and the committee approved it
  yesterday: those needs and orders count as answered (the dark part of the bar), the rest
  of the menu stays unmet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from caidan.accounts.models import Role

from .helpers import actor_for, approve_at_meeting
from .timeline import Stage, at, working_on_or_before

TITLE = "江苏路街道独居老人定期探访服务"
BUDGET = "180000.00"
OLD_NEED = (
    "楼里的独居老人越来越多，去年冬天有位老人在家摔倒两天才被发现，希望社区组织定期上门探访。"
)


def ceiling_need(today: dt.date) -> tuple[int, Decimal]:
    """The year and budget the ceilings must make room for (``seed._ceilings``)."""
    return today.year + 1, Decimal(BUDGET)


def seed_gaps(s, result) -> Stage:
    """A stage of ``seed_midyear``: last year's unanswered need, then a project answering
    this year's."""
    from caidan.needs.inputs import NeedInput
    from caidan.needs.models import MenuItem, Need, TargetGroup
    from caidan.needs.services import need_submit
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import (
        proposal_create,
        proposal_submit,
    )
    from caidan.stats.unmet import unmet_needs_flag

    resident = actor_for("resident", Role.RESIDENT)
    if resident.membership is None or not hasattr(resident.user, "resident_identity"):
        return  # the base demo's resident is not there: nothing to ask with
    yield at(working_on_or_before(s.today - dt.timedelta(days=540)), 10)
    need_submit(
        actor=resident,
        data=NeedInput.parse(
            unit=s.unit,
            community="愚园路居委会",
            target_group=TargetGroup.ELDERLY_ALONE,
            text=OLD_NEED,
        ),
    )

    needs = list(
        Need.objects.public()
        .filter(unit=s.unit, target_group=TargetGroup.ELDERLY_ALONE)
        .exclude(text=OLD_NEED)
        .order_by("id")[:1]
    )
    item = (
        MenuItem.objects.filter(menu__unit=s.unit, title__contains="探访")
        .select_related("catalog_item")
        .order_by("id")
        .first()
    )
    if not needs or item is None:
        return
    meeting = at(working_on_or_before(s.today - dt.timedelta(days=1)), 15)
    yield meeting - dt.timedelta(days=10)
    year = s.today.year + 1
    proposal = proposal_create(
        actor=s.purchaser,
        unit=s.unit,
        data=ProposalInput.parse(
            title=TITLE,
            catalog_item=item.catalog_item,
            description=f"{TITLE}：根据居民需求和点菜结果，每月两次上门探访辖区独居老人，"
            "关注健康、用电用气安全和生活需求，发现问题及时转介。",
            service_targets="江苏路街道辖区独居老人，优先高龄、困难老人",
            target_groups=["困难独居老人"],
            budget=BUDGET,
            funding=[{"source": "fiscal", "amount": BUDGET}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="preferred",
            required_fields=["elderly"],
            outputs=[{"name": "上门探访", "target": "1800", "unit": "人次"}],
            outcomes=[{"name": "服务对象满意度", "target": "90", "unit": "%"}],
            needs=needs,
            menu_items=[item],
        ),
    )
    proposal_submit(proposal=proposal, actor=s.purchaser)
    yield from approve_at_meeting(
        s, proposal, meeting, reason="回应居民需求和点菜结果，同意立项。", note="，探访"
    )

    # at the moment of the seeding: the flag is an event on the street (a base-demo record,
    # its events at the real time the base demo was seeded), so no earlier
    yield s.now
    unmet_needs_flag(now=timezone.now())  # as the nightly tick would: last year's need
