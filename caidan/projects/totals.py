"""Plan totals (年度计划汇总): the approved projects' count and funds per year, and per year by
purchaser, procurement method, purchase mode, service category and funding source, kept in
the small ``PlanTotal`` table so that the plan page, ``/api/v1/projects/plan/totals`` and the
statistics read a few hundred rows instead of aggregating every proposal on each request.

Exact on write. A service that moves proposals into or out of the plan (an approval, a
historical import) or changes what an approved one counts (year, purchaser, method, mode,
item, budget, funding) wraps the change, inside its own transaction, in
``plan_totals_tracked(ids)``: the proposals' share of the totals is read from the database
before and after the change, and the difference is added to the table in one upsert (rows
are locked by the upsert, so concurrent approvals add up). A new proposal created already
approved adds ``plan_totals_of(ids)``.

``plan_totals_rebuild`` recomputes the whole table from the rows (after a bulk load; the data
migration does the same); ``plan_totals_computed`` is that computation without writing, so
tests and ``totals_rebuild --check`` compare it with ``plan_totals_stored``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Sum

from .models import PlanDimension, PlanTotal, Proposal, ProposalFunding, ProposalStatus

D = PlanDimension
ZERO = Decimal("0.00")
Key = tuple[str, int, str]  # (dimension, year, key)
Totals = dict[Key, tuple[int, Decimal]]

# what each dimension's key is, read from one grouped row of approved proposals
_GROUPS = ("year", "unit_id", "procurement_method", "purchase_mode", "catalog_item__category")
_KEYS = (
    (D.YEAR, lambda r: ""),
    (D.UNIT, lambda r: str(r["unit_id"])),
    (D.METHOD, lambda r: r["procurement_method"]),
    (D.MODE, lambda r: r["purchase_mode"]),
    (D.CATEGORY, lambda r: r["catalog_item__category"] or ""),
)


def _fold(proposals: QuerySet[Proposal]) -> Totals:
    """What the approved ones among ``proposals`` add to the plan totals: one grouped query
    over the proposals and, if any is approved, one over their funding rows."""
    approved = proposals.filter(status=ProposalStatus.APPROVED).order_by()
    sums: dict[Key, list] = defaultdict(lambda: [0, ZERO])

    def add(key: Key, count: int, total: Decimal) -> None:
        sums[key][0] += count
        sums[key][1] += total

    cube = approved.values(*_GROUPS).annotate(n=Count("id"), s=Sum("budget"))
    for row in cube:
        for dimension, key in _KEYS:
            add((dimension, row["year"], key(row)), row["n"], row["s"])
    if sums:
        funding = (
            ProposalFunding.objects.filter(proposal__in=approved.values("pk"))
            .order_by()
            .values("proposal__year", "source")
            .annotate(n=Count("id"), s=Sum("amount"))
        )
        for row in funding:
            add((D.SOURCE, row["proposal__year"], row["source"]), row["n"], row["s"])
    return {key: (count, total) for key, (count, total) in sums.items()}


def plan_totals_of(ids: Iterable[int]) -> Totals:
    """These proposals' share of the plan totals, as stored now."""
    ids = [pk for pk in ids if pk is not None]
    return _fold(Proposal.objects.filter(pk__in=ids)) if ids else {}


def plan_totals_computed() -> Totals:
    """The plan totals computed afresh from every proposal."""
    return _fold(Proposal.objects.all())


def plan_totals_stored() -> Totals:
    return {
        (r.dimension, r.year, r.key): (r.count, r.total)
        for r in PlanTotal.objects.filter(count__gt=0)
    }


def _upsert(deltas: list[tuple[str, int, str, int, Decimal]]) -> None:
    """Add each ``(dimension, year, key, count, total)`` to its row, creating it if missing:
    ``INSERT … ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite alike), in key order so two
    transactions lock shared rows in the same order."""
    qn = connection.ops.quote_name
    table = qn(PlanTotal._meta.db_table)
    cols = ", ".join(qn(c) for c in ("dimension", "year", "key", "count", "total"))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(deltas))
    count, total = qn("count"), qn("total")
    # identifiers quoted by the backend; every value is a parameter
    sql = (
        f"INSERT INTO {table} ({cols}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({qn('dimension')}, {qn('year')}, {qn('key')}) DO UPDATE SET "
        f"{count} = {table}.{count} + EXCLUDED.{count}, "
        f"{total} = {table}.{total} + EXCLUDED.{total}"
    )
    params = [value for row in deltas for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def plan_totals_shift(before: Totals, after: Totals) -> None:
    """Add ``after - before`` to the table (inside the caller's transaction); rows that fall
    to zero projects are removed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("plan totals change only inside the service's transaction")
    rises, falls = [], []
    for key in sorted(set(before) | set(after)):
        count0, total0 = before.get(key, (0, ZERO))
        count1, total1 = after.get(key, (0, ZERO))
        delta = (*key, count1 - count0, total1 - total0)
        if delta[3] < 0 or delta[4] < 0:
            falls.append(delta)
        elif delta[3] or delta[4]:
            rises.append(delta)
    # a fall updates its row (an INSERT's proposed row must pass the checks even when it
    # conflicts), a rise is an upsert
    for dimension, year, key, count, total in falls:
        changed = PlanTotal.objects.filter(dimension=dimension, year=year, key=key).update(
            count=F("count") + count, total=F("total") + total
        )
        if not changed:
            raise RuntimeError(f"plan totals out of step at {dimension} {year} {key!r}: rebuild")
    if rises:
        _upsert(rises)
    if falls:
        PlanTotal.objects.filter(count=0, year__in={d[1] for d in falls}).delete()


@contextmanager
def plan_totals_tracked(*ids: int) -> Iterator[None]:
    """Keep the plan totals exact across a change of these proposals: ``with
    plan_totals_tracked(proposal.pk): <change>`` inside the service's transaction, after the
    proposals are locked. One query when none of them is (or becomes) approved."""
    before = plan_totals_of(ids)
    yield
    plan_totals_shift(before, plan_totals_of(ids))


def plan_totals_rebuild() -> int:
    """Recompute the whole table from the proposals (idempotent); returns the rows written.
    On PostgreSQL the table is locked against concurrent writers meanwhile: an approval
    waiting on it adds its share to the rebuilt rows once the rebuild commits."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(PlanTotal._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        computed = plan_totals_computed()
        PlanTotal.objects.all().delete()
        PlanTotal.objects.bulk_create(
            [
                PlanTotal(dimension=dim, year=year, key=key, count=count, total=total)
                for (dim, year, key), (count, total) in sorted(computed.items())
            ],
            batch_size=2000,
        )
    return len(computed)


# --- reads ---------------------------------------------------------------------------------


def plan_totals_for(dimension: str, *, year: int | None = None) -> list[PlanTotal]:
    """The stored rows of one dimension (of one year), in key order; one indexed query."""
    qs = PlanTotal.objects.filter(dimension=dimension, count__gt=0)
    if year is not None:
        qs = qs.filter(year=year)
    return list(qs.order_by("year", "key"))


def plan_latest_year() -> int | None:
    row = PlanTotal.objects.filter(dimension=D.YEAR, count__gt=0).order_by("-year").first()
    return row.year if row else None
