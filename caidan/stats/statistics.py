"""Public statistics (DOMAIN.md §3.7, §4.3): small reads returning plain dicts and lists.

Every figure is aggregated in the database; Python only labels and formats the few rows.
Every figure counts public rows only, each through its model's one rule
(``objects.public()``): approved projects, opened bids, signed contracts, published
evaluations.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Func, Q, Sum, Window

WAN = Decimal(10000)
SOCIAL_FORMS = ("social_group", "service_institution", "foundation")
SOCIAL_SHARE_EXPECTED = Decimal(30)  # per cent of new service spending, DOMAIN.md §4.3


def _wan(value: Decimal | None) -> Decimal:
    return ((value or Decimal(0)) / WAN).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def with_bars(rows: list[dict[str, Any]], key: str, *, width: int = 300) -> list[dict[str, Any]]:
    """Add ``bar`` (pixels, the largest value = ``width``) for a server-side SVG bar chart."""
    top = max((Decimal(r[key] or 0) for r in rows), default=Decimal(0))
    for r in rows:
        r["bar"] = int(Decimal(r[key] or 0) * width / top) if top else 0
    return rows


def annual_series() -> list[dict[str, Any]]:
    """Approved projects and funds per year (the Changning series on the demo data)."""
    from caidan.projects.selectors import annual_totals

    return annual_totals()


def latest_year() -> int | None:
    from caidan.projects.totals import plan_latest_year

    return plan_latest_year()


def default_year(*, now: dt.datetime | None = None) -> int:
    """The year the statistics page opens on: the current one (local time). Not the latest
    plan year: in December the next year's plan is being approved, and a page opening on a
    year that has not begun shows no contracts."""
    from django.utils import timezone

    return timezone.localdate(now).year


def _approved(year: int):
    """Approved proposals of ``year``: the public projects ``annual_totals`` counts,
    narrowed to one budget year (the contracts by provider start here)."""
    from caidan.projects.models import Proposal

    return Proposal.objects.public().filter(year=year)


def _row(key: Any, label: Any, count: int, total: Decimal) -> dict[str, Any]:
    return {"key": key, "label": label, "count": count, "total": total, "total_wan": _wan(total)}


def _funds_by(
    dimension: str, choices, year: int, *, by_total: bool = False
) -> list[dict[str, Any]]:
    """One dimension of ``year``'s plan totals (``projects/totals.py``: a few rows, kept
    exact by the services), labelled; in key order, or most funds first."""
    from caidan.projects.totals import plan_totals_for

    labels = dict(choices)
    rows = [
        _row(t.key, str(labels.get(t.key, t.key)), t.count, t.total)
        for t in plan_totals_for(dimension, year=year)
    ]
    if by_total:
        rows.sort(key=lambda r: (-r["total"], r["key"]))
    return rows


def funds_by_method(year: int) -> list[dict[str, Any]]:
    """Approved funds of ``year`` by procurement method."""
    from caidan.projects.models import PlanDimension, ProcurementMethod

    return _funds_by(PlanDimension.METHOD, ProcurementMethod.choices, year)


def funds_by_mode(year: int) -> list[dict[str, Any]]:
    """Approved funds of ``year`` by purchase mode."""
    from caidan.projects.models import PlanDimension, PurchaseMode

    return _funds_by(PlanDimension.MODE, PurchaseMode.choices, year)


def funds_by_purchaser(year: int) -> list[dict[str, Any]]:
    """Approved projects and funds of ``year`` per purchaser (购买主体), most funds first
    (one query: the plan totals with each purchaser's name)."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Cast

    from caidan.accounts.models import Unit
    from caidan.projects.models import PlanDimension, PlanTotal

    name = Unit.objects.filter(pk=Cast(OuterRef("key"), IntegerField())).values("name")[:1]
    totals = PlanTotal.objects.filter(
        dimension=PlanDimension.UNIT, year=year, count__gt=0
    ).annotate(name=Subquery(name))
    rows = [_row(int(t.key), t.name or "", t.count, t.total) for t in totals]
    rows.sort(key=lambda r: (-r["total"], r["label"], r["key"]))
    return rows


def funds_by_field(year: int) -> list[dict[str, Any]]:
    """Approved funds of ``year`` per service category of the catalog item (目录三级条目的
    类别: 管理类 / 服务类 / 专业类 / 事务类), most funds first."""
    from caidan.catalog.models import ItemCategory
    from caidan.projects.models import PlanDimension

    return _funds_by(PlanDimension.CATEGORY, ItemCategory.choices, year, by_total=True)


def funds_by_source(year: int) -> list[dict[str, Any]]:
    """Approved funds of ``year`` per funding source: the sum of the funding rows (a project
    paid from two sources counts in both, each with its own amount), most funds first."""
    from caidan.projects.models import FundingSource, PlanDimension

    rows = _funds_by(PlanDimension.SOURCE, FundingSource.choices, year, by_total=True)
    whole = sum((r["total"] for r in rows), Decimal(0))
    for r in rows:
        r["share"] = _pct(r["total"], whole)
    return rows


PROVIDERS_SHOWN = 20


class _SumOver(Func):
    """``SUM(<aggregate>) OVER ()``: a total over the grouped rows, in the same query
    (Django's ``Sum`` refuses an aggregate as its argument)."""

    function = "SUM"
    window_compatible = True


def contracts_by_provider(year: int, *, limit: int = PROVIDERS_SHOWN) -> list[dict[str, Any]]:
    """Signed contracts (selected as in ``social_share``) for projects of ``year`` per
    provider: value, number and share of the year's signed value; the ``limit`` largest."""
    from caidan.contracts.models import Contract

    rows = (
        Contract.objects.public()
        .filter(proposal__in=_approved(year))
        .values("organization", "organization__name")
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            # every provider's value, over all groups (before the limit): the share's base
            whole=Window(_SumOver(Sum("amount"))),
        )
        .order_by("-total", "organization__name", "organization")[:limit]
    )
    return [
        {
            "key": r["organization"],
            "label": r["organization__name"],
            "count": r["count"],
            "total": r["total"],
            "total_wan": _wan(r["total"]),
            "share": _pct(r["total"], r["whole"]),
        }
        for r in rows
    ]


