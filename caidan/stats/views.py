"""Integrity flags: the detail for the finance bureau and auditors, counts for everyone."""

from __future__ import annotations

from django.shortcuts import render

from caidan.accounts.permissions import can
from caidan.common.perms import Perm

from . import permissions  # noqa: F401 - registers the rule
from .flags import LABELS, flag_counts, integrity_flags


def flags(request):
    actor = request.actor
    found = integrity_flags()
    detail = can(actor, Perm.STATS_VIEW_FLAGS)
    counts = flag_counts(found)
    return render(
        request,
        "stats/flags.html",
        {
            "rows": [(code, LABELS[code], counts[code]) for code in LABELS],
            "flags": sorted(found, key=lambda f: (f.code, f.url)) if detail else [],
            "detail": detail,
        },
    )


def asked_year(request) -> int:
    """The year asked for (``?year=``, ASCII digits, 1901–2999), else the current year
    (``statistics.default_year``); the statistics pages never fail on it."""
    from .statistics import default_year

    raw = request.GET.get("year", "").strip()
    if raw.isascii() and raw.isdigit() and 1900 < int(raw) < 3000:  # not '²⁰²⁶' (int refuses it)
        return int(raw)
    return default_year()


def _tables(year: int | None) -> dict:
    """The page's tables: the plan's from its totals table (exact), the rest from the
    snapshots the hourly tick refreshes (``as_of``); small reads only."""
    from . import statistics as s
    from .assisted import assisted_rows
    from .snapshots import stats_snapshots

    def per_year(read, width=300):
        return s.with_bars(read(year), "total", width=width) if year else []

    figures, as_of = stats_snapshots(year)
    return {
        "series": s.with_bars(s.annual_series(), "total"),
        "year": year,
        "by_method": per_year(s.funds_by_method),
        "by_mode": per_year(s.funds_by_mode),
        "by_purchaser": per_year(s.funds_by_purchaser, width=260),
        "by_field": per_year(s.funds_by_field),
        "by_source": per_year(s.funds_by_source),
        "by_provider": s.with_bars(figures["providers"], "total", width=260),
        "bids": figures["bids"],
        "grades": figures["grades"],
        "density": figures["density"],
        "share": figures["share"],
        "assisted": assisted_rows(figures["assisted"]),
        "as_of": as_of,
    }


def index(request):
    """Public statistics (no login): the annual series; for a year, funds by method, mode,
    purchaser, service category and funding source and signed contracts by provider;
    bidding, evaluation grades, organization density and the social organizations' share."""
    context = _tables(asked_year(request))
    for key in (
        "series",
        "by_method",
        "by_mode",
        "by_purchaser",
        "by_field",
        "by_source",
        "by_provider",
    ):
        context[f"{key}_height"] = 24 * len(context[key]) + 4
    return render(request, "stats/index.html", context)


def export(request):
    """The same tables as an Excel workbook, one sheet per table."""
    from django.http import HttpResponse

    from caidan.common.xlsx import XLSX_MIME

    from .statistics import workbook_bytes

    year = asked_year(request)
    response = HttpResponse(workbook_bytes(_tables(year)), content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="caidan-stats.xlsx"'
    return response
