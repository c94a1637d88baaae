"""The mid-year demo shows the demand gap (issue 21): last year's unanswered need (flagged to
江苏路街道's purchaser) and this year's need and menu item answered by next year's project."""

from __future__ import annotations

from django.utils import timezone

from caidan.demo.midyear import seed_midyear
from caidan.demo.midyear.gaps import OLD_NEED, TITLE


def test_the_demo_answers_some_demand_and_flags_last_years(world):
    from caidan.needs.models import Need
    from caidan.notifications.models import Notification
    from caidan.projects.models import Proposal
    from caidan.stats.gaps import GapFilter, gap_table, gap_totals
    from caidan.stats.models import UnmetNeedFlag

    seed_midyear()
    jiangsu = world.unit("310105-001")
    year = timezone.localdate().year
    project = Proposal.objects.get(title=TITLE)
    assert project.status == "approved" and project.year == year + 1
    [answered] = project.needs.all()
    [item] = project.menu_items.all()
    orders = item.orders.count()

    this_year = {r.key: r for r in gap_table(GapFilter(year=year, unit=jiangsu.pk))}
    need_row = this_year[(jiangsu.pk, "", "elderly_alone")]
    assert need_row.met >= 1 and answered.created_at.year == year
    order_row = this_year[(jiangsu.pk, item.catalog_item.code[:4], "")]
    assert order_row.met == orders and order_row.unmet > 0  # the other items: still unmet
    assert gap_totals(list(this_year.values()))["unmet"] > 0

    old = Need.objects.get(text=OLD_NEED)
    last_year = gap_table(GapFilter(year=old.created_at.year, unit=jiangsu.pk))
    assert sum(r.unmet for r in last_year) >= 1
    assert UnmetNeedFlag.objects.filter(need=old).exists()
    assert Notification.objects.filter(
        recipient=world.user("purchaser"), kind="need.unmet"
    ).exists()
