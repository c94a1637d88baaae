"""The demand-gap table in pages (issue 21): the public page shows every row, 100 a page, with
上一页 / 下一页 links that keep the filters; the totals and the chart stay those of the whole
table; the page costs the same queries whatever its number; a page number that is not one
falls back to the first page (or the last); the API pages with ``cursor`` / ``limit`` as
every list endpoint does.

The data is made through the services in a year the demo does not reach (two years ahead,
with the clock moved there), so every row of that year is the test's own and the pages' contents
are worked out by hand:

* a need for each of the 10 streets and towns × each of the 9 target groups (90 rows of
  unmet demand 1), and a second need for 江苏路街道 × 老年人 (that row's unmet demand is 2);
* two projects of 江苏路街道 approved for that year, one in field 0101 and one in field 0102,
  each for all 9 groups (18 rows with a project and no demand).

108 rows. In the table's order (the largest unmet demand first, then the unit's name, the
field's code, the group's key) page 1 holds 江苏路街道 × 老年人 first, then the other 89 needs'
rows, then the nine 0101 project rows and the first 0102 one (group ``disabled``); page 2 the
other eight 0102 rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.common.pagination import cursor_encode
from caidan.needs import services as needs_services
from caidan.needs.inputs import NeedInput
from caidan.needs.models import TargetGroup
from caidan.stats import gap_views
from caidan.stats.gaps import NONE, GapFilter, gap_table

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year + 2  # no demo record reaches it
GROUPS = sorted(TargetGroup.values)  # disabled, elderly, elderly_alone, ex_offender, …
PAGE_2_GROUPS = [
    "elderly",
    "elderly_alone",
    "ex_offender",
    "mental_disorder",
    "other",
    "poor_family",
    "special_children",
    "youth",
]
URL = "/stats/gaps/"


def _at(year: int, month: int, day: int):
    return time_machine.travel(
        dt.datetime(year, month, day, 10, tzinfo=timezone.get_current_timezone())
    )


def _field_item(code: str):
    from caidan.catalog.models import CatalogItem

    return (
        CatalogItem.objects.filter(level=3, version__status="published", code__startswith=code)
        .order_by("-version__effective_date", "code")
        .first()
    )


@pytest.fixture
def residents(verify, new_phone):
    """``residents()`` → a freshly verified resident, each from a network address of its own
    (a resident states a few needs a day; an address asks for a few codes an hour)."""
    from tests.needs.conftest import resident_actor

    made = iter(range(1, 10_000))

    def _resident():
        n = next(made)
        return resident_actor(verify(new_phone(), ip=f"10.9.{n // 200}.{n % 200 + 1}"))

    return _resident


@pytest.fixture
def two_pages(world, residents, jiangsu):
    """The 108 rows of ``YEAR`` described above; returns the two fields' codes."""
    from caidan.accounts.models import Unit
    from tests.procurement.factories import approved_proposal

    fields = ("0101", "0102")
    with _at(YEAR - 1, 6, 1):  # approved the year before, for the budget year YEAR
        for code in fields:
            approved_proposal(
                world,
                budget="100000.00",
                catalog_item=_field_item(code),
                target_groups=[str(label) for _v, label in TargetGroup.choices],  # as written
            )
    units = list(Unit.objects.filter(kind__in=("street", "town")))
    assert len(units) == 10
    with _at(YEAR, 3, 2):
        for unit in units:
            for group in GROUPS + (["elderly"] if unit == jiangsu else []):
                needs_services.need_submit(
                    actor=residents(),
                    data=NeedInput.parse(
                        unit=unit,
                        community="愚园路居委会",
                        target_group=group,
                        text="希望社区提供就业指导和心理支持服务。",
                    ),
                )
    return fields


def _html(client, **params) -> str:
    resp = client.get(URL, params)
    assert resp.status_code == 200, (params, resp.status_code)
    return resp.content.decode()


def _rows(html: str) -> list[str]:
    """Each table row's cells as text."""
    body = html.split('data-testid="gap-table"')[1].split("</table>")[0]
    return [
        " | ".join(
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        )
        for row in body.split('data-testid="gap-row"')[1:]
    ]


