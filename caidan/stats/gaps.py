"""What was asked for and what was not met (供需缺口, issue 21; seeds 002–004).

For one year, per purchaser unit (街道/镇), service field and target group:

* **demand** — residents' visible needs stated in the year, and menu orders on menus whose
  ordering closed in the year;
* **met** — of those, the needs linked to an approved project and the orders on a menu item
  linked to an approved project (``Proposal.needs`` / ``Proposal.menu_items``, any budget
  year); **unmet** = demand − met;
* **projects** — approved projects of the budget year and their budget;
* **capacity** — the service counts the year's signed contracts promise: the numeric targets
  of their output indicators (``Contract.indicators``, kind ``output``);
* **delivered** — the actual output the latest published evaluation of each contract records
  (实际完成率's ``actual``; the final stage over the mid-term); **shortfall** = the capacity
  of the evaluated contracts − delivered;
* the same row of the year before and the change of unmet demand.

The service field (服务领域) is the catalog's second-level item (its four-digit code, stable
across catalog versions: ``0101`` 养老服务). A need states its target group but no field; a
menu order its field (the item's) but no group; a project both (each of its groups counts).
What a record does not state is the empty key, shown as "未指明"; a filter on a field or a
group leaves such records out.

Every figure is counted in the database, grouped by the three keys (one query per source);
contracts and evaluations are read once for the year's approved projects (a few hundred rows
at most) because their counts sit in JSON lists.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import field_error
from caidan.common.pagination import MAX_LIMIT, Page, cursor_decode, cursor_encode

NONE = ""  # a dimension the record does not state
FIELD_DIGITS = 4  # the level-2 code of the catalog: 01 → 0101 → 010101
UNMET_AFTER = dt.timedelta(days=365)  # a need unmet this long is flagged to its unit
SHOWN = 100  # rows on a page of the public table, and the API's largest (and default) page
CHARTED = 20  # bars in the page's chart: the rows with demand, in the table's order
NUMBERS = (
    "needs",
    "orders",
    "demand",
    "met",
    "unmet",
    "projects",
    "budget",
    "capacity",
    "evaluated_capacity",
    "delivered",
    "shortfall",
)


@dataclass(frozen=True)
class GapFilter:
    year: int
    unit: int | None = None
    field: str | None = None  # a four-digit level-2 catalog code
    group: str | None = None  # a ``needs.TargetGroup`` value


@dataclass
class GapRow:
    unit: int | None
    field: str
    group: str
    unit_name: str = ""
    field_name: str = ""
    field_title: str = ""  # the catalog's name alone (field_name is code and name)
    group_name: str = ""
    needs: int = 0
    orders: int = 0
    met: int = 0
    projects: int = 0
    budget: Decimal = Decimal(0)
    capacity: Decimal = Decimal(0)
    evaluated_capacity: Decimal = Decimal(0)
    delivered: Decimal = Decimal(0)
    prev_unmet: int | None = None
    bar: int = 0
    met_bar: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.unit, self.field, self.group)

    @property
    def demand(self) -> int:
        return self.needs + self.orders

    @property
    def unmet(self) -> int:
        return self.demand - self.met

    @property
    def shortfall(self) -> Decimal:
        return self.evaluated_capacity - self.delivered

    @property
    def change(self) -> int | None:
        return None if self.prev_unmet is None else self.unmet - self.prev_unmet

    @property
    def change_size(self) -> int:
        """How much unmet demand grew or shrank since the year before (without the sign)."""
        return abs(self.change or 0)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "field": self.field,
            "field_name": self.field_name,
            "group": self.group,
            "group_name": self.group_name,
            "prev_unmet": self.prev_unmet,
            "change": self.change,
        }
        out.update({n: getattr(self, n) for n in NUMBERS})
        return out


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _approved_link(kind: str):
    """Whether the need (``kind="need"``) or the menu order's item (``"menuitem"``) is linked
    to an approved project."""
    from caidan.projects.models import Proposal, ProposalStatus

    through = Proposal.needs.through if kind == "need" else Proposal.menu_items.through
    outer = OuterRef("pk" if kind == "need" else "menu_item")
    return Exists(through.objects.filter(**{kind: outer}, proposal__status=ProposalStatus.APPROVED))


def _unit_filter(f: GapFilter, prefix: str) -> dict[str, Any]:
    return {f"{prefix}unit": f.unit} if f.unit else {}


def _need_counts(f: GapFilter):
    """(unit, group, met) → needs, one grouped query (index ``need_status_created``)."""
    from caidan.needs.models import Need

    if f.field:  # a need states no field
        return []
    start, end = _year_range(f.year)
    rows = Need.objects.public().filter(
        created_at__gte=start, created_at__lt=end, **_unit_filter(f, "")
    )
    if f.group:
        rows = rows.filter(target_group=f.group)
    return (
        rows.annotate(met=_approved_link("need"))
        .values("unit", "target_group", "met")
        .annotate(n=Count("id"))
        .order_by()
    )


def _order_counts(f: GapFilter):
    """(unit, field, met) → menu orders, one grouped query (menus by ``menu_status_closes``)."""
    from caidan.needs.models import MENU_PUBLIC_STATUSES, MenuOrder

    if f.group:  # an order states no group
        return []
    start, end = _year_range(f.year)
    rows = MenuOrder.objects.filter(
        menu_item__menu__status__in=MENU_PUBLIC_STATUSES,
        menu_item__menu__ordering_closes_at__gte=start,
        menu_item__menu__ordering_closes_at__lt=end,
        **_unit_filter(f, "menu_item__menu__"),
    )
    if f.field:
        rows = rows.filter(menu_item__catalog_item__code__startswith=f.field)
    return (
        rows.annotate(
            met=_approved_link("menuitem"),
            field=Substr("menu_item__catalog_item__code", 1, FIELD_DIGITS),
        )
        .values("menu_item__menu__unit", "field", "met")
        .annotate(n=Count("id"))
        .order_by()
    )


def _approved(f: GapFilter):
    from caidan.projects.models import Proposal

    rows = Proposal.objects.public().filter(year=f.year, **_unit_filter(f, ""))
    if f.field:
        rows = rows.filter(catalog_item__code__startswith=f.field)
    return rows


def group_keys() -> dict[str, str]:
    """A project's target group as written (the Chinese name, ``projects.inputs``) → the
    needs' key (``needs.TargetGroup``: the same nine groups); a key maps to itself."""
    from django.utils import translation

    from caidan.needs.models import TargetGroup

    with translation.override(None):  # the source (Chinese) names
        by_name = {str(label): value for value, label in TargetGroup.choices}
    return {**by_name, **{v: v for v in TargetGroup.values}}


