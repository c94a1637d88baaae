"""Statistics for one year by purchaser, service category, funding source and provider
(issue 8), on data made through the services, with the expected figures worked out by hand.

Proposals are approved for the year after next (``approved_proposal`` with the service
period moved there): the demo has no projects in that year, so every figure is exact.
Contracts come through tenders for next year's projects; the demo has no signed contracts.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from caidan.projects.inputs import ProposalInput
from caidan.stats import statistics as s

pytestmark = pytest.mark.django_db

NEXT = dt.date.today().year + 1  # the year of approved_proposal, so of the tenders' projects
LATER = NEXT + 1  # no demo data


def _item(category: str):
    """A third-level item of ``category`` in the catalog version approved_proposal uses."""
    from caidan.catalog.models import CatalogItem

    latest = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return (
        CatalogItem.objects.filter(level=3, version=latest.version, category=category)
        .order_by("code")
        .first()
    )


def _approved_later(world, *, budget, funding, category, unit="310105-001"):
    """An approved project of ``unit`` for LATER (its budget ceiling raised to fit)."""
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import budget_ceiling_set
    from tests.procurement.factories import approved_proposal

    ceiling = BudgetCeiling.objects.filter(unit=world.unit(unit), year=LATER).first()
    budget_ceiling_set(
        unit=world.unit(unit),
        year=LATER,
        amount=str((ceiling.amount if ceiling else Decimal(0)) + Decimal(budget)),
        actor=world.actor("admin"),
    )
    proposal = approved_proposal(
        world,
        budget=budget,
        unit=unit,
        catalog_item=_item(category),
        funding=[{"source": src, "amount": amount} for src, amount in funding],
        period_start=dt.date(LATER, 1, 1),
        period_end=dt.date(LATER, 12, 31),
    )
    assert proposal.year == LATER
    return proposal


def _submitted_later(world):
    """A proposal submitted for LATER but not approved: in no statistic. (A submission must
    fit the room under the year's ceiling, so the ceiling is raised for it first.)"""
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import budget_ceiling_set, proposal_create, proposal_submit

    unit = world.unit("310105-001")
    ceiling = BudgetCeiling.objects.filter(unit=unit, year=LATER).first()
    budget_ceiling_set(
        unit=unit,
        year=LATER,
        amount=str((ceiling.amount if ceiling else Decimal(0)) + Decimal("5000000.00")),
        actor=world.actor("admin"),
    )
    purchaser = world.actor("purchaser")
    proposal = proposal_create(
        actor=purchaser,
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title="未审定的项目",
            catalog_item=_item("service"),
            budget="5000000.00",
            funding=[{"source": "special", "amount": "5000000.00"}],
            period_start=dt.date(LATER, 1, 1),
            period_end=dt.date(LATER, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "100", "unit": "人次"}],
        ),
    )
    proposal_submit(proposal=proposal, actor=purchaser)
    return proposal


@pytest.fixture
def later(world):
    """LATER's projects:

    ==========  ========  ==========  ==========================================
    purchaser   category  budget      funding
    ==========  ========  ==========  ==========================================
    江苏路街道   服务类     1,000,000   财政预算 1,000,000
    新华路街道   专业类       600,000   财政预算 400,000 + 福彩公益金 200,000
    江苏路街道   专业类       300,000   社会配套资金 300,000
    (江苏路街道  服务类     5,000,000   专项资金 — submitted only, not counted)
    ==========  ========  ==========  ==========================================
    """
    assert s.funds_by_purchaser(LATER) == []
    _approved_later(
        world, budget="1000000.00", funding=[("fiscal", "1000000.00")], category="service"
    )
    _approved_later(
        world,
        budget="600000.00",
        funding=[("fiscal", "400000.00"), ("welfare_lottery", "200000.00")],
        category="professional",
        unit="310105-002",
    )
    _approved_later(
        world, budget="300000.00", funding=[("social", "300000.00")], category="professional"
    )
    _submitted_later(world)
    return LATER


def _rows(rows, *keys):
    return [tuple(r[k] for k in keys) for r in rows]