def _testid(html: str, testid: str) -> str:
    """The text of the element with ``data-testid``, tags removed."""
    after = html.split(f'data-testid="{testid}"', 1)[1].split(">", 1)[1]
    tag = re.search(r"<(/?)(p|span|td|nav|svg)\b", after)
    return unescape(re.sub(r"<[^>]+>", "", after[: tag.start()] if tag else after)).strip()


def _link(html: str, testid: str) -> dict[str, list[str]] | None:
    """The query of the link with ``data-testid`` (None when there is none)."""
    match = re.search(rf'data-testid="{testid}" href="([^"]*)"', html)
    return parse_qs(urlsplit(unescape(match.group(1))).query) if match else None


def _chart(html: str) -> str:
    return html.split('data-testid="gap-chart"')[1].split("</svg>")[0]


# --- the page ------------------------------------------------------------------------------------


def test_every_row_in_pages_of_100_with_the_whole_tables_totals_and_chart(
    two_pages, client, jiangsu
):
    first_field, second_field = two_pages
    page1 = _html(client, year=YEAR)
    rows1 = _rows(page1)
    assert len(rows1) == 100
    assert rows1[0].startswith(f"{jiangsu.name} | 未指明 | 老年人 | 2 | 0 | 0 | 2")
    need_rows = [r for r in rows1 if "| 未指明 |" in r]
    assert len(need_rows) == 90 and rows1[:90] == need_rows  # all the demand comes first
    projects = rows1[90:]
    assert [r.split(" | ")[1][:4] for r in projects] == [first_field] * 9 + [second_field]
    assert all(r.startswith(jiangsu.name) for r in projects)
    assert projects[-1].split(" | ")[2] == "残疾人"  # ``disabled``, the first group key
    assert _testid(page1, "gap-count") == "共 108 行，第 1 页，共 2 页"
    assert _testid(page1, "gap-page-of") == "第 1 页，共 2 页"
    assert _link(page1, "gap-previous") is None
    assert _link(page1, "gap-next") == {"year": [str(YEAR)], "page": ["2"]}

    page2 = _html(client, year=YEAR, page=2)
    rows2 = _rows(page2)
    labels = dict(TargetGroup.choices)
    field_name = rows1[-1].split(" | ")[1]  # "0102 …"
    assert field_name.startswith(f"{second_field} ")
    assert [r.split(" | ")[:3] for r in rows2] == [
        [jiangsu.name, field_name, str(labels[g])] for g in PAGE_2_GROUPS
    ]
    # no demand, one project of 100,000.00 (10 万元) on each
    assert all(r.split(" | ")[3:9] == ["0", "0", "0", "0", "0", "1"] for r in rows2)
    assert not set(rows1) & set(rows2)
    assert _testid(page2, "gap-count") == "共 108 行，第 2 页，共 2 页"
    assert _link(page2, "gap-previous") == {"year": [str(YEAR)], "page": ["1"]}
    assert _link(page2, "gap-next") is None

    for html in (page1, page2):  # the totals and the chart are the whole table's
        assert _testid(html, "total-demand") == "91"
        assert _testid(html, "total-unmet") == "91"
        assert _testid(html, "total-projects") == "18"
    chart = _chart(page2)
    assert chart == _chart(page1)
    assert chart.count("<g ") == 20  # page 2's own rows have no demand: none would be drawn
    assert f"<title>{jiangsu.name} · 未指明 · 老年人</title>" in chart.split("<g ")[1]


