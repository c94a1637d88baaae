"""The public demand-gap page (供需缺口) and its Excel sheet: no login, public figures only
(counts of visible needs and public menus' orders, approved projects, signed contracts,
published evaluations; never who asked)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from caidan.common.xlsx import XLSX_MIME, write_workbook

from .gaps import SHOWN, GapFilter, field_names, gap_chart, gap_table, gap_totals


def _choices() -> dict[str, Any]:
    """The filters' lists: the units that purchase (streets, towns, departments), the
    catalog's service fields, the target groups. Three small queries."""
    from caidan.accounts.models import Unit
    from caidan.catalog.models import CatalogItem
    from caidan.needs.models import TargetGroup

    units = list(Unit.objects.exclude(kind="district").order_by("path").values_list("pk", "name"))
    codes = CatalogItem.objects.filter(level=2).values_list("code", flat=True).distinct()
    fields = sorted(field_names(codes).items())
    return {"units": units, "fields": fields, "groups": list(TargetGroup.choices)}


def _filter(request, choices: dict[str, Any]) -> GapFilter:
    """The filters asked for; a value not in its list is ignored (the page never fails)."""
    from .views import asked_year

    year = asked_year(request)
    unit = request.GET.get("unit", "").strip()
    unit_id = next((pk for pk, _n in choices["units"] if str(pk) == unit), None)
    field = request.GET.get("field", "").strip()
    group = request.GET.get("group", "").strip()
    return GapFilter(
        year=year,
        unit=unit_id,
        field=field if field in dict(choices["fields"]) else None,
        group=group if group in dict(choices["groups"]) else None,
    )


def _page_number(raw: str) -> int:
    """The page asked for (``?page=``), as a number ``Paginator.get_page`` can take: ASCII
    digits only (a fullwidth or Arabic-Indic digit, a sign, a fraction or letters mean the
    first page, and so does 0); a number past the last page means the last page."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return max(1, int(raw)) if len(raw) <= 9 else 10**9  # int() refuses 4,300 digits


def _query(f: GapFilter) -> str:
    """The filters as a query string, for the page links and the Excel link: the year always
    (a link keeps its year after the new year begins), the others when chosen."""
    params = {"year": f.year, "unit": f.unit or "", "field": f.field or "", "group": f.group}
    return urlencode({k: v for k, v in params.items() if v})


def gaps(request):
    """Demand, met and unmet demand, projects, contracted capacity and delivered output for
    a year, per unit, service field and target group, with the year before; ``SHOWN`` rows
    a page (``?page=``), the totals and the chart over the whole table. The same queries
    whatever the page: every row is counted anyway for the totals."""
    choices = _choices()
    f = _filter(request, choices)
    rows = gap_table(f)
    page = Paginator(rows, SHOWN).get_page(_page_number(request.GET.get("page", "")))
    chart = gap_chart(rows)
    return render(
        request,
        "stats/gaps.html",
        {
            "f": f,
            "rows": page.object_list,
            "page": page,
            "totals": gap_totals(rows),
            "chart": chart,
            "chart_height": 24 * len(chart) + 4,
            "query": _query(f),
            **choices,
        },
    )


HEADERS = (
    gettext_noop("街道（镇）"),
    gettext_noop("服务领域"),
    gettext_noop("服务对象"),
    gettext_noop("居民需求"),
    gettext_noop("点菜"),
    gettext_noop("需求合计"),
    gettext_noop("已立项回应"),
    gettext_noop("未回应"),
    gettext_noop("上年未回应"),
    gettext_noop("未回应增减"),
    gettext_noop("立项数"),
    gettext_noop("立项预算（元）"),
    gettext_noop("合同服务量"),
    gettext_noop("已评价合同服务量"),
    gettext_noop("实际交付"),
    gettext_noop("交付缺口"),
)


def gap_sheet_rows(rows) -> list[list[Any]]:
    return [
        [
            r.unit_name,
            r.field_name,
            r.group_name,
            r.needs,
            r.orders,
            r.demand,
            r.met,
            r.unmet,
            r.prev_unmet,
            r.change,
            r.projects,
            r.budget,
            r.capacity,
            r.evaluated_capacity,
            r.delivered,
            r.shortfall,
        ]
        for r in rows
    ]


def gaps_export(request):
    """The whole table (every row, not one page of ``SHOWN``) as one Excel sheet."""
    choices = _choices()
    f = _filter(request, choices)
    rows = gap_table(f)
    headers = [_(h) for h in HEADERS]
    data = write_workbook(f"{f.year}供需缺口", headers, gap_sheet_rows(rows))
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="caidan-gaps-{f.year}.xlsx"'
    return response