def test_funds_by_purchaser(later):
    assert _rows(s.funds_by_purchaser(later), "label", "count", "total", "total_wan") == [
        ("江苏路街道", 2, Decimal("1300000.00"), Decimal("130.0")),
        ("新华路街道", 1, Decimal("600000.00"), Decimal("60.0")),
    ]


def test_funds_by_purchaser_on_the_demo_year_2013(world):
    assert _rows(s.funds_by_purchaser(2013), "label", "count", "total") == [
        ("长宁区社会建设工作委员会", 59, Decimal("19000000.00"))
    ]


def test_funds_by_service_category(later):
    assert _rows(s.funds_by_field(later), "key", "label", "count", "total") == [
        ("service", "服务类", 1, Decimal("1000000.00")),
        ("professional", "专业类", 2, Decimal("900000.00")),
    ]


def test_funds_by_funding_source_sums_the_funding_rows(later):
    # 财政预算 1,000,000 + 400,000; the 600,000 project counts under two sources
    assert _rows(s.funds_by_source(later), "key", "label", "count", "total", "share") == [
        ("fiscal", "财政预算", 2, Decimal("1400000.00"), Decimal("73.7")),  # 1.4 / 1.9
        ("social", "社会配套资金", 1, Decimal("300000.00"), Decimal("15.8")),  # 0.3 / 1.9
        ("welfare_lottery", "福彩公益金", 1, Decimal("200000.00"), Decimal("10.5")),
    ]
    assert _rows(s.funds_by_source(2013), "label", "count", "total", "share") == [
        ("财政预算", 59, Decimal("19000000.00"), Decimal("100.0"))
    ]
    assert s.funds_by_source(1999) == []


def test_each_breakdown_is_one_query(later, django_assert_num_queries):
    for read in (s.funds_by_purchaser, s.funds_by_field, s.funds_by_source):
        with django_assert_num_queries(1):
            read(later)
    with django_assert_num_queries(1):
        s.contracts_by_provider(NEXT)


def _enterprise_contract(world, price):
    """A contract won by a (new) enterprise at ``price`` and signed by both sides."""
    from caidan.contracts.services import contract_create, contract_sign
    from caidan.orgs.models import Organization
    from tests.contracts.factories import award_for
    from tests.procurement.factories import make_bidders

    bidders = make_bidders(world, 3)
    Organization.objects.filter(pk=bidders[0].org.pk).update(
        legal_form="enterprise", name="测试服务有限公司"
    )
    award = award_for(world, price=price, bidders=bidders)
    contract = contract_create(award=award, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=world.actor("purchaser"))
    contract_sign(contract=contract, actor=bidders[0].actor)
    contract.refresh_from_db()
    assert contract.status == "active"
    return contract


@pytest.fixture
def contracts(world):
    """NEXT's signed contracts: the demo provider 800,000 twice, an enterprise 600,000;
    one more drafted (not signed) for the demo provider, not counted."""
    from tests.contracts.factories import draft_contract, signed_contract

    assert s.contracts_by_provider(NEXT) == []
    signed_contract(world)
    signed_contract(world)
    _enterprise_contract(world, "600000.00")
    draft_contract(world)
    return NEXT


def test_signed_contracts_by_provider(contracts):
    # total 2,200,000: 1,600,000 / 2,200,000 = 72.7 %, 600,000 / 2,200,000 = 27.3 %
    assert _rows(
        s.contracts_by_provider(contracts), "label", "count", "total", "total_wan", "share"
    ) == [
        ("阳光家庭综合服务中心", 2, Decimal("1600000.00"), Decimal("160.0"), Decimal("72.7")),
        ("测试服务有限公司", 1, Decimal("600000.00"), Decimal("60.0"), Decimal("27.3")),
    ]
    # the share is of every provider's value, not only of those listed
    assert _rows(s.contracts_by_provider(contracts, limit=1), "count", "share") == [
        (2, Decimal("72.7"))
    ]
    assert s.contracts_by_provider(LATER) == []