def test_filters_stay_in_the_page_links(two_pages, client, jiangsu, monkeypatch):
    monkeypatch.setattr(gap_views, "SHOWN", 4)
    first_field, second_field = two_pages
    # 江苏路街道, field 0102: its nine project rows (the needs state no field), 4 a page
    f = GapFilter(year=YEAR, unit=jiangsu.pk, field=second_field)
    table = gap_table(f)
    assert [r.key for r in table] == [(jiangsu.pk, second_field, g) for g in GROUPS]
    html = _html(client, year=YEAR, unit=jiangsu.pk, field=second_field, page=2)
    assert [r.split(" | ")[2] for r in _rows(html)] == [t.group_name for t in table[4:8]]
    kept = {"year": [str(YEAR)], "unit": [str(jiangsu.pk)], "field": [second_field]}
    assert _link(html, "gap-previous") == {**kept, "page": ["1"]}
    assert _link(html, "gap-next") == {**kept, "page": ["3"]}
    assert _link(html, "gap-export") == kept  # the sheet: every row, the same filters
    assert _testid(html, "gap-count") == "共 9 行，第 2 页，共 3 页"
    # one group across the units: 10 needs' rows and the two projects', 4 a page
    html = _html(client, year=YEAR, group="youth")
    assert _link(html, "gap-next") == {"year": [str(YEAR)], "group": ["youth"], "page": ["2"]}
    html = _html(client, year=YEAR, group="youth", page=3)
    assert len(_rows(html)) == 4 and _link(html, "gap-next") is None
    assert [r.split(" | ")[1] for r in _rows(html)] == [
        r.field_name for r in gap_table(GapFilter(year=YEAR, group="youth"))[8:]
    ]
    # a filter value that is not in its list is not carried on
    html = _html(client, year=YEAR, group="nobody", unit="x", page=2)
    assert _link(html, "gap-next") == {"year": [str(YEAR)], "page": ["3"]}


def test_a_page_number_that_is_not_one_falls_back(two_pages, client):
    for raw, shown in (
        ("abc", 1),
        ("-1", 1),
        ("0", 1),
        ("1.5", 1),
        ("２", 1),  # fullwidth: a digit to str.isdigit and int(), not a page number here
        ("٢", 1),  # Arabic-Indic two
        ("²", 1),  # isdigit, but int() refuses it
        ("", 1),
        (" 2 ", 2),
        ("3", 2),  # past the last page: the last page
        ("99999999999999999999", 2),
        ("9" * 5000, 2),  # int() refuses more than 4,300 digits
    ):
        html = _html(client, year=YEAR, page=raw)
        assert _testid(html, "gap-page-of") == f"第 {shown} 页，共 2 页", raw
        assert len(_rows(html)) == (100 if shown == 1 else 8), raw


def test_an_empty_or_short_table_has_no_page_links(world, client):
    html = _html(client, year=YEAR + 1, page=5)  # nothing at all that year
    assert "该年度没有居民需求" in html
    assert 'data-testid="gap-pages"' not in html and 'data-testid="gap-count"' not in html


def test_the_same_queries_whatever_the_page(two_pages, client):
    counts = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"year": YEAR, "page": page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    # the filters' three lists, up to five sources for each of two years (the evaluations only
    # when there are contracts: 13 here), two for the labels
    assert counts[0] == counts[1] == counts[2] <= 15, counts


def test_page_links_in_english(two_pages, client):
    import io

    from django.conf import settings
    from django.core.management import call_command

    from tests.web.test_i18n import _reset_translation_caches

    call_command("compile_translations", stdout=io.StringIO())  # .mo files are not kept
    _reset_translation_caches()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client, year=YEAR, page=2)
    assert _testid(html, "gap-count") == "108 rows, page 2 of 2"
    assert _testid(html, "gap-page-of") == "Page 2 of 2"
    assert "Previous page" in html and 'aria-label="Pages of the table"' in html
    for chinese in ("上一页", "第 2 页", "共 108 行"):
        assert chinese not in html


# --- the API -------------------------------------------------------------------------------------


API = "/api/v1/stats/gaps"


