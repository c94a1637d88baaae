"""The public portal (/open/): the search across public records, and the portal home.

Data is set up through the services (the demo jurisdiction is seeded once by the root
conftest); procurement and contracts through their test factories.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from caidan.disclosure import search
from caidan.projects.inputs import ProposalInput

from .helpers import make_notice

# --- search across public records -----------------------------------------------------------


def _draft_proposal(world, title):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.services import proposal_create

    year = dt.date.today().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title=title,
            catalog_item=item,
            budget="100000.00",
            funding=[{"source": "fiscal", "amount": "100000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="none",
            outputs=[{"name": "上门探访", "target": "100", "unit": "人次"}],
        ),
    )


def _urls(groups, kind) -> list[str]:
    return [h["url"] for g in groups if g["type"] == kind for h in g["hits"]]


def _titles(groups, kind) -> list[str]:
    return [h["title"] for g in groups if g["type"] == kind for h in g["hits"]]


def test_search_finds_public_records_and_nothing_else(world, client):
    from caidan.catalog.models import CatalogItem
    from caidan.catalog.selectors import catalog_current
    from tests.contracts.factories import signed_contract
    from tests.procurement.factories import approved_proposal, draft_tender

    published = make_notice(world, "published", title="关于推进菁苗社区服务的实施意见")
    make_notice(world, "draft", title="菁苗社区服务草稿意见")
    item = CatalogItem.objects.filter(version=catalog_current(), level=3).order_by("code").first()
    org_name = world.actor("provider").organization.name  # 阳光家庭综合服务中心
    project = approved_proposal(world, title="菁苗社区青少年服务项目")
    _draft_proposal(world, "菁苗社区未审定项目")
    draft_tender(world, proposal=approved_proposal(world, title="菁苗社区草稿采购项目"))
    contract = signed_contract(world)

    groups = search.search_all("菁苗社区")
    assert f"/open/notices/{published.pk}/" in _urls(groups, "notice")
    assert "菁苗社区服务草稿意见" not in _titles(groups, "notice")
    assert f"/projects/proposals/{project.pk}/" in _urls(groups, "project")
    assert "菁苗社区未审定项目" not in _titles(groups, "project")
    assert _titles(groups, "tender") == []  # the only matching tender is a draft

    groups = search.search_all(item.name[1:])
    assert f"/catalog/items/{item.pk}/" in _urls(groups, "catalog")
    groups = search.search_all(org_name[2:6])
    assert f"/orgs/{world.actor('provider').organization.pk}/" in _urls(groups, "organization")
    assert f"/contracts/{contract.pk}/" in _urls(groups, "contract")

    # through the page, anonymously
    html = client.get("/open/search/", {"q": "菁苗社区"}).content.decode()
    assert "关于推进菁苗社区服务的实施意见" in html
    assert "菁苗社区服务草稿意见" not in html and "菁苗社区未审定项目" not in html
    assert 'data-testid="search-tender"' in html


def test_search_caps_each_type_and_links_to_the_filtered_list(world):
    groups = {g["type"]: g for g in search.search_all("养老", per_type=3)}
    assert set(groups) == {
        "notice",
        "catalog",
        "organization",
        "project",
        "tender",
        "award",
        "contract",
        "evaluation",
        "need",
        "menu",
        "answer",
    }
    project = groups["project"]
    assert len(project["hits"]) == 3 and project["full"]  # the Changning series has many
    assert project["more"].startswith("/projects/?q=")
    for hit in project["hits"]:
        assert set(hit) == {"type", "label", "title", "date", "url", "note"}


def test_search_query_count_is_bounded(world, client, django_assert_max_num_queries):
    for i in range(12):
        make_notice(world, "published", title=f"养老服务政策第{i}号")
    # one query per record type, +1 for the current catalog, +3 for the organizations named
    # (contracts, awards and evaluations are found by their organization's name too), +2 for
    # the tenders and contracts whose titles awards and evaluations are found by, whatever
    # the number of hits
    # on PostgreSQL, per type and step searched on grams, an EXPLAIN and, for a search
    # expected to be rare, its probe of the keys (a list of keys or a reference number is
    # neither: its own index answers it); the planner setting is made once for the whole
    # search, and given back inside the test's transaction (+2)
    # awards, evaluations and contracts are matched by their own text and by their related
    # rows' (an organization's name, a tender's or contract's title) in separate queries,
    # each on its own index: +3
    per_step = (len(search.SEARCHERS) + 3) * (3 if connection.vendor == "postgresql" else 1)
    bound = per_step + 6 + (2 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(bound):
        groups = search.search_all("养老")
    assert sum(len(g["hits"]) for g in groups) > 20
    with django_assert_max_num_queries(bound):  # anonymous: no session
        resp = client.get("/open/search/?q=养老")
    assert resp.status_code == 200
    # several words: a second step a type fills up with rows holding every word
    with django_assert_max_num_queries(bound + per_step + 2):
        search.search_all("养老 服务")


def test_search_form_bounds(world, client):
    html = client.get("/open/search/").content.decode()
    assert 'name="q"' in html and 'data-testid="search-total"' not in html
    resp = client.get("/open/search/", {"q": "养" * 101})
    assert resp.status_code == 200 and 'data-testid="search-total"' not in resp.content.decode()
    assert "100" in resp.content.decode()
    resp = client.get("/open/search/", {"q": "养"})  # one Chinese character is a query
    assert 'data-testid="search-total"' in resp.content.decode()


def test_portal_home_links_everything(world, client):
    make_notice(world, "published", title="首页展示的最新公告")
    html = client.get("/open/").content.decode()
    for href in (
        "/open/notices/",
        "/open/search/",
        "/catalog/",
        "/orgs/directory/",
        "/projects/",
        "/procurement/",
        "/contracts/",
        "/evaluations/",
        "/stats/",
        "/stats/flags/",
        "/open/data/",
    ):
        assert f'href="{href}"' in html, href
    assert "首页展示的最新公告" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
@pytest.mark.parametrize(
    ("searcher", "table", "index"),
    [
        ("search_awards", "procurement_award", "award_notice_order"),
        ("search_evaluations", "evaluations_evaluation", "evaluation_published"),
    ],
)
def test_types_found_through_a_relation_walk_their_order_on_an_index(
    world, monkeypatch, searcher, table, index
):
    """Awards and evaluations are searched by the title of their tender or contract: the
    type is walked newest first and each row's related title checked, so the walk must be
    an index in that order, not a sort of every published row (at 1M: 160 ms)."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from caidan.common import search as common_search

    # a common word (the rare one is found by key, not walked)
    monkeypatch.setattr(common_search, "_estimated_rows", lambda qs: float("inf"))

    with CaptureQueriesContext(connection) as ctx:
        getattr(search, searcher)("养老")
    (sql,) = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith(f'SELECT "{table}"."id" AS')
    ][:1]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert f"Index Scan using {index} on {table}" in plan, plan
    assert "Sort" not in plan, plan


