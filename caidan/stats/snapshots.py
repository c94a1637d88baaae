"""Where the statistics page's figures come from, so that a request reads small tables only.

| figures | kept in | how fresh |
|---|---|---|
| the annual series; a year's funds by method, mode, purchaser, category, source | ``projects.PlanTotal`` (``projects/totals.py``) | exact: updated in the approval's own transaction |
| a year's signed contracts by provider and the social organizations' share of them; bids per tender; evaluation grades; organizations per 10,000 residents; the share of assisted needs, orders and paper survey answers | ``StatsSnapshot`` | refreshed by the tick job ``stats.refresh`` once an hour; the page says "as of" |

The second group reads the tables that grow with every tender, bid, contract and
organization, and is written by apps below ``stats`` that do not know about it: recomputing
it hourly keeps them free of statistics code. Before the first refresh (a new installation)
a missing figure is computed on the request and marked as current.

``totals_rebuild`` recomputes both after a bulk load (``manage.py totals_rebuild``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caidan.common.tick import tick_job

from . import statistics as s
from .assisted import assisted_counts
from .models import StatsSnapshot

REFRESH_EVERY = dt.timedelta(hours=1)
# the figures' fields that are Decimal (JSON keeps them as strings)
DECIMAL_FIELDS = frozenset(
    {
        "total",
        "total_wan",
        "share",
        "average",
        "valid_average",
        "social",
        "social_wan",
        "ratio",
        "expected",
    }
)


def _providers(year: int) -> Callable[[], Any]:
    return lambda: s.contracts_by_provider(year)


def _share(year: int) -> Callable[[], Any]:
    return lambda: s.social_share(year)


# of every year
FIGURES: dict[str, Callable[[], Any]] = {
    "bids": s.bid_statistics,
    "grades": s.grade_distribution,
    "density": s.orgs_per_10k,
    "assisted": assisted_counts,
}
# of one plan year each: a year's signed contracts by provider, and the social
# organizations' share of the same contracts (the page shows both for its year)
PER_YEAR: dict[str, Callable[[int], Callable[[], Any]]] = {
    "providers": _providers,
    "share": _share,
}
PROVIDERS = "providers:{year}"


def _all_figures() -> dict[str, Callable[[], Any]]:
    """Every snapshot to compute: the figures, and the providers of every plan year."""
    from caidan.projects.models import PlanDimension
    from caidan.projects.totals import plan_totals_for

    from .statistics import default_year

    # every plan year, and the current one (the page opens on it)
    years = {t.year for t in plan_totals_for(PlanDimension.YEAR)} | {default_year()}
    per_year = {f"{name}:{y}": make(y) for name, make in PER_YEAR.items() for y in years}
    return {**FIGURES, **per_year}


def _decimals(value: Any) -> Any:
    """The figure as computed: Decimal fields back from their JSON strings."""
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    if isinstance(value, dict):
        return {
            k: Decimal(v) if k in DECIMAL_FIELDS and isinstance(v, str) else _decimals(v)
            for k, v in value.items()
        }
    return value


def stats_refresh(*, now: dt.datetime | None = None) -> int:
    """Compute every snapshot now and store it (dropping those of years no longer in the
    plan); returns how many."""
    now = now or timezone.now()
    figures = _all_figures()
    for name, compute in figures.items():
        StatsSnapshot.objects.update_or_create(
            name=name, defaults={"data": compute(), "computed_at": now}
        )
    StatsSnapshot.objects.exclude(name__in=figures).delete()
    return len(figures)


@tick_job("stats.refresh")
def stats_refresh_tick(now: dt.datetime) -> int:
    """Refresh the snapshots when the oldest is an hour old (or one is missing). Safe on
    several servers: each refresh is complete, the last write wins."""
    times = list(
        StatsSnapshot.objects.filter(name__in=FIGURES).values_list("computed_at", flat=True)
    )
    if len(times) == len(FIGURES) and now - min(times) < REFRESH_EVERY:
        return 0
    return stats_refresh(now=now)


def stats_snapshots(year: int | None) -> tuple[dict[str, Any], dt.datetime]:
    """The snapshot figures, with ``providers`` and ``share`` for ``year``, and the time the
    oldest of them was computed: one query. A figure not computed yet (a new installation,
    a year approved since the last refresh) is computed now."""
    wanted = dict(FIGURES)
    names = {n: n for n in FIGURES}
    if year:
        for name, make in PER_YEAR.items():
            wanted[name] = make(year)
            names[f"{name}:{year}"] = name
    rows = {names[r.name]: r for r in StatsSnapshot.objects.filter(name__in=names)}
    figures = {
        name: _decimals(rows[name].data) if name in rows else compute()
        for name, compute in wanted.items()
    }
    if not year:
        figures["providers"], figures["share"] = [], s.social_share()
    as_of = min((r.computed_at for r in rows.values()), default=None) or timezone.now()
    return figures, as_of


def totals_rebuild(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Recompute every aggregate from the rows (after a bulk load; idempotent): the plan
    totals and the statistics snapshots."""
    from caidan.projects.totals import plan_totals_rebuild

    return {"plan_totals": plan_totals_rebuild(), "stats_snapshots": stats_refresh(now=now)}