def test_api_pages_with_a_cursor_like_every_list(two_pages, client, django_assert_max_num_queries):
    table = gap_table(GapFilter(year=YEAR))
    keys = [[r.unit, r.field, r.group] for r in table]
    first = client.get(API, {"year": YEAR}).json()
    assert (first["count"], len(first["rows"]), first["limit"]) == (108, 100, 100)
    assert first["next_cursor"]
    assert first["totals"]["demand"] == 91 and first["totals"]["projects"] == 18
    with django_assert_max_num_queries(14):
        resp = client.get(API, {"year": YEAR, "cursor": first["next_cursor"]})
    second = resp.json()
    assert second["next_cursor"] is None and second["totals"] == first["totals"]
    assert [[r["unit"], r["field"], r["group"]] for r in second["rows"]] == keys[100:]
    assert [r["group"] for r in second["rows"]] == PAGE_2_GROUPS
    # 30 a page: four pages, every row once, in the table's order
    seen, cursor, pages = [], None, 0
    while True:
        params = {"year": YEAR, "limit": 30, **({"cursor": cursor} if cursor else {})}
        body = client.get(API, params).json()
        seen += [[r["unit"], r["field"], r["group"]] for r in body["rows"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert (pages, seen) == (4, keys)


def test_api_a_row_that_moves_up_does_not_shift_the_next_page(two_pages, client, residents):
    """The cursor names the last row's place in the order, not a count of rows: a row that
    moves up onto the page already read (one more need: unmet 2) is not read twice, and no
    row is skipped (an offset would now start one row late)."""
    from caidan.accounts.models import Unit

    before = gap_table(GapFilter(year=YEAR))
    body = client.get(API, {"year": YEAR, "limit": 50}).json()
    assert [r["group"] for r in body["rows"]] == [r.group for r in before[:50]]
    mover = before[60]  # a need's row (unmet 1) the first page did not reach
    assert (mover.field, mover.unmet) == (NONE, 1)
    with _at(YEAR, 3, 3):
        needs_services.need_submit(
            actor=residents(),
            data=NeedInput.parse(
                unit=Unit.objects.get(pk=mover.unit),
                community="愚园路居委会",
                target_group=mover.group,
                text="希望社区提供青少年课后看护服务。",
            ),
        )
    # now beside 江苏路 × 老年人 (unmet 2 both), at the top
    assert mover.key in [r.key for r in gap_table(GapFilter(year=YEAR))[:2]]
    after = client.get(API, {"year": YEAR, "limit": 50, "cursor": body["next_cursor"]}).json()
    assert [(r["unit"], r["field"], r["group"]) for r in after["rows"]] == [
        r.key for r in before[50:101] if r.key != mover.key
    ]


def test_api_refuses_a_bad_cursor_or_limit_by_name(two_pages, client):
    good = client.get(API, {"year": YEAR}).json()["next_cursor"]
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": -5}, "limit"),
        ({"limit": 10**30}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"cursor": good[:-3]}, "cursor"),
        ({"cursor": cursor_encode([1, 2])}, "cursor"),
        ({"cursor": cursor_encode(["1", "0", "a", 1, "", ""])}, "cursor"),
        ({"cursor": cursor_encode([True, "0", "a", 1, "", ""])}, "cursor"),
        ({"cursor": cursor_encode([1, "NaN", "a", 1, "", ""])}, "cursor"),
        ({"cursor": cursor_encode([1, "lots", "a", 1, "", ""])}, "cursor"),
        ({"cursor": cursor_encode([1, "0", None, 1, "", ""])}, "cursor"),
        ({"cursor": cursor_encode([1, "0", "a", 1.5, "", ""])}, "cursor"),
        # finite, but negating it overflows the decimal context (a 500 before)
        ({"cursor": cursor_encode([0, "1E+1000000", "", 0, "", ""])}, "cursor"),
        ({"cursor": cursor_encode([0, "-1E-1000000", "", 0, "", ""])}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"[" * 1000).decode()}, "cursor"),  # json recurses
        ({"cursor": "游标"}, "cursor"),
    ):
        resp = client.get(API, {"year": YEAR, **params})
        assert resp.status_code in (400, 422), (params, resp.status_code)
        assert field in resp.content.decode(), params
    # a well-formed cursor past every row: an empty last page
    body = client.get(API, {"year": YEAR, "cursor": cursor_encode([-1, "0", "", 0, "", ""])}).json()
    assert (body["rows"], body["next_cursor"], body["count"]) == ([], None, 108)


def test_api_row_figures_for_the_second_page(two_pages, client, jiangsu):
    body = client.get(API, {"year": YEAR, "limit": 100}).json()
    second = client.get(API, {"year": YEAR, "cursor": body["next_cursor"]}).json()["rows"]
    row = second[0]
    assert (row["unit"], row["field"], row["group"]) == (jiangsu.pk, two_pages[1], "elderly")
    assert (row["demand"], row["unmet"], row["projects"]) == (0, 0, 1)
    assert Decimal(row["budget"]) == Decimal("100000.00")
    assert NONE not in {r["field"] for r in second}
