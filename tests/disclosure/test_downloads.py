"""Open data downloads (issue 8): every public list as CSV and Excel for anyone, with the
list's own filters, a bounded number of queries, nothing personal or sealed; the OCDS bulk
files built by the tick and served from disk."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from caidan.accounts.actor import Actor
from caidan.common.masking import contains_personal_numbers
from caidan.common.tick import JOBS, run_tick
from caidan.disclosure import bulk, downloads, ocds
from tests.disclosure.test_ocds import assert_valid, full_lifecycle, sealed_tender
from tests.procurement.factories import approved_proposal, make_bidders, published_tender

pytestmark = pytest.mark.django_db

ALL = tuple(downloads.DATASETS)
LIFECYCLE = ("awards", "contracts", "evaluations")  # the demo has none: made through services
SEALED_PRICES = ("812345", "923456", "934567")


def csv_rows(resp) -> list[list[str]]:
    body = b"".join(resp.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "a BOM, so Excel reads the Chinese"
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(resp) -> list[list[str]]:
    assert resp.streaming  # sent from a temporary file, not built in memory
    workbook = load_workbook(io.BytesIO(b"".join(resp.streaming_content)), read_only=True)
    out = [
        ["" if v is None else str(v) for v in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]
    workbook.close()
    return out


def get_csv(client, name: str, query: str = "") -> list[list[str]]:
    resp = client.get(f"/open/data/{name}.csv{query}")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "text/csv; charset=utf-8"
    assert resp["Content-Disposition"].startswith("attachment; filename=")
    assert f"{name}-" in resp["Content-Disposition"] and ".csv" in resp["Content-Disposition"]
    return csv_rows(resp)


def get_xlsx(client, name: str, query: str = "") -> list[list[str]]:
    resp = client.get(f"/open/data/{name}.xlsx{query}")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in resp["Content-Disposition"]
    return xlsx_rows(resp)


def all_pages(fn, **kwargs) -> list:
    items, cursor = [], None
    while True:
        page = fn(cursor=cursor, **kwargs)
        items += page.items
        cursor = page.next_cursor
        if not cursor:
            return items


def column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [r[index] for r in rows[1:]]


# --- what the public lists show -------------------------------------------------------------


def expected(name: str) -> tuple[str, list[str]]:
    """(a header, that column's values in list order) read through the list's own selector."""
    from caidan.catalog import selectors as catalog
    from caidan.contracts import selectors as contracts
    from caidan.evaluations import selectors as evaluations
    from caidan.orgs import selectors as orgs
    from caidan.orgs.models import ServiceField
    from caidan.procurement import selectors as procurement
    from caidan.projects import selectors as projects

    if name == "catalog":
        version = catalog.catalog_current()
        items = catalog.catalog_tree_items(version=version)
        return "编码", sorted(i.code for i in items)
    if name == "organizations":
        return "统一社会信用代码", [o.uscc for o in all_pages(orgs.organization_list)]
    if name == "directory":
        out = []
        for field in sorted(ServiceField.values):
            out += [e.organization.uscc for e in all_pages(orgs.directory_list, field=field)]
        return "统一社会信用代码", out
    if name == "projects":
        return "项目名称", [p.title for p in all_pages(projects.annual_plan)]
    if name == "tenders":
        return "项目编号", [t.reference for t in all_pages(procurement.tender_list_public)]
    if name == "awards":
        tenders = all_pages(procurement.tender_list_public)
        awarded = [t for t in tenders if (n := procurement.award_notice(t)) and n["award"]]
        return "项目编号", [t.reference for t in awarded]  # one confirmed award per tender
    if name == "contracts":
        rows = all_pages(contracts.contract_list_public, actor=Actor.anonymous())
        return "合同编号", [c.reference for c in rows]
    if name == "evaluations":
        rows = all_pages(evaluations.published_evaluations)
        return "合同编号", [e.contract.reference for e in rows]
    raise AssertionError(name)


@pytest.mark.parametrize("name", ALL)
def test_each_dataset_downloads_what_the_list_shows(world, client, name):
    if name in LIFECYCLE:
        full_lifecycle(world)
    header, values = expected(name)
    assert values, f"the demo has no rows for {name}: the test would prove nothing"
    rows = get_csv(client, name)
    assert rows[0] == downloads.DATASETS[name].headers()
    got = column(rows, header)
    if name in ("catalog", "directory"):  # the list is a tree / one page per field
        assert sorted(got) == sorted(values)
    else:
        assert got == values
    sheet = get_xlsx(client, name)
    assert sheet[0] == rows[0]
    assert len(sheet) == len(rows)
    assert column(sheet, header) == got


def test_award_rows_carry_the_public_award(world, client):
    from caidan.procurement.models import Award

    full_lifecycle(world)
    rows = get_csv(client, "awards")
    reference = column(rows, "项目编号")[0]
    award = Award.objects.select_related("bid__organization").get(
        tender__reference=reference, status="confirmed"
    )
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["中标供应商"] == award.bid.organization.name
    assert row["中标金额（元）"] == str(award.amount)


def test_unknown_dataset_is_404(world, client):
    assert client.get("/open/data/nope.csv").status_code == 404
    assert client.get("/open/data/nope.xlsx").status_code == 404
    assert client.get("/open/data/ocds/nope.json").status_code == 404


def test_downloads_are_get_only(world, client):
    assert client.post("/open/data/tenders.csv").status_code == 405


# --- filters ------------------------------------------------------------------------------------


def test_q_narrows_the_download(world, client):
    tenders = get_csv(client, "tenders")
    reference = column(tenders, "项目编号")[0]
    narrowed = get_csv(client, "tenders", f"?q={reference}")
    assert column(narrowed, "项目编号") == [reference]
    assert len(get_xlsx(client, "tenders", f"?q={reference}")) == 2

    projects = get_csv(client, "projects")
    title = column(projects, "项目名称")[0]
    only = get_csv(client, "projects", f"?q={title}")
    assert 1 <= len(only) - 1 < len(projects) - 1 or len(projects) == 2
    assert all(title in t for t in column(only, "项目名称"))

    year = column(projects, "年度")[0]
    assert set(column(get_csv(client, "projects", f"?year={year}"), "年度")) == {year}
    assert len(get_csv(client, "organizations", "?q=不存在的组织名称")) == 1  # header only


def test_status_filter_and_invalid_filter(world, client):
    rows = get_csv(client, "tenders")
    status = column(rows, "状态")[0]
    from caidan.procurement.models import TenderStatus

    value = next(v for v, label in TenderStatus.choices if label == status)
    assert set(column(get_csv(client, "tenders", f"?status={value}"), "状态")) == {status}
    # The list page ignores an invalid filter (shows everything); so does the download.
    assert len(get_csv(client, "tenders", "?status=bogus")) == len(rows)
    assert column(get_csv(client, "tenders", "?status=draft"), "状态") == []


def test_list_pages_link_to_their_downloads_with_the_query(world, client):
    pages = {
        "/catalog/": ["catalog"],
        "/orgs/?q=养老": ["organizations"],
        "/orgs/directory/": ["directory"],
        "/orgs/directory/elderly/": ["directory"],
        "/projects/?q=服务": ["projects"],
        "/procurement/?q=服务": ["tenders", "awards"],
        "/contracts/?q=服务": ["contracts"],
        "/evaluations/?q=服务": ["evaluations"],
    }
    for url, names in pages.items():
        html = client.get(url).content.decode()
        for name in names:
            assert f"/open/data/{name}.csv" in html, (url, name)
            assert f"/open/data/{name}.xlsx" in html, (url, name)
        if "?" in url:
            assert f"/open/data/{names[0]}.csv?q=" in html, url
    assert (
        "/open/data/directory.csv?field=elderly"
        in client.get("/orgs/directory/elderly/").content.decode()
    )


def test_index_page_lists_every_dataset_and_the_bulk_files(world, client):
    resp = client.get("/open/data/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "开放数据下载" in html
    for name in ALL:
        assert f"/open/data/{name}.csv" in html and f"/open/data/{name}.xlsx" in html
    assert "/open/data/ocds/releases.json" in html
    assert "/open/data/ocds/releases.json.gz" in html
    assert "/open/data/ocds/records.jsonl.gz" in html


# --- a bounded number of queries ------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
        if url.endswith(".csv"):
            b"".join(resp.streaming_content)
        assert resp.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_bounded_and_does_not_grow_with_rows(
    world, client, django_assert_max_num_queries
):
    full_lifecycle(world)
    before = {
        (name, ext): count_queries(client, f"/open/data/{name}.{ext}")
        for name in ALL
        for ext in ("csv", "xlsx")
    }
    full_lifecycle(world)  # a second award, contract and evaluation
    make_bidders(world, 3)
    for _ in range(2):
        published_tender(world)  # an approved project and a published tender each
    approved_proposal(world, title="另一个立项项目")
    for (name, ext), n in before.items():
        with django_assert_max_num_queries(3):
            after = count_queries(client, f"/open/data/{name}.{ext}")
        assert after == n, (name, ext, n, after)
    assert len(get_csv(client, "contracts")) == 3  # the header and two contracts
    assert len(get_csv(client, "tenders")) >= 3


# --- redaction ------------------------------------------------------------------------------


def every_download_text(client) -> str:
    parts = []
    for name in ALL:
        parts += [",".join(r) for r in get_csv(client, name)]
        parts += [",".join(r) for r in get_xlsx(client, name)]
    return "\n".join(parts)


def test_no_personal_numbers_no_people_no_sealed_bids(world, client):
    from caidan.orgs.models import Organization

    full_lifecycle(world)  # an award, a contract, a published evaluation
    tender = sealed_tender(world)  # published, three sealed bids, not opened
    assert tender.opened_at is None
    bidder = tender.bids.select_related("organization").first().organization
    Organization.objects.filter(pk=bidder.pk).update(
        contact_name="联系人王小明",
        contact_phone="13912345678",
        email="wang@example.com",
        legal_representative="法人李大华",
        address="某路 1 号",
    )
    text = every_download_text(client)
    assert tender.reference in text  # the tender itself is public
    assert not contains_personal_numbers(text)
    for price in SEALED_PRICES:
        assert price not in text
    for bid in tender.bids.all():
        assert bid.receipt not in text and bid.seal_id not in text
    for forbidden in (
        "联系人王小明",
        "13912345678",
        "wang@example.com",
        "法人李大华",
        "13800000000",
    ):
        assert forbidden not in text


def test_formula_like_text_is_inert(world, client):
    from caidan.projects.models import Proposal

    proposal = approved_proposal(world, title="=HYPERLINK(1)")
    assert Proposal.objects.get(pk=proposal.pk).title == "=HYPERLINK(1)"
    assert "'=HYPERLINK(1)" in column(get_csv(client, "projects"), "项目名称")
    assert "'=HYPERLINK(1)" in column(get_xlsx(client, "projects"), "项目名称")


# --- the OCDS bulk files ----------------------------------------------------------------------


@pytest.fixture
def bulk_dir(settings, tmp_path):
    settings.OCDS_BULK_DIR = tmp_path / "ocds"
    return settings.OCDS_BULK_DIR


def test_bulk_files_404_before_the_tick_then_served(world, client, bulk_dir):
    assert "disclosure.ocds_bulk" in JOBS
    for filename in ("releases.json", "releases.json.gz", "records.jsonl.gz"):
        resp = client.get(f"/open/data/ocds/{filename}")
        assert resp.status_code == 404
        assert "每小时" in resp.content.decode()

    sealed_tender(world)
    (result,) = run_tick(only=["disclosure.ocds_bulk"])
    assert not result.error, result.error
    processes = ocds.approved_proposals().count()
    assert result.changed == processes > 0
    assert not [p for p in bulk_dir.iterdir() if p.name.endswith(".tmp")]

    resp = client.get("/open/data/ocds/releases.json")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    assert "releases.json" in resp["Content-Disposition"]
    package = json.loads(b"".join(resp.streaming_content))
    assert package["uri"].endswith("/open/data/ocds/releases.json")
    assert len({r["ocid"] for r in package["releases"]}) == processes
    expected_ids = [
        r["id"] for p in ocds.approved_proposals().order_by("id") for r in ocds.releases_for(p)
    ]
    assert [r["id"] for r in package["releases"]] == expected_ids
    text = json.dumps(package, ensure_ascii=False)
    assert not any(price in text for price in SEALED_PRICES)
    assert_valid(package, "release")

    resp = client.get("/open/data/ocds/records.jsonl.gz")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/gzip"
    lines = gzip.decompress(b"".join(resp.streaming_content)).decode("utf-8").splitlines()
    assert len(lines) == processes
    first = json.loads(lines[0])
    assert len(first["records"]) == 1 and first["records"][0]["compiledRelease"]
    assert_valid(first, "record")

    # Fresh: the next minute's tick does not rebuild; the index shows the build.
    assert run_tick(only=["disclosure.ocds_bulk"])[0].changed == 0
    html = client.get("/open/data/").content.decode()
    assert "尚未生成" not in html


def test_bulk_build_is_atomic(world, bulk_dir, monkeypatch):
    bulk.build_ocds_bulk(bulk_dir)
    before = (bulk_dir / bulk.RELEASES_FILE).read_bytes()

    def boom(proposal, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ocds.stream, "releases_for", boom)
    with pytest.raises(RuntimeError):
        bulk.build_ocds_bulk(bulk_dir)
    assert (bulk_dir / bulk.RELEASES_FILE).read_bytes() == before  # the old build stays
    assert sorted(p.name for p in bulk_dir.iterdir() if not p.name.startswith(".build")) == [
        bulk.RECORDS_FILE,
        bulk.RELEASES_FILE,
        bulk.RELEASES_GZ_FILE,
    ]
