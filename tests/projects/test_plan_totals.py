"""The plan totals table (``projects/totals.py``) stays equal to a fresh computation from the
proposals through every service that moves proposals into the plan or past it, and the
totals endpoint reads the table, not the proposals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.projects.models import PlanDimension, PlanTotal, Proposal, ProposalStatus
from caidan.projects.services import (
    agenda_item_decide,
    budget_ceiling_set,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
    proposals_import_historical,
    review_session_add_proposal,
    review_session_create,
    review_session_open,
    vote_cast,
)
from caidan.projects.totals import (
    plan_totals_computed,
    plan_totals_rebuild,
    plan_totals_stored,
    plan_totals_tracked,
)

pytestmark = pytest.mark.django_db

D = PlanDimension


def assert_exact():
    """The table equals the totals recomputed from every proposal."""
    stored, computed = plan_totals_stored(), plan_totals_computed()
    wrong = {k: (stored.get(k), computed.get(k)) for k in set(stored) | set(computed)}
    assert {k: v for k, v in wrong.items() if v[0] != v[1]} == {}
    return stored


def row(dimension, year, key=""):
    return plan_totals_stored().get((dimension, year, key), (0, Decimal("0.00")))


def _decide(world, proposal, *, approve: bool, reason: str = ""):
    """Through a one-member session: schedule, vote, decide (rejected if not approved)."""
    admin = world.actor("admin")
    session = review_session_create(
        title=f"审定会议 {proposal.pk}",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=[world.user("committee")],
        actor=admin,
    )
    item = review_session_add_proposal(session=session, proposal=proposal, actor=admin)
    review_session_open(session=session, actor=admin)
    vote_cast(
        item=item,
        choice="yes" if approve else "no",
        comment="" if approve else reason,
        actor=world.actor("committee"),
    )
    agenda_item_decide(item=item, if_not_approved="return", reason=reason, actor=admin)
    proposal.refresh_from_db()
    return proposal


def _raise_ceiling(world, unit, year, by):
    from caidan.projects.models import BudgetCeiling

    ceiling = BudgetCeiling.objects.filter(unit=unit, year=year).first()
    amount = (ceiling.amount if ceiling else Decimal(0)) + Decimal(by)
    budget_ceiling_set(unit=unit, year=year, amount=str(amount), actor=world.actor("admin"))


def test_the_demo_data_and_the_rebuild_agree(world):
    assert_exact()
    before = plan_totals_stored()
    PlanTotal.objects.all().delete()
    assert plan_totals_stored() == {}
    plan_totals_rebuild()
    plan_totals_rebuild()  # idempotent
    assert plan_totals_stored() == before
    assert row(D.YEAR, 2013) == (59, Decimal("19000000.00"))


def test_a_sequence_of_services_keeps_the_table_exact(world, draft, next_year):
    from tests.procurement.factories import approved_proposal

    purchaser = world.actor("purchaser")
    street, street2 = world.unit("310105-001"), world.unit("310105-002")
    year0 = row(D.YEAR, next_year)

    # approvals in two purchasers, with two funding sources
    a = approved_proposal(world, budget="400000.00", method="consultation")
    assert_exact()
    b = approved_proposal(
        world,
        budget="600000.00",
        unit="310105-002",
        funding=[
            {"source": "fiscal", "amount": "400000.00"},
            {"source": "welfare_lottery", "amount": "200000.00"},
        ],
    )
    assert_exact()
    assert row(D.YEAR, next_year) == (year0[0] + 2, year0[1] + Decimal("1000000.00"))
    assert row(D.UNIT, next_year, str(street2.pk))[1] >= Decimal("600000.00")
    assert row(D.SOURCE, next_year, "welfare_lottery")[1] >= Decimal("200000.00")
    assert a.year == b.year == next_year

    # returned, amended (budget, method, year move it to another group), then approved
    c = draft(budget="250000.00")
    proposal_submit(proposal=c, actor=purchaser)
    c = _decide(world, c, approve=False, reason="请调整预算")
    assert c.status == ProposalStatus.RETURNED
    assert_exact()
    later = next_year + 1
    _raise_ceiling(world, street, later, "300000.00")
    proposal_update(
        proposal=c,
        changes={
            "budget": Decimal("300000.00"),
            "funding": [{"source": "social", "amount": "300000.00"}],
            "procurement_method": "single_source",
            "year": later,
            "period_start": dt.date(later, 1, 1),
            "period_end": dt.date(later, 12, 31),
        },
        actor=purchaser,
    )
    proposal_submit(proposal=c, actor=purchaser)
    c = _decide(world, c, approve=True)
    assert c.status == ProposalStatus.APPROVED and c.year == later
    assert_exact()
    assert row(D.METHOD, later, "single_source") == (1, Decimal("300000.00"))
    assert row(D.SOURCE, later, "social") == (1, Decimal("300000.00"))
    assert row(D.YEAR, next_year) == (year0[0] + 2, year0[1] + Decimal("1000000.00"))

    # a withdrawn proposal never enters the plan
    w = draft(title="撤回的项目")
    proposal_submit(proposal=w, actor=purchaser)
    proposal_withdraw(proposal=w, reason="需求变化", actor=purchaser)
    assert_exact()

    # a historical import for a past year
    past = timezone.localdate().year - 3
    from caidan.catalog.models import CatalogItem

    item = CatalogItem.objects.filter(level=3, version__status="published").first()
    _raise_ceiling(world, street2, past, "500000.00")
    proposals_import_historical(
        unit=street2,
        year=past,
        rows=[
            {"title": "历史项目一", "budget": "200000.00", "catalog_item": item},
            {"title": "历史项目二", "budget": "300000.00", "catalog_item": item},
        ],
        reference="会议纪要",
        actor=world.actor("admin"),
    )
    assert_exact()
    assert row(D.UNIT, past, str(street2.pk)) == (2, Decimal("500000.00"))


def test_a_move_between_groups_and_a_drop_to_zero(world, next_year):
    """The mechanism any future service uses (an approved project moved to another year,
    then out of the plan): the old group falls, the new one rises, an emptied row goes."""
    from tests.procurement.factories import approved_proposal

    p = approved_proposal(world, budget="700000.00")
    far = next_year + 5
    assert row(D.YEAR, far) == (0, Decimal("0.00"))
    with transaction.atomic(), plan_totals_tracked(p.pk):
        Proposal.objects.filter(pk=p.pk).update(year=far)
    assert row(D.YEAR, far) == (1, Decimal("700000.00"))
    assert_exact()
    with transaction.atomic(), plan_totals_tracked(p.pk):
        Proposal.objects.filter(pk=p.pk).update(budget=Decimal("650000.00"))
    assert row(D.YEAR, far) == (1, Decimal("650000.00"))
    with transaction.atomic(), plan_totals_tracked(p.pk):  # out of the plan
        Proposal.objects.filter(pk=p.pk).update(status=ProposalStatus.REJECTED)
    assert not PlanTotal.objects.filter(year=far).exists()
    assert_exact()


def test_zero_and_one_row(world):
    """From one approved project to none, through the rebuild (the other approved projects
    are set aside by hand: no service takes a project out of the plan)."""
    approved = Proposal.objects.filter(status=ProposalStatus.APPROVED)
    one = approved.order_by("pk").first()
    approved.exclude(pk=one.pk).update(status=ProposalStatus.REJECTED)
    plan_totals_rebuild()
    stored = plan_totals_stored()
    assert stored[(D.YEAR, one.year, "")] == (1, one.budget)
    assert {k[0] for k in stored} == {D.YEAR, D.UNIT, D.METHOD, D.MODE, D.CATEGORY, D.SOURCE}
    assert len(stored) == 5 + one.funding.count()
    assert_exact()
    with transaction.atomic(), plan_totals_tracked(one.pk):
        Proposal.objects.filter(pk=one.pk).update(status=ProposalStatus.REJECTED)
    assert plan_totals_stored() == plan_totals_computed() == {}
    assert not PlanTotal.objects.exists()
    plan_totals_rebuild()
    assert not PlanTotal.objects.exists()


def test_the_check_command(world, capsys):
    call_command("totals_rebuild", "--check")
    PlanTotal.objects.filter(dimension=D.YEAR).update(count=1)
    with pytest.raises(Exception, match="differ"):
        call_command("totals_rebuild", "--check")
    call_command("totals_rebuild")
    call_command("totals_rebuild", "--check")


def test_totals_endpoint_reads_the_table_in_one_query(client, world):
    from tests.procurement.factories import approved_proposal

    with CaptureQueriesContext(connection) as first:
        resp = client.get("/api/v1/projects/plan/totals")
    assert resp.status_code == 200
    before = {r["year"]: r for r in resp.json()}
    assert before[2013] == {
        "year": 2013,
        "count": 59,
        "total": "19000000.00",
        "total_wan": "1900.0",
    }
    p = approved_proposal(world, budget="123456.78")
    with CaptureQueriesContext(connection) as second:
        after = {r["year"]: r for r in client.get("/api/v1/projects/plan/totals").json()}
    assert len(first.captured_queries) == len(second.captured_queries) == 1
    assert "projects_proposal" not in second.captured_queries[0]["sql"]
    assert after[p.year]["count"] == before.get(p.year, {"count": 0})["count"] + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
def test_totals_endpoint_plan_never_scans_proposals(client, world):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/projects/plan/totals")
    (query,) = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "projects_proposal" not in plan, plan
    assert "projects_plantotal" in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_in_two_units_both_count(world, draft, next_year):
    """Two approvals at the same moment, for purchasers with their own ceilings (so nothing
    else serialises them): the upsert adds both."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    import threading

    from django.db import connections

    admin = world.actor("admin")
    items = []
    for n, (code, purchaser) in enumerate(
        (("310105-001", "purchaser"), ("310105-002", "purchaser2"))
    ):
        unit = world.unit(code)
        _raise_ceiling(world, unit, next_year, "300000.00")
        p = draft(actor=world.actor(purchaser), unit=unit, title=f"并发项目{n}")
        proposal_submit(proposal=p, actor=world.actor(purchaser))
        session = review_session_create(
            title=f"会议{n}",
            unit=world.unit("310105"),
            meeting_at=timezone.now(),
            members=[world.user("committee")],
            actor=admin,
        )
        item = review_session_add_proposal(session=session, proposal=p, actor=admin)
        review_session_open(session=session, actor=admin)
        vote_cast(item=item, choice="yes", actor=world.actor("committee"))
        items.append(item)
    year0 = row(D.YEAR, next_year)
    barrier = threading.Barrier(2)
    errors = []

    def decide(item):
        try:
            barrier.wait()
            agenda_item_decide(item=item, actor=admin)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert row(D.YEAR, next_year) == (year0[0] + 2, year0[1] + Decimal("600000.00"))
    assert_exact()