def bid_statistics() -> dict[str, Any]:
    """Opened tenders of every year: how many; bids received (valid and invalid) and valid
    bids, each in total and on average per tender; and how many tenders had each number of
    valid bids. The valid average is the distribution's own (its rows give the total back)."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from caidan.procurement.models import Bid, BidStatus, Tender

    opened = Tender.objects.public().filter(opened_at__isnull=False)
    tenders = opened.count()
    bids = Bid.objects.public().filter(tender__in=opened).count()
    valid = (
        Bid.objects.filter(tender=OuterRef("pk"), status=BidStatus.VALID)
        .order_by()
        .values("tender")
        .annotate(n=Count("id"))
        .values("n")
    )
    distribution = list(
        opened.annotate(valid_n=Coalesce(Subquery(valid, output_field=IntegerField()), 0))
        .values("valid_n")
        .annotate(tenders=Count("id"))
        .order_by("valid_n")
    )
    valid_total = sum(r["valid_n"] * r["tenders"] for r in distribution)

    def per_tender(n: int) -> Decimal | None:
        return (Decimal(n) / tenders).quantize(Decimal("0.01")) if tenders else None

    return {
        "tenders": tenders,
        "bids": bids,
        "valid": valid_total,
        "average": per_tender(bids),
        "valid_average": per_tender(valid_total),
        "distribution": [{"valid": r["valid_n"], "tenders": r["tenders"]} for r in distribution],
    }


def grade_distribution() -> list[dict[str, Any]]:
    """Published evaluations per grade, every grade listed (zero when none)."""
    from caidan.evaluations.models import Evaluation, Grade

    counts = dict(
        Evaluation.objects.public()
        .values_list("grade")
        .annotate(n=Count("id"))
        .values_list("grade", "n")
    )
    total = sum(counts.values())
    return [
        {
            "grade": value,
            "label": str(label),
            "count": counts.get(value, 0),
            "share": _pct(counts.get(value, 0), total),
        }
        for value, label in Grade.choices
    ]


def orgs_per_10k() -> dict[str, Any]:
    """Active social organizations per 10,000 residents of the jurisdiction's top unit."""
    from caidan.accounts.models import Unit
    from caidan.orgs.models import Organization

    top = Unit.objects.filter(parent__isnull=True).order_by("id").values("name", "population")
    top = top.first() or {"name": "", "population": None}
    active = Organization.objects.filter(status=Organization.Status.ACTIVE).count()
    population = top["population"]
    ratio = (
        (Decimal(active) * 10000 / population).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if population
        else None
    )
    return {"unit": top["name"], "population": population, "active": active, "ratio": ratio}