def test_page_shows_the_breakdowns(client, later):
    resp = client.get(reverse("stats:index"), {"year": str(later)})
    assert resp.status_code == 200
    html = resp.content.decode()
    for heading in ("按购买主体的立项资金", "按服务类别的立项资金", "按资金来源的立项资金"):
        assert heading in html, heading
    assert "承接主体已签合同金额" in html
    for testid in (
        "stats-purchaser",
        "chart-purchaser",
        "stats-field",
        "chart-field",
        "stats-source",
        "chart-source",
        "stats-provider",
    ):
        assert f'data-testid="{testid}"' in html, testid
    purchasers = html.split('data-testid="stats-purchaser"', 1)[1].split("</table>", 1)[0]
    assert "<td>江苏路街道</td><td>2</td><td>130.00</td>" in purchasers
    chart = html.split('data-testid="chart-purchaser"', 1)[1].split("</svg>", 1)[0]
    # bars scaled to the largest (260 px): 1,300,000 → 260, 600,000 → 120
    assert 'width="260"' in chart and 'width="120"' in chart and "130.00" in chart
    sources = html.split('data-testid="stats-source"', 1)[1].split("</table>", 1)[0]
    assert "<td>福彩公益金</td><td>1</td><td>20.00</td><td>10.5</td>" in sources
    assert "该年度没有已签订的合同。" in html  # no contracts for LATER's projects


def test_page_shows_providers(client, contracts):
    html = client.get(reverse("stats:index"), {"year": str(contracts)}).content.decode()
    providers = html.split('data-testid="stats-provider"', 1)[1].split("</table>", 1)[0]
    assert "<td>阳光家庭综合服务中心</td><td>2</td><td>160.00</td><td>72.7</td>" in providers
    assert 'data-testid="chart-provider"' in html


def test_page_query_count_does_not_grow_with_the_data(
    client, world, later, django_assert_max_num_queries
):
    url = reverse("stats:index")
    # 19: no snapshot has been computed yet, so the page computes them (the assisted shares'
    # three counts included); the bound is that the number does not grow with the data
    with django_assert_max_num_queries(19) as before:
        client.get(url, {"year": str(later)})
    for category in ("service", "professional", "service"):
        _approved_later(
            world,
            budget="100000.00",
            funding=[("fiscal", "50000.00"), ("special", "50000.00")],
            category=category,
            unit="310105-002",
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        resp = client.get(url, {"year": str(later)})
    assert len(resp.context["by_purchaser"]) == 2
    assert [r["key"] for r in resp.context["by_source"]] == [
        "fiscal",
        "social",
        "welfare_lottery",
        "special",
    ]


def test_excel_export_has_the_breakdowns(client, later):
    from openpyxl import load_workbook

    resp = client.get(reverse("stats:export"), {"year": str(later)})
    workbook = load_workbook(io.BytesIO(resp.content), read_only=True)
    assert len(workbook.sheetnames) == 12  # the last: 代办参与 (assisted participation)

    def sheet(title):
        return list(workbook[f"{later}{title}"].iter_rows(values_only=True))

    assert sheet("按购买主体") == [
        ("购买主体", "立项数", "资金（元）"),
        ("江苏路街道", 2, 1300000),
        ("新华路街道", 1, 600000),
    ]
    assert sheet("按服务类别") == [
        ("服务类别", "立项数", "资金（元）"),
        ("服务类", 1, 1000000),
        ("专业类", 2, 900000),
    ]
    assert sheet("按资金来源") == [
        ("资金来源", "立项数", "资金（元）", "占比（%）"),
        ("财政预算", 2, 1400000, 73.7),
        ("社会配套资金", 1, 300000, 15.8),
        ("福彩公益金", 1, 200000, 10.5),
    ]
    assert sheet("承接主体合同") == [("承接主体", "合同数", "合同金额（元）", "占比（%）")]


def test_excel_export_has_the_providers(client, contracts):
    from openpyxl import load_workbook

    resp = client.get(reverse("stats:export"), {"year": str(contracts)})
    workbook = load_workbook(io.BytesIO(resp.content), read_only=True)
    rows = list(workbook[f"{contracts}承接主体合同"].iter_rows(values_only=True))
    assert rows[1:] == [
        ("阳光家庭综合服务中心", 2, 1600000, 72.7),
        ("测试服务有限公司", 1, 600000, 27.3),
    ]
