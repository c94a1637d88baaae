"""Chinese search (``caidan.common.search``): what a word finds, on both databases, and on
PostgreSQL that every public search is served by its gram index.

Rows are made through the notice services (their title and document number are two
searchable fields); the plan tests call the real selectors and EXPLAIN what they ran.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from caidan.common import search as common_search
from caidan.common.actor import Actor
from caidan.common.search import (
    MAX_PAIRS,
    STORED_GRAMS,
    normalize,
    searched,
    text_match,
    tsquery,
    words,
)
from caidan.disclosure.models import Notice
from tests.disclosure.helpers import make_notice

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="gram indexes exist on PostgreSQL only"
)


def _found(q: str, *fields: str, phrase: bool = False) -> set[str]:
    fields = fields or ("title", "document_number")
    return set(
        Notice.objects.filter(text_match(q, *fields, phrase=phrase)).values_list("title", flat=True)
    )


@pytest.fixture
def notices(world):
    titles = {
        "社区养老服务中心运营通知": "长民〔2026〕1号",
        "老服务养老": "长民〔2026〕2号",  # every pair of 养老服务, but not the word
        "养 老院建设": "长民〔2026〕3号",  # 养 and 老 apart
        "助餐点与养老驿站": "长民〔2026〕4号",
        "ABC Elderly Care 指引": "长民〔2026〕5号",
        "调解工作 100% 覆盖_试点": "长民〔2026〕6号",
        "O'Neil\\&|!:() 特殊字符": "长民〔2026〕7号",
        "禁毒宣传": "助餐〔2026〕8号",  # 助餐 only in the document number
    }
    for title, number in titles.items():
        make_notice(world, "published", title=title, document_number=number)
    return titles


def test_one_and_two_character_words_find_exactly_their_substring(notices):
    assert _found("养") == {
        "社区养老服务中心运营通知",
        "老服务养老",
        "养 老院建设",
        "助餐点与养老驿站",
    }
    assert _found("养老") == {"社区养老服务中心运营通知", "老服务养老", "助餐点与养老驿站"}
    assert _found("老院") == {"养 老院建设"}
    assert _found("院老") == set()


def test_a_longer_word_is_a_substring_not_just_its_pairs(notices):
    # 老服务养老 holds 养老, 老服 and 服务 but not 养老服务: the index's superset is rechecked
    assert _found("养老服务") == {"社区养老服务中心运营通知"}
    assert _found("养老服务中心运营通知") == {"社区养老服务中心运营通知"}


def test_every_word_in_some_field(notices):
    assert _found("养老 助餐") == {"助餐点与养老驿站"}
    assert _found("助餐 养老") == {"助餐点与养老驿站"}
    assert _found("禁毒 助餐") == {"禁毒宣传"}  # one word in the title, one in the number
    assert _found("养老 禁毒") == set()
    assert _found("养老 助餐", phrase=True) == set()  # as one string it is nowhere
    assert _found("  ") == set(Notice.objects.values_list("title", flat=True))


def test_ascii_letters_ignore_case_and_special_characters_are_literal(notices):
    assert _found("elderly care") == {"ABC Elderly Care 指引"}
    assert _found("abc") == {"ABC Elderly Care 指引"}
    assert _found("ELDERLY CARE", phrase=True) == {"ABC Elderly Care 指引"}
    assert _found("100%") == {"调解工作 100% 覆盖_试点"}
    assert _found("%") == {"调解工作 100% 覆盖_试点"}
    assert _found("_试") == {"调解工作 100% 覆盖_试点"}
    for q in ("O'Neil", "\\", "&|", "!:()", "'", "&", "|", ":", "("):
        assert _found(q) == {"O'Neil\\&|!:() 特殊字符"}, q


def test_query_text_is_cut_as_the_database_cuts_it():
    assert normalize("ABC\t 养老\n服务") == "abc 养老 服务"
    assert normalize("Ä") == "Ä"  # only ASCII letters change case, as in caidan_grams
    assert words("养老  养老 助餐 a b c d e") == ["养老", "助餐", "a", "b", "c"]
    assert tsquery("养") == "'养'"
    assert tsquery("养老") == "'养老'"
    assert tsquery("养老服务") == "'养老' & '老服' & '服务'"
    assert tsquery("O'N") == "'o''' & '''n'"
    assert tsquery("a\\b") == "'a\\\\' & '\\\\b'"
    long = "社区居家养老服务综合照料中心运营管理项目"
    assert tsquery(long).count("&") == MAX_PAIRS - 1


def test_a_long_word_still_finds_only_its_substring(world):
    long = "社区居家养老服务综合照料中心运营管理项目"
    make_notice(world, "published", title=f"关于{long}的通知")
    make_notice(world, "published", title="社区居家养老服务综合照料中心运营管理办法")
    assert _found(long) == {f"关于{long}的通知"}


@on_postgres
def test_the_database_cuts_text_into_characters_and_pairs(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT caidan_grams(%s)::text", ["养老 AB\t\nc"])
        (grams,) = cursor.fetchone()
    assert grams == "' a' ' c' 'a' 'ab' 'b' 'b ' 'c' '养' '养老' '老' '老 '"


# --- plans: every public search is served by its gram index --------------------------------
#
# Two halves. Each public search puts the gram condition on its columns into its query (the
# captured SQL says so); and each gram condition, alone, is answered by its index (EXPLAIN
# with sequential and plain index scans off, so that only an index on the condition can
# serve it). Test tables are too small for the planner to prefer the gram index over the
# search's other filters; the benchmark (bench/run.py) measures the plans at a million rows.

GRAM_INDEXES = [
    ("orgs.Organization", "name", "org_name_grams"),
    ("catalog.CatalogItem", "name", "catalog_item_name_grams"),
    ("catalog.CatalogItem", "description", "catalog_item_desc_grams"),
    ("projects.Proposal", "title", "proposal_title_grams"),
    ("procurement.Tender", "title", "tender_title_grams"),
    ("contracts.Contract", "title", "contract_title_grams"),
    ("disclosure.Notice", "title", "notice_title_grams"),
    ("disclosure.Notice", "document_number", "notice_docno_grams"),
    ("needs.Need", "text", "need_text_grams"),
    ("needs.Need", "community", "need_community_grams"),
    ("needs.Menu", "title", "menu_title_grams"),
    ("needs.Menu", "description", "menu_desc_grams"),
    ("enquiries.Enquiry", "published_title", "enquiry_pub_title_grams"),
    ("enquiries.Enquiry", "published_body", "enquiry_pub_body_grams"),
    ("enquiries.Enquiry", "published_answer", "enquiry_pub_answer_grams"),
]


def _explain(sql: str, params=()) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


@on_postgres
@pytest.mark.parametrize(("model", "field", "index"), GRAM_INDEXES)
@pytest.mark.parametrize("q", ["养", "养老", "养老服务", "养老 调解"])
def test_each_gram_condition_is_served_by_its_index(db, model, field, index, q):
    from django.apps import apps

    qs = apps.get_model(model).objects.filter(text_match(q, field)).values("pk")
    sql, params = qs.query.sql_with_params()
    plan = _explain(sql, params)
    assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "Seq Scan" not in plan, plan


def _gram_sql(run) -> str:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return "\n".join(q["sql"] for q in ctx.captured_queries if "@@" in q["sql"])


def _gram_condition(table: str, column: str) -> str:
    """How a gram condition on the column reads in SQL: its stored grams column, or the
    function over the column."""
    if (table, column) in STORED_GRAMS:
        return f'"{table}"."{column}_grams" @@'
    return f'caidan_grams("{table}"."{column}")'


def _searches(world):
    from caidan.catalog.selectors import catalog_current, catalog_item_queryset
    from caidan.contracts.selectors import contract_list_public
    from caidan.disclosure import search
    from caidan.disclosure.selectors import notice_list_public
    from caidan.enquiries.selectors import enquiry_list_public
    from caidan.evaluations.selectors import published_evaluation_search
    from caidan.needs.selectors import menu_list_public, need_list_public
    from caidan.orgs.selectors import organization_search
    from caidan.procurement.selectors import tender_list_public
    from caidan.projects.selectors import annual_plan, proposal_list_for

    anonymous, purchaser = Actor.anonymous(), world.actor("purchaser")
    org, item, proposal = "orgs_organization", "catalog_catalogitem", "projects_proposal"
    tender, contract, notice = "procurement_tender", "contracts_contract", "disclosure_notice"
    need, menu, enquiry = "needs_need", "needs_menu", "enquiries_enquiry"
    return {
        "organizations": (
            lambda q: list(organization_search(search=q)[:20]),
            [(org, "name")],
        ),
        "catalog": (
            lambda q: list(catalog_item_queryset(version=catalog_current(), q=q)[:20]),
            [(item, "name"), (item, "description")],
        ),
        "plan": (lambda q: annual_plan(search=q), [(proposal, "title")]),
        "proposals": (
            lambda q: proposal_list_for(actor=purchaser, search=q),
            [(proposal, "title")],
        ),
        "tenders": (lambda q: tender_list_public(search=q), [(tender, "title")]),
        "contracts": (
            lambda q: contract_list_public(actor=anonymous, search=q),
            [(contract, "title"), (org, "name")],
        ),
        "evaluations": (
            lambda q: list(published_evaluation_search(search=q)[:20]),
            [(contract, "title"), (org, "name")],
        ),
        "notices": (
            lambda q: notice_list_public(q=q),
            [(notice, "title"), (notice, "document_number")],
        ),
        "needs": (lambda q: need_list_public(q=q), [(need, "text"), (need, "community")]),
        "menus": (lambda q: menu_list_public(q=q), [(menu, "title"), (menu, "description")]),
        "answers": (
            lambda q: enquiry_list_public(q=q),
            [(enquiry, f"published_{f}") for f in ("title", "body", "answer")],
        ),
        "portal": (
            lambda q: search.search_all(q),
            [(org, "name"), (item, "name"), (proposal, "title"), (tender, "title")]
            + [(contract, "title"), (notice, "title"), (need, "text"), (menu, "title")]
            + [(enquiry, "published_title")],
        ),
    }


SEARCHES = [
    "organizations",
    "catalog",
    "plan",
    "proposals",
    "tenders",
    "contracts",
    "evaluations",
    "notices",
    "needs",
    "menus",
    "answers",
    "portal",
]


@on_postgres
@pytest.mark.parametrize("name", SEARCHES)
def test_every_public_search_puts_the_gram_condition_on_its_columns(world, name):
    run, columns = _searches(world)[name]
    sql = _gram_sql(lambda: run("养老服务"))
    for table, column in columns:
        assert _gram_condition(table, column) in sql, (table, column, sql)


def test_portal_search_ranks_phrase_matches_first_without_duplicates(world):
    from caidan.disclosure import search

    older = make_notice(world, "published", title="养老 助餐 实施办法（旧）")
    for i in range(3):
        make_notice(world, "published", title=f"助餐和养老第{i}号")
    hits = search.search_notices("养老 助餐", limit=3)
    assert hits[0]["url"] == f"/open/notices/{older.pk}/"  # the phrase, though oldest
    assert len(hits) == 3 and len({h["url"] for h in hits}) == 3
    titles = [h["title"] for h in search.search_notices("养老 助餐", limit=10)]
    assert titles[0] == "养老 助餐 实施办法（旧）"
    assert sorted(titles[1:]) == [f"助餐和养老第{i}号" for i in range(3)]


def test_search_dates_sort_newest_first_within_a_rank(world):
    from caidan.disclosure import search

    first = make_notice(world, "published", title="养老政策一", effective_date=dt.date(2026, 1, 1))
    second = make_notice(world, "published", title="养老政策二", effective_date=dt.date(2026, 2, 1))
    urls = [h["url"] for h in search.search_notices("养老政策")]
    assert urls.index(f"/open/notices/{second.pk}/") < urls.index(f"/open/notices/{first.pk}/")


@pytest.mark.parametrize("limit", [0, 500])
def test_records_are_found_by_their_organizations_name_rare_or_common(world, monkeypatch, limit):
    """A rare name becomes a list of ids; a common one (over the limit) is matched through
    the join. Either way the same contracts come back."""
    from caidan.common import search as common_search
    from caidan.contracts.selectors import contract_list_public
    from tests.contracts.factories import signed_contract

    monkeypatch.setattr(common_search, "RELATED_ID_LIMIT", limit)
    contract = signed_contract(world)
    name = contract.organization.name
    found = contract_list_public(actor=Actor.anonymous(), search=name[2:6]).items
    assert [c.pk for c in found] == [contract.pk]
    assert contract_list_public(actor=Actor.anonymous(), search="不存在的组织名").items == []


# --- stored grams and the probe for rare words ----------------------------------------------


@pytest.fixture
def organizations(world):
    from caidan.common.identifiers import make_uscc
    from caidan.orgs.inputs import OrganizationInput
    from caidan.orgs.services import organization_create

    names = ["长宁鹤鸣调解中心", "静安鹤鸣工作室", "徐汇助浴服务社", "普陀养老服务中心"]
    made = []
    for n, name in enumerate(names):
        made.append(
            organization_create(
                actor=world.actor("registrar"),
                data=OrganizationInput.parse(
                    name=name,
                    uscc=make_uscc(f"52310105MA{n:07d}"),
                    legal_form="service_institution",
                    fields=["elderly"],
                    registration_date=dt.date(2020, 1, 1),
                ),
            )
        )
    return {o.name: o for o in made}


def _names(qs) -> list[str]:
    return sorted(qs.values_list("name", flat=True))


@on_postgres
def test_stored_grams_follow_every_insert_and_update(organizations):
    from caidan.orgs.models import Organization

    org = organizations["徐汇助浴服务社"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_grams::text FROM orgs_organization WHERE id = %s", [org.pk])
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT caidan_grams(%s)::text", [org.name])
        assert stored == cursor.fetchone()[0]
    Organization.objects.filter(pk=org.pk).update(name="徐汇社工服务社")
    assert _names(Organization.objects.filter(text_match("助浴", "name"))) == []
    assert _names(Organization.objects.filter(text_match("社工", "name"))) == ["徐汇社工服务社"]


@pytest.mark.parametrize("q", ["鹤鸣", "助浴", "鹤鸣 静安", "调解", "服务中心", "不存在"])
def test_searched_finds_what_the_plain_filter_finds(organizations, q):
    from caidan.orgs.models import Organization

    qs = Organization.objects.all()
    assert _names(searched(qs, text_match(q, "name"))) == _names(qs.filter(text_match(q, "name")))


@on_postgres
def test_a_search_expected_to_be_rare_becomes_a_list_of_keys(organizations):
    """Expected to match few rows, the search is looked up on its gram index once and the
    list is those rows by primary key; over the limit, it stays the gram condition."""
    from caidan.orgs.models import Organization

    qs = Organization.objects.all()
    with CaptureQueriesContext(connection) as ctx:
        rare = searched(qs, text_match("鹤鸣", "name"))
    probe = [q["sql"] for q in ctx.captured_queries if "name_grams" in q["sql"]]
    assert any(sql.startswith("EXPLAIN") for sql in probe)
    assert any(not sql.startswith("EXPLAIN") for sql in probe)
    assert "name_grams" not in str(rare.query)  # by key now
    assert _names(rare) == ["长宁鹤鸣调解中心", "静安鹤鸣工作室"]


@on_postgres
@pytest.mark.parametrize(("limit", "by_key"), [(1, False), (2, True), (3, True)])
def test_the_probe_limit_is_exact(organizations, monkeypatch, limit, by_key):
    from caidan.orgs.models import Organization

    monkeypatch.setattr(common_search, "PROBE_LIMIT", limit)
    found = searched(Organization.objects.all(), text_match("鹤鸣", "name"))  # two rows
    assert ("name_grams" not in str(found.query)) is by_key
    assert _names(found) == ["长宁鹤鸣调解中心", "静安鹤鸣工作室"]


@on_postgres
def test_a_search_expected_to_be_common_keeps_the_gram_condition(organizations, monkeypatch):
    from caidan.orgs.models import Organization

    monkeypatch.setattr(common_search, "_estimated_rows", lambda qs: common_search.PROBE_LIMIT + 1)
    with CaptureQueriesContext(connection) as ctx:
        found = searched(Organization.objects.all(), text_match("鹤鸣", "name"))
    assert ctx.captured_queries == []
    assert "name_grams" in str(found.query)


@on_postgres
def test_the_probe_leaves_the_planner_settings_as_it_found_them(organizations):
    from caidan.orgs.models import Organization

    with transaction.atomic():
        list(searched(Organization.objects.all(), text_match("助浴", "name")))
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == "on"
            cursor.execute("SHOW enable_indexscan")
            assert cursor.fetchone()[0] == "on"


@on_postgres
def test_the_planners_estimate_is_kept_for_the_same_search(organizations):
    from caidan.orgs.models import Organization

    def explains() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(searched(Organization.objects.all(), text_match("鹤鸣", "name")))
        return sum(q["sql"].startswith("EXPLAIN") for q in ctx.captured_queries)

    assert explains() == 1
    assert explains() == 0  # kept: the statistics it came from have not changed
    common_search.forget_estimates()
    assert explains() == 1


def test_the_portal_looks_each_related_table_up_once(world):
    """Contracts, awards and evaluations are all found by their organization's name: one
    lookup of the organizations for the whole search."""
    from caidan.disclosure.search import search_all

    with CaptureQueriesContext(connection) as ctx:
        search_all("鹤鸣")
    org_lookups = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "orgs_organization"."id" AS "pk" FROM "orgs_organization"')
        and q["sql"].endswith(f"LIMIT {common_search.RELATED_ID_LIMIT + 1}")
    ]
    assert len(org_lookups) == 1, org_lookups


@on_postgres
def test_an_equality_is_neither_estimated_nor_probed_a_list_of_keys_is(organizations):
    """A reference number or credit code is answered by its own index at once; a list of
    related keys is probed like a rare word (the planner cannot tell how rare it is, and
    may walk the list's order past most of the table)."""
    from caidan.orgs.models import Organization

    org = organizations["徐汇助浴服务社"]
    with CaptureQueriesContext(connection) as ctx:
        found = searched(Organization.objects.all(), Q(uscc=org.uscc))
    assert ctx.captured_queries == []
    assert list(found) == [org]
    with CaptureQueriesContext(connection) as ctx:
        found = searched(Organization.objects.all(), Q(pk__in=[org.pk]) | Q(uscc="X"))
    assert any(q["sql"].startswith("EXPLAIN") for q in ctx.captured_queries)
    assert "uscc" not in str(found.query).split("WHERE")[1]  # by key now
    assert list(found) == [org]


@on_postgres
def test_probes_in_one_search_set_the_planner_once_and_give_its_settings_back(organizations):
    """Inside ``lookups_shared`` (one search of several record types) the probes share one
    transaction whose planner settings (no table scans, no hash or merge joins, no
    parallel workers: see PROBE_PLANNER) are made once; after the block, an enclosing
    transaction has its settings back."""
    from caidan.common.search import PROBE_PLANNER, lookups_shared
    from caidan.orgs.models import Organization

    def settings() -> dict:
        with connection.cursor() as cursor:
            values = {}
            for name in PROBE_PLANNER:
                cursor.execute(f"SHOW {name}")
                values[name] = cursor.fetchone()[0]
            return values

    before = settings()
    assert before != PROBE_PLANNER
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx, lookups_shared():
            for q in ("鹤鸣", "助浴", "静安"):
                common_search.forget_estimates()
                rare = searched(Organization.objects.all(), text_match(q, "name"))
                assert "name_grams" not in str(rare.query)  # probed: by key
                list(rare)
                assert settings() == PROBE_PLANNER
        sets = [q["sql"] for q in ctx.captured_queries if "set_config" in q["sql"]]
        assert sets == [common_search.PROBE_PLANNER_SQL, common_search.PROBE_PLANNER_RESET_SQL]
        assert settings() == before
    assert settings() == before


@on_postgres
def test_a_common_related_word_is_matched_through_the_join(organizations, monkeypatch):
    """Expected by the statistics to match more than PROBE_LIMIT related rows, the
    related table is not listed (a gram index cannot stop at the first rows: listing 501
    of 200,000 would read them all); the records' join checks each one's row."""
    from caidan.common.search import related_match
    from caidan.contracts.models import Contract
    from caidan.orgs.models import Organization

    monkeypatch.setattr(common_search, "_estimated_rows", lambda qs: common_search.PROBE_LIMIT + 1)
    with CaptureQueriesContext(connection) as ctx:
        match = related_match("助浴", Organization, "name", "organization")
    assert ctx.captured_queries == []
    assert "organization__name" in str(match)
    assert list(Contract.objects.filter(match)) == list(
        Contract.objects.filter(organization__name__contains="助浴")
    )
    monkeypatch.undo()
    common_search.forget_estimates()
    rare = related_match("助浴", Organization, "name", "organization")
    assert rare == Q(organization__in=[organizations["徐汇助浴服务社"].pk])


@on_postgres
def test_the_estimate_is_kept_per_query_without_compiling_it(organizations):
    from caidan.common.search import _estimate_key
    from caidan.orgs.models import Organization

    qs = Organization.objects.all()
    one = _estimate_key(qs.filter(text_match("鹤鸣", "name")))
    assert one == _estimate_key(qs.filter(text_match("鹤鸣", "name")))
    assert one != _estimate_key(qs.filter(text_match("助浴", "name")))
    assert one != _estimate_key(qs.filter(text_match("鹤鸣", "name")).values("id"))
    assert one != _estimate_key(qs.filter(text_match("鹤鸣", "name")).order_by("-id"))