def social_share(year: int | None = None) -> dict[str, Any]:
    """Signed contract value going to social organizations, against the 30 % expectation:
    of ``year``'s projects (the same contracts as ``contracts_by_provider(year)``), or of
    every year without one."""
    from caidan.contracts.models import Contract

    signed = Contract.objects.public()
    if year is not None:
        signed = signed.filter(proposal__in=_approved(year))
    totals = signed.aggregate(
        total=Sum("amount"),
        social=Sum("amount", filter=Q(organization__legal_form__in=SOCIAL_FORMS)),
        contracts=Count("id"),
    )
    total = totals["total"] or Decimal(0)
    social = totals["social"] or Decimal(0)
    share = _pct(social, total)
    return {
        "contracts": totals["contracts"],
        "total": total,
        "social": social,
        "total_wan": _wan(total),
        "social_wan": _wan(social),
        "share": share,
        "expected": SOCIAL_SHARE_EXPECTED,
        "meets": share is not None and share >= SOCIAL_SHARE_EXPECTED,
    }


def sheets(tables: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The statistics as ``(sheet title, headers, rows)``, one per table."""
    from .assisted import assisted_sheet

    year = tables["year"] or ""
    bids = tables["bids"]
    density = tables["density"]
    share = tables["share"]

    def by(rows):
        return [[r["label"], r["count"], r["total"]] for r in rows]

    return [
        (
            "年度立项",
            ["年度", "立项数", "资金（元）", "资金（万元）"],
            [[r["year"], r["count"], r["total"], r["total_wan"]] for r in tables["series"]],
        ),
        (f"{year}按采购方式", ["采购方式", "立项数", "资金（元）"], by(tables["by_method"])),
        (f"{year}按购买方式", ["购买方式", "立项数", "资金（元）"], by(tables["by_mode"])),
        (f"{year}按购买主体", ["购买主体", "立项数", "资金（元）"], by(tables["by_purchaser"])),
        (f"{year}按服务类别", ["服务类别", "立项数", "资金（元）"], by(tables["by_field"])),
        (
            f"{year}按资金来源",
            ["资金来源", "立项数", "资金（元）", "占比（%）"],
            [[r["label"], r["count"], r["total"], r["share"]] for r in tables["by_source"]],
        ),
        (
            f"{year}承接主体合同",
            ["承接主体", "合同数", "合同金额（元）", "占比（%）"],
            [[r["label"], r["count"], r["total"], r["share"]] for r in tables["by_provider"]],
        ),
        (
            "投标情况（全部年度）",
            ["每个项目的有效投标数", "开标项目数"],
            [[r["valid"], r["tenders"]] for r in bids["distribution"]]
            + [["开标项目合计", bids["tenders"]]]
            + [["收到投标合计（含无效）", bids["bids"]], ["有效投标合计", bids["valid"]]]
            + [["平均每个项目收到投标", bids["average"]]]
            + [["平均每个项目有效投标", bids["valid_average"]]],
        ),
        (
            "评价等级（全部年度）",
            ["等级", "数量", "占比（%）"],
            [[r["label"], r["count"], r["share"]] for r in tables["grades"]],
        ),
        (
            "每万人社会组织数",
            ["区域", "常住人口", "社会组织数", "每万人"],
            [[density["unit"], density["population"], density["active"], density["ratio"]]],
        ),
        (
            f"{year}社会组织承接比例",
            ["已签合同数", "合同金额（元）", "社会组织承接（元）", "占比（%）", "预期（%）"],
            [
                [
                    share["contracts"],
                    share["total"],
                    share["social"],
                    share["share"],
                    share["expected"],
                ]
            ],
        ),
        assisted_sheet(tables["assisted"]),
    ]


def workbook_bytes(tables: dict[str, Any]) -> bytes:
    """One sheet per table (``caidan.common.xlsx.write_workbook`` writes a single sheet;
    this is the same write-only openpyxl writer for several)."""
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets(tables):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
