"""API: the demand gap (/api/v1/stats/gaps), public like the page (``docs/demand-gap.md``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from pydantic import Field

from caidan.common.codes import Common
from caidan.common.errors import field_error
from caidan.common.schemas import ERRORS, Id, Year

from .gaps import SHOWN, GapFilter, gap_rows_after, gap_table, gap_totals

router = Router(tags=["stats 统计"])


class GapRowOut(Schema):
    unit: int | None
    unit_name: str
    field: str
    field_name: str
    group: str
    group_name: str
    needs: int
    orders: int
    demand: int
    met: int
    unmet: int
    prev_unmet: int | None
    change: int | None
    projects: int
    budget: Decimal
    capacity: Decimal
    evaluated_capacity: Decimal
    delivered: Decimal
    shortfall: Decimal


class GapTotalsOut(Schema):
    needs: int
    orders: int
    demand: int
    met: int
    unmet: int
    prev_unmet: int
    change: int
    projects: int
    budget: Decimal
    capacity: Decimal
    evaluated_capacity: Decimal
    delivered: Decimal
    shortfall: Decimal


class GapsOut(Schema):
    year: int
    count: int = Field(description="筛选后的总行数（各页合计）")
    rows: list[GapRowOut] = Field(description="本页的行（未回应最多的在前）")
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")
    limit: int
    totals: GapTotalsOut = Field(description="筛选后全部行的合计，不只本页")


def _checked(year: int, unit: int | None, field: str | None, group: str | None) -> GapFilter:
    """The filters, each refused by name when it is not one of the page's choices."""
    from caidan.accounts.models import Unit
    from caidan.needs.models import TargetGroup

    if unit is not None and not Unit.objects.filter(pk=unit).exclude(kind="district").exists():
        raise field_error("unit", _("没有该购买主体（街道、镇或部门）。"), code=Common.INVALID)
    if field is not None and not (len(field) == 4 and field.isdigit()):
        raise field_error(
            "field", _("服务领域须为购买服务目录二级条目的四位编码，如 0101。"), code=Common.INVALID
        )
    if group is not None and group not in TargetGroup.values:
        raise field_error("group", _("没有该服务对象类别。"), code=Common.INVALID)
    return GapFilter(year=year, unit=unit, field=field, group=group)


@router.get(
    "/gaps",
    response={200: GapsOut, **ERRORS},
    auth=None,
    summary="供需缺口：需求、点菜与立项、合同服务量和实际交付（按街道、服务领域、服务对象）",
)
def gaps(
    request,
    year: Year,
    unit: Id | None = None,
    field: str | None = None,
    group: str | None = None,
    cursor: str | None = None,
    limit: int = SHOWN,
):
    """``limit`` rows (1–100, 100 by default) in the page's order; ``next_cursor`` gives the
    next page (``cursor=``), as on every list endpoint. ``count`` and ``totals`` are of the
    whole filtered table."""
    f = _checked(year, unit, field or None, group or None)
    rows = gap_table(f)
    page = gap_rows_after(rows, cursor=cursor, limit=limit)
    return {
        "year": f.year,
        "count": len(rows),
        "rows": [r.as_dict() for r in page.items],
        "next_cursor": page.next_cursor,
        "limit": page.limit,
        "totals": gap_totals(rows),
    }