def test_parts_searched_apart_come_back_in_the_types_order_once(world):
    """A type matched by several conditions (its own text, a related table's) runs one
    query per condition; the rows are merged in the type's order, each once, as the one
    query joining them by OR would return them."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from caidan.disclosure.models import Notice

    for title in ["甲类政策", "乙类政策", "甲乙合并", "丙类政策", "甲类补充"]:
        make_notice(world, "published", title=title)
    qs = Notice.objects.order_by("-published_at", "-id").values("id", "title", "published_at")
    parts = [Q(title__contains="甲"), Q(title__contains="乙")]
    merged = search._matching(qs, parts, 3)
    assert [r["id"] for r in merged] == [r["id"] for r in qs.filter(reduce(or_, parts))[:3]]
    assert len({r["id"] for r in search._matching(qs, parts, 10)}) == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="probes are PostgreSQL's")
def test_parts_expected_to_be_rare_are_each_one_probe_that_reads_the_rows(world):
    """Each part a rare word makes (its own text, a related table's keys) is probed on its
    own index, and the probe reads the rows themselves (no second query by key); they come
    back in the type's order, each once, as the one query joining them by OR would return
    them, sorted here rather than walked there."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from caidan.disclosure.models import Notice

    ids = {}
    for title in ["甲类政策", "乙类政策", "甲乙合并", "丙类政策", "甲类补充"]:
        ids[title] = make_notice(world, "published", title=title).pk
    qs = Notice.objects.order_by("-published_at", "-id").values("id", "title", "published_at")
    parts = [
        Q(pk__in=[ids["甲类政策"], ids["甲乙合并"], ids["甲类补充"]]),
        Q(pk__in=[ids["乙类政策"], ids["甲乙合并"]]),
    ]
    with CaptureQueriesContext(connection) as ctx:
        merged = search._matching(qs, parts, 3)
    assert [r["id"] for r in merged] == [r["id"] for r in qs.filter(reduce(or_, parts))[:3]]
    reads = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "disclosure_notice"."id" AS "id"')
    ]
    assert len(reads) == 2, reads  # one probe a part, reading the rows
    assert not any("ORDER BY" in sql for sql in reads)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="probes are PostgreSQL's")
@pytest.mark.parametrize("whole", [2, 3, 4])
def test_a_probe_reads_rows_up_to_read_whole_then_keys(world, monkeypatch, whole):
    """At most READ_WHOLE rows are read by the probe and sorted here; one more and the
    probe lists keys, the rows are read by key in the type's order: the same rows."""
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from caidan.common import search as common_search
    from caidan.disclosure.models import Notice

    monkeypatch.setattr(common_search, "READ_WHOLE", whole)
    ids = [make_notice(world, "published", title=f"第{i}号").pk for i in range(3)]
    qs = Notice.objects.order_by("-published_at", "-id").values("id", "title", "published_at")
    with CaptureQueriesContext(connection) as ctx:
        rows = search._matching(qs, [Q(pk__in=ids)], 2)
    assert [r["id"] for r in rows] == [r["id"] for r in qs.filter(pk__in=ids)[:2]]
    by_key = [
        q["sql"]
        for q in ctx.captured_queries
        if "ORDER BY" in q["sql"] and not q["sql"].startswith("EXPLAIN")
    ]
    assert len(by_key) == (1 if whole < 3 else 0)