def _groups(value: Any, wanted: str | None, keys: dict[str, str]) -> list[str]:
    """A project's target groups as keys (none stated: the empty key); only ``wanted``."""
    groups = sorted({keys.get(str(g), str(g)) for g in (value or []) if g}) or [NONE]
    return [g for g in groups if g == wanted] if wanted else groups


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


def contract_capacity(indicators: Any) -> Decimal:
    """The service count a contract promises: its output indicators' numeric targets."""
    total = Decimal(0)
    for ind in indicators or []:
        if isinstance(ind, dict) and ind.get("kind") == "output":
            total += _number(ind.get("target")) or Decimal(0)
    return total


def evaluation_delivered(scores: Any) -> Decimal | None:
    """The actual output an evaluation records (实际完成率's ``actual``), None without one."""
    found = [
        _number(entry.get("actual"))
        for entry in (scores or {}).values()
        if isinstance(entry, dict) and "actual" in entry
    ]
    found = [n for n in found if n is not None]
    return sum(found, Decimal(0)) if found else None


STAGE_ORDER = {"final": 3, "mid": 2, "pre": 1}  # evaluations.Stage: the latest counts


def _rows_for(f: GapFilter) -> dict[tuple, GapRow]:
    """The year's rows by (unit, field, group), without labels: five queries."""
    from caidan.contracts.models import Contract
    from caidan.evaluations.models import Evaluation

    rows: dict[tuple, GapRow] = {}
    keys = group_keys()

    def row(unit, field_code, group) -> GapRow:
        key = (unit, field_code or NONE, group or NONE)
        if key not in rows:
            rows[key] = GapRow(unit=unit, field=key[1], group=key[2])
        return rows[key]

    for r in _need_counts(f):
        target = row(r["unit"], NONE, r["target_group"])
        target.needs += r["n"]
        target.met += r["n"] if r["met"] else 0
    for r in _order_counts(f):
        target = row(r["menu_item__menu__unit"], r["field"], NONE)
        target.orders += r["n"]
        target.met += r["n"] if r["met"] else 0
    approved = _approved(f)
    projects = (
        approved.annotate(field=Substr("catalog_item__code", 1, FIELD_DIGITS))
        .values("unit", "field", "target_groups")
        .annotate(n=Count("id"), budget=Sum("budget"))
        .order_by()
    )
    for r in projects:
        for group in _groups(r["target_groups"], f.group, keys):
            target = row(r["unit"], r["field"], group)
            target.projects += r["n"]
            target.budget += r["budget"] or Decimal(0)
    contracts = list(
        Contract.objects.public()
        .filter(proposal__in=approved.values("pk"))
        .annotate(field=Substr("proposal__catalog_item__code", 1, FIELD_DIGITS))
        .values("pk", "proposal__unit", "field", "proposal__target_groups", "indicators")
    )
    delivered: dict[int, tuple[int, Decimal]] = {}
    if contracts:
        for e in (
            Evaluation.objects.public()
            .filter(contract__in=[c["pk"] for c in contracts])
            .values("contract", "stage", "scores")
        ):
            actual = evaluation_delivered(e["scores"])
            rank = STAGE_ORDER.get(e["stage"], 0)
            if actual is not None and rank >= delivered.get(e["contract"], (-1, None))[0]:
                delivered[e["contract"]] = (rank, actual)
    for c in contracts:
        capacity = contract_capacity(c["indicators"])
        for group in _groups(c["proposal__target_groups"], f.group, keys):
            target = row(c["proposal__unit"], c["field"], group)
            target.capacity += capacity
            if c["pk"] in delivered:
                target.evaluated_capacity += capacity
                target.delivered += delivered[c["pk"]][1]
    return rows


