"""Demo project library: the Changning series (seed 000; DOMAIN.md §3.7) — 31 / 59 / 65 /
83 approved projects for 2012–2015 totalling 384.6 / 1900 / 2380.9 / 3603 万元, with
realistic titles from the seeds; plus a few current proposals at different stages."""

from __future__ import annotations

from decimal import Decimal

from caidan.accounts.models import Unit
from caidan.common.money import split_by_weights

from .models import Proposal

CHANGNING_SERIES = {
    2012: (31, Decimal("3846000.00")),
    2013: (59, Decimal("19000000.00")),
    2014: (65, Decimal("23809000.00")),
    2015: (83, Decimal("36030000.00")),
}
TITLES = [
    ("残疾人社区体育健身", "残疾人"),
    ("居民心理健康教育", "心理"),
    ("医患纠纷人民调解", "调解"),
    ("社区窗口服务", "窗口"),
    ("老年人探访与日间照料", "探访"),
    ("困难家庭帮扶", "帮扶"),
    ("社区矫正对象帮教", "矫正"),
    ("刑释人员安置帮教", "安置"),
    ("特殊儿童关爱", "儿童"),
    ("独居老人居家养老", "养老"),
    ("社区文体活动组织", "文体"),
    ("社会组织能力建设", "能力"),
]
STREETS = [
    "江苏路街道",
    "新华路街道",
    "华阳路街道",
    "周家桥街道",
    "天山路街道",
    "仙霞新村街道",
    "虹桥街道",
    "程家桥街道",
    "北新泾街道",
    "新泾镇",
]


def _catalog_items():
    from caidan.catalog.models import CatalogItem

    items = list(
        CatalogItem.objects.filter(level=3, version__status="published").order_by(
            "version__effective_date", "code"
        )
    )
    return items


def _pick(items, keyword):
    for item in items:
        if keyword in item.name:
            return item
    return items[0]


def seed_projects(actor) -> dict[str, int]:
    from .services import budget_ceiling_set, proposals_import_historical

    unit = Unit.objects.filter(code="310105-SDH").first()
    items = _catalog_items()
    if unit is None or not items:
        return {}
    created = 0
    for year, (count, total) in CHANGNING_SERIES.items():
        if Proposal.objects.filter(unit=unit, year=year).exists():
            continue
        weights = [3 + (i * 7) % 5 for i in range(count)]
        budgets = split_by_weights(total, weights)
        rows = []
        for i, budget in enumerate(budgets):
            title, keyword = TITLES[i % len(TITLES)]
            street = STREETS[i % len(STREETS)]
            rows.append(
                {
                    "title": f"{street}{title}项目（{year}）",
                    "budget": budget,
                    "catalog_item": _pick(items, keyword),
                }
            )
        budget_ceiling_set(unit=unit, year=year, amount=total, actor=actor)
        created += len(
            proposals_import_historical(
                unit=unit,
                year=year,
                rows=rows,
                reference=f"长宁区政府购买社会组织服务项目审定会议纪要（{year}年）",
                actor=actor,
            )
        )
    # Ceilings for this year and next, so purchasers can propose and the committee approve;
    # 江苏路街道's takes the mid-year demo's processes (``seed_demo --midyear``) with room
    # left for its drafted proposal and the one under review.
    from django.utils import timezone

    from .models import BudgetCeiling

    this_year = timezone.localdate().year
    ceilings = 0
    for code, amount in (
        ("310105-001", "5000000.00"),
        ("310105-002", "1500000.00"),
        ("310105-SDH", "8000000.00"),
    ):
        street = Unit.objects.filter(code=code).first()
        for year in (this_year, this_year + 1):
            if street and not BudgetCeiling.objects.filter(unit=street, year=year).exists():
                budget_ceiling_set(unit=street, year=year, amount=amount, actor=actor)
                ceilings += 1
    out = {"proposals": created} if created else {}
    if ceilings:
        out["budget_ceilings"] = ceilings
    return out
