"""The demo catalog: Shanghai-shaped, two published versions, idempotent."""

import datetime as dt

from caidan.catalog.demo import seed_catalog
from caidan.catalog.models import CatalogItem, CatalogVersion, NegativeListEntry
from caidan.catalog.selectors import catalog_current, catalog_level_counts


def test_demo_catalog_shape(world):
    versions = list(CatalogVersion.objects.order_by("effective_date"))
    assert [(v.name, v.effective_date, v.status) for v in versions][:2] == [
        ("2016年8月修订版", dt.date(2016, 8, 1), "published"),
        ("2017年7月修订版", dt.date(2017, 7, 1), "published"),
    ]
    current = catalog_current(on=dt.date(2026, 1, 1))
    assert current.name == "2017年7月修订版"
    counts = catalog_level_counts(version=current)
    assert counts[1] == 5 and counts[2] >= 15 and counts[3] >= 40
    names = set(CatalogItem.objects.filter(version=current).values_list("name", flat=True))
    for name in (
        "基本公共服务",
        "社会管理性服务",
        "行业管理与协调性服务",
        "技术性服务",
        "政府履职所需辅助性事项",
        "居家养老服务",
        "老年人日间照料",
        "老年人探访",
        "残疾人社区康复",
        "残疾人社区体育健身",
        "居民心理健康教育",
        "人民调解",
        "医患纠纷人民调解",
        "社区矫正服务",
        "安置帮教",
        "社区窗口服务",
        "妇女儿童关爱",
        "法律援助",
        "社会满意度调查",
        "权益维护服务",
    ):
        assert name in names, name
    level3 = CatalogItem.objects.filter(version=current, level=3)
    assert all(i.category for i in level3)
    assert level3.filter(guidance_price__isnull=False).count() >= 15
    assert level3.filter(bought_first=True).exists()
    assert not CatalogItem.objects.filter(
        version__name="2016年8月修订版", name="社会满意度调查"
    ).exists()


def test_seed_is_idempotent(world):
    before = (
        CatalogVersion.objects.count(),
        CatalogItem.objects.count(),
        NegativeListEntry.objects.count(),
    )
    assert seed_catalog(world.system) == {
        "catalog_versions": 0,
        "catalog_items": 0,
        "negative_list": 0,
    }
    after = (
        CatalogVersion.objects.count(),
        CatalogItem.objects.count(),
        NegativeListEntry.objects.count(),
    )
    assert before == after


def test_seed_reports_what_it_created(world, monkeypatch):
    """Later apps reference the demo items, so the demo catalog cannot be deleted here: the
    seed is pointed at two other version names instead, as on an empty platform."""
    from caidan.catalog import demo

    monkeypatch.setattr(demo, "V1", ("演示旧版", dt.date(2040, 1, 1), ""))
    monkeypatch.setattr(demo, "V2", ("演示新版", dt.date(2041, 1, 1), ""))
    NegativeListEntry.objects.filter(code="NL06").delete()
    created = seed_catalog(world.system)
    expected_items = len(demo.ITEMS_2016) * 2 + len(demo.ADDED_2017) - len(demo.DROPPED_2017)
    assert created == {
        "catalog_versions": 2,
        "catalog_items": expected_items,
        "negative_list": 1,
    }
    assert catalog_current(on=dt.date(2041, 1, 1)).name == "演示新版"
    assert seed_catalog(world.system) == {
        "catalog_versions": 0,
        "catalog_items": 0,
        "negative_list": 0,
    }