def field_names(codes) -> dict[str, str]:
    """Level-2 catalog codes → their names, from the newest version holding each (one query)."""
    from caidan.catalog.models import CatalogItem

    codes = sorted({c for c in codes if c})
    names: dict[str, str] = {}
    if not codes:
        return names
    for code, name in (
        CatalogItem.objects.filter(level=2, code__in=codes)
        .order_by("code", "-version__effective_date", "-version_id")
        .values_list("code", "name")
    ):
        names.setdefault(code, name)
    return names


def _label(rows: list[GapRow]) -> None:
    from caidan.accounts.models import Unit
    from caidan.needs.models import TargetGroup

    units = dict(
        Unit.objects.filter(pk__in={r.unit for r in rows if r.unit}).values_list("pk", "name")
    )
    fields = field_names(r.field for r in rows)
    groups = dict(TargetGroup.choices)
    unstated = str(_("未指明"))
    for r in rows:
        r.unit_name = units.get(r.unit, unstated)
        r.field_name = f"{r.field} {fields[r.field]}" if r.field in fields else r.field or unstated
        r.field_title = fields.get(r.field, "")
        r.group_name = str(groups.get(r.group, r.group)) if r.group else unstated


def gap_order(r: GapRow) -> tuple:
    """The table's order: the largest unmet demand first, then the largest shortfall, then by
    the unit's name, the field's code and the group's key. The unit's id breaks a tie between
    two units of one name, so no two rows share a place and a page or a cursor always means
    the same rows. A row without a unit sorts by the empty name, not by "未指明" in the
    reader's language, so the order is one in Chinese and in English."""
    return (-r.unmet, -r.shortfall, r.unit_name if r.unit else "", r.unit or 0, r.field, r.group)


def gap_table(f: GapFilter) -> list[GapRow]:
    """The year's rows, each with the year before's unmet demand, in ``gap_order``: ten
    grouped queries and two for labels."""
    rows = _rows_for(f)
    before = _rows_for(GapFilter(year=f.year - 1, unit=f.unit, field=f.field, group=f.group))
    for key, prev in before.items():
        if key not in rows and prev.unmet:
            rows[key] = GapRow(unit=key[0], field=key[1], group=key[2])
    for key, r in rows.items():
        r.prev_unmet = before[key].unmet if key in before else 0
    out = list(rows.values())
    _label(out)
    out.sort(key=gap_order)
    top = max((r.demand for r in out), default=0)
    for r in out:
        r.bar = int(r.demand * 300 / top) if top else 0
        r.met_bar = int(r.met * 300 / top) if top else 0
    return out


def gap_chart(rows: list[GapRow]) -> list[GapRow]:
    """The chart's bars: the first ``CHARTED`` rows with demand of the whole table (not of
    one page), so every page of the table shows the same chart."""
    return [r for r in rows if r.demand][:CHARTED]


def gap_rows_after(rows: list[GapRow], *, cursor: str | None, limit: int) -> Page:
    """One page of the table for the API, in the shape of every list endpoint
    (``common/pagination.py``): ``limit`` rows after the row the cursor names, and a
    ``next_cursor`` when more follow. The rows are grouped and merged from several sources
    in memory, so the keyset is ``gap_order`` over the list, not a SQL ``WHERE``: the cursor
    holds the last row's sort key, and the next page starts after it even when rows came or
    went meanwhile. A cursor that is not one of ours is a 400 naming ``cursor``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise field_error(
            "limit", _("每页条数应在 1 到 %(MAX_LIMIT)s 之间。") % {"MAX_LIMIT": MAX_LIMIT}
        )
    start = 0
    if cursor:
        start = bisect_right(rows, _cursor_key(cursor), key=gap_order)
    page = rows[start : start + limit]
    has_more = start + limit < len(rows)
    next_cursor = None
    if page and has_more:
        unmet, shortfall, name, unit, field_code, group = gap_order(page[-1])
        next_cursor = cursor_encode([-unmet, str(-shortfall), name, unit, field_code, group])
    return Page(items=page, next_cursor=next_cursor, limit=limit, has_more=has_more)


def _cursor_key(cursor: str) -> tuple:
    """The ``gap_order`` key a cursor holds; a tampered one is refused, never a 500."""
    unmet, shortfall, name, unit, field_code, group = cursor_decode(cursor, 6)
    try:
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (unmet, unit)):
            raise ValueError
        if not all(isinstance(v, str) for v in (shortfall, name, field_code, group)):
            raise ValueError
        amount = Decimal(shortfall)
        # a shortfall is money or a count: 1E+1000000 is no row's, and negating it overflows
        if not amount.is_finite() or abs(amount.adjusted()) > 30:
            raise ValueError
        key = (-unmet, -amount, name, unit, field_code, group)
    except (ValueError, ArithmeticError):
        raise field_error("cursor", _("分页游标无效，请从第一页重新开始。")) from None
    return key


def gap_totals(rows: list[GapRow]) -> dict[str, Any]:
    """The column sums (a project with two groups counts in both rows, as on the rows)."""
    totals: dict[str, Any] = {n: sum((getattr(r, n) for r in rows), 0) for n in NUMBERS}
    totals["prev_unmet"] = sum(r.prev_unmet or 0 for r in rows)
    totals["change"] = totals["unmet"] - totals["prev_unmet"]
    return totals


# --- feed-forward: the catalog draft, the budget ceilings, the unmet-need flag ---------------


def largest_gaps_by_field(year: int, *, per_field: int = 3) -> dict[str, list[dict[str, Any]]]:
    """For the catalog draft: each service field's largest unmet menu demand of ``year`` by
    unit, and the needs no field states (under the empty key), by unit and group."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in gap_table(GapFilter(year=year)):
        if r.unmet <= 0:
            continue
        bucket = out[r.field]
        if len(bucket) < per_field:
            bucket.append(
                {
                    "unit": r.unit_name,
                    "group": r.group_name if r.group else "",
                    "unmet": r.unmet,
                    "demand": r.demand,
                }
            )
    return dict(out)


def unmet_by_unit(pairs) -> dict[tuple[int, int], dict[str, int]]:
    """For the budget ceilings: (unit id, year) → that unit's demand, met and unmet demand of
    the year *before* (the demand a ceiling for ``year`` should answer). Four queries
    whatever the number of pairs."""
    from django.db.models.functions import ExtractYear

    from caidan.needs.models import MENU_PUBLIC_STATUSES, MenuOrder, Need

    pairs = {(int(u), int(y)) for u, y in pairs}
    out: dict[tuple[int, int], dict[str, int]] = {
        p: {"demand": 0, "met": 0, "unmet": 0, "needs": 0, "orders": 0} for p in pairs
    }
    if not pairs:
        return out
    units = {u for u, _y in pairs}
    years = {y - 1 for _u, y in pairs}
    start, end = _year_range(min(years))[0], _year_range(max(years))[1]
    needs = (
        Need.objects.public()
        .filter(unit__in=units, created_at__gte=start, created_at__lt=end)
        .annotate(
            met=_approved_link("need"),
            y=ExtractYear("created_at"),
        )
        .values("unit", "y", "met")
        .annotate(n=Count("id"))
        .order_by()
    )
    orders = (
        MenuOrder.objects.filter(
            menu_item__menu__status__in=MENU_PUBLIC_STATUSES,
            menu_item__menu__unit__in=units,
            menu_item__menu__ordering_closes_at__gte=start,
            menu_item__menu__ordering_closes_at__lt=end,
        )
        .annotate(
            met=_approved_link("menuitem"),
            y=ExtractYear("menu_item__menu__ordering_closes_at"),
        )
        .values("menu_item__menu__unit", "y", "met")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, unit_key, rows in (
        ("needs", "unit", needs),
        ("orders", "menu_item__menu__unit", orders),
    ):
        for r in rows:
            target = out.get((r[unit_key], r["y"] + 1))
            if target is None:
                continue
            target[kind] += r["n"]
            target["demand"] += r["n"]
            target["met" if r["met"] else "unmet"] += r["n"]
    return out
