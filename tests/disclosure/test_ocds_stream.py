"""OCDS packages written as they are built (issue 18): the same bytes as the whole package
serialized at once, memory that does not grow with the number of processes, a fixed number
of queries per batch, gzip, and bulk files that exist from the demo seeding on."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import tracemalloc
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caidan.disclosure import bulk, ocds
from tests.disclosure.test_ocds import assert_valid, full_lifecycle, sealed_tender

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def in_memory(package: dict) -> bytes:
    """The package as the export wrote it before it streamed: one ``json.dumps``."""
    return (json.dumps(package, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def bulk_processes(world, n: int, *, title: str = "批量合同过程") -> list:
    """``n`` public contracting processes made by bulk inserts, each as the public rules
    publish it: an approved project, a published tender opened with two valid bids, a
    confirmed award announced, an active signed contract."""
    from caidan.catalog.models import CatalogItem
    from caidan.contracts.models import Contract
    from caidan.orgs.models import Organization
    from caidan.procurement.models import Award, Bid, Tender
    from caidan.projects.models import Proposal

    unit = world.unit("310105-001")
    item = CatalogItem.objects.filter(level=3, version__status="published").first()
    orgs = list(Organization.objects.order_by("id")[:2])
    t0 = dt.datetime(2030, 3, 1, 2, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    money = Decimal("100000.00")
    proposals = Proposal.objects.bulk_create(
        Proposal(
            title=f"{title}{i}",
            year=2030,
            unit=unit,
            catalog_item=item,
            description="为辖区独居老人提供探访服务。",
            budget=money,
            period_start=dt.date(2030, 1, 1),
            period_end=dt.date(2030, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            status="approved",
            decided_at=t0,
        )
        for i in range(n)
    )
    tenders = Tender.objects.bulk_create(
        Tender(
            proposal=p,
            unit=unit,
            title=p.title,
            reference=f"BULK-{p.pk:08d}",
            method="open_tender",
            budget=money,
            status="awarded",
            published_at=t0 + day,
            deadline=t0 + 25 * day,
            opened_at=t0 + 25 * day,
        )
        for p in proposals
    )
    bids = Bid.objects.bulk_create(
        Bid(
            tender=t,
            organization=org,
            status="valid",
            seal_id=f"bulk-{t.pk}-{k}",
            sealed=b"sealed",
            nonce=b"nonce",
            receipt=f"bulk-receipt-{t.pk}-{k}",
            submitted_at=t0 + 20 * day,
            opened_at=t0 + 25 * day,
            price=money - 1000 * (k + 1),
        )
        for t in tenders
        for k, org in enumerate(orgs)
    )
    awards = Award.objects.bulk_create(
        Award(
            tender=t,
            bid=bids[2 * i],
            amount=bids[2 * i].price,
            status="confirmed",
            decided_at=t0 + 27 * day,
            notice_due=t0 + 28 * day,
            notice_period_ends=t0 + 29 * day,
            challenge_deadline=t0 + 35 * day,
            notice_published_at=t0 + 28 * day,
        )
        for i, t in enumerate(tenders)
    )
    Contract.objects.bulk_create(
        Contract(
            reference=f"BULK-C-{t.pk:08d}",
            title=t.title,
            tender=t,
            award=a,
            proposal=t.proposal,
            unit=unit,
            organization=a.bid.organization,
            service_content="每周探访一次。",
            period_start=dt.date(2030, 5, 1),
            period_end=dt.date(2030, 12, 31),
            quality_standards="—",
            amount=a.amount,
            settlement_method="—",
            acceptance_criteria="—",
            rights_obligations="—",
            breach_liability="—",
            sign_due=t0 + 60 * day,
            status="active",
            signed_at=t0 + 50 * day,
        )
        for t, a in zip(tenders, awards, strict=True)
    )
    return proposals


def of(proposals):
    """These processes (made by one bulk insert, so their ids are consecutive), by a filter
    whose size does not grow with their number."""
    return ocds.approved_proposals().filter(pk__range=(proposals[0].pk, proposals[-1].pk))


def stream_bytes(chunks) -> bytes:
    return b"".join(chunks)


# --- the same package, written as it goes -------------------------------------------------------


def test_streamed_packages_are_the_in_memory_packages_byte_for_byte(world):
    full_lifecycle(world)
    sealed_tender(world)
    with time_machine.travel(NOW, tick=False):
        proposals = list(ocds.approved_proposals().order_by("id"))
        releases = [r for p in proposals for r in ocds.releases_for(p)]
        records = [ocds.record_for(p) for p in proposals]
        expected_releases = in_memory(ocds.release_package(releases))
        expected_records = in_memory(ocds.record_package(records))
        streamed_releases = stream_bytes(ocds.release_package_chunks(batch=7))
        streamed_records = stream_bytes(ocds.record_package_chunks(batch=7))

    assert streamed_releases == expected_releases
    assert streamed_records == expected_records
    package = json.loads(streamed_releases)
    assert len(package["releases"]) == len(releases) > len(proposals) > 200
    assert {r["ocid"] for r in package["releases"]} == {ocds.ocid_for(p) for p in proposals}
    assert_valid(package, "release")
    assert_valid(json.loads(streamed_records), "record")


def test_export_command_writes_the_stream_and_gzip_decompresses_to_it(world, tmp_path):
    full_lifecycle(world)
    with time_machine.travel(NOW, tick=False):
        expected = stream_bytes(ocds.release_package_chunks())
        call_command("ocds_export", "--releases", str(tmp_path / "r.json"), "--batch", "13")
        call_command("ocds_export", "--releases", str(tmp_path / "r.json.gz"))
        call_command("ocds_export", "--releases", str(tmp_path / "g.json"), "--gzip")
        call_command("ocds_export", "--records", str(tmp_path / "records.json.gz"))
        records = stream_bytes(ocds.record_package_chunks())

    assert (tmp_path / "r.json").read_bytes() == expected
    assert gzip.decompress((tmp_path / "r.json.gz").read_bytes()) == expected
    assert gzip.decompress((tmp_path / "g.json.gz").read_bytes()) == expected
    assert not (tmp_path / "g.json").exists()
    assert gzip.decompress((tmp_path / "records.json.gz").read_bytes()) == records
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "g.json.gz",
        "r.json",
        "r.json.gz",
        "records.json.gz",
    ]  # no temporary file left behind


def test_a_failed_export_leaves_no_file(world, tmp_path, monkeypatch):
    target = tmp_path / "releases.json"
    target.write_bytes(b"the previous export")

    def boom(proposal, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ocds.stream, "releases_for", boom)
    with pytest.raises(RuntimeError):
        call_command("ocds_export", "--releases", str(target))
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["releases.json"]


# --- a fixed memory ceiling and a fixed number of queries per batch ---------------------------


def peak_memory(chunks) -> int:
    """Peak traced memory while the chunks are produced and thrown away (as a file write).
    Run once over the most processes first: Python keeps freed small objects on bounded
    free lists, which tracemalloc counts as in use until they are full."""
    tracemalloc.start()
    try:
        size = 0
        for chunk in chunks:
            size += len(chunk)
        assert size
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_processes(world):
    proposals = bulk_processes(world, 300)
    few, many = of(proposals[:100]), of(proposals)
    stream_bytes(ocds.release_package_chunks(ocds.each_process(many, batch=20)))  # warm up

    streamed_few = peak_memory(ocds.release_package_chunks(ocds.each_process(few, batch=20)))
    streamed_many = peak_memory(ocds.release_package_chunks(ocds.each_process(many, batch=20)))
    assert streamed_many < 1.5 * streamed_few, (streamed_few, streamed_many)

    # The measure tells the difference: holding every release (the export before it
    # streamed) grows with the processes.
    def whole(qs):
        batches = ocds.each_process(qs, batch=20)
        releases = [r for p in batches for r in ocds.releases_for(p, prefetched=True)]
        yield in_memory(ocds.release_package(releases))

    held_few, held_many = peak_memory(whole(few)), peak_memory(whole(many))
    assert held_many > 2 * held_few, (held_few, held_many)
    assert held_many > 2 * streamed_many


def test_queries_are_a_fixed_number_per_batch_not_per_release(world):
    proposals = bulk_processes(world, 60)

    def queries(qs) -> int:
        with CaptureQueriesContext(connection) as ctx:
            body = stream_bytes(ocds.release_package_chunks(ocds.each_process(qs, batch=10)))
        assert len(json.loads(body)["releases"]) == 5 * qs.count()
        return len(ctx.captured_queries)

    three_batches = queries(of(proposals[:30]))
    six_batches = queries(of(proposals))
    # each batch: its processes, then about ten prefetch queries; +1 finding no more. So
    # twice the batches cost twice the queries, however many releases each process has.
    assert three_batches <= 3 * 12 + 1
    assert six_batches - 1 == 2 * (three_batches - 1)


# --- the bulk files ---------------------------------------------------------------------------


@pytest.fixture
def bulk_dir(settings, tmp_path):
    settings.OCDS_BULK_DIR = tmp_path / "ocds"
    return settings.OCDS_BULK_DIR


def test_bulk_links_answer_after_the_demo_seeding_without_the_tick(world, client, bulk_dir):
    for filename in bulk.BULK_FILES.values():
        assert client.get(f"/open/data/ocds/{filename}").status_code == 404

    call_command("seed_demo")  # what `make run` does; no tick has run

    html = client.get("/open/data/").content.decode()
    links = sorted(set(re.findall(r'href="(/open/data/ocds/[^"]+)"', html)))
    assert links == sorted(f"/open/data/ocds/{name}" for name in bulk.BULK_FILES.values())
    bodies = {}
    for link in links:
        resp = client.get(link)
        assert resp.status_code == 200, link
        bodies[link.rsplit("/", 1)[1]] = b"".join(resp.streaming_content)
    assert "尚未生成" not in html

    plain = bodies[bulk.RELEASES_FILE]
    assert gzip.decompress(bodies[bulk.RELEASES_GZ_FILE]) == plain
    package = json.loads(plain)
    assert {r["ocid"] for r in package["releases"]} == {
        ocds.ocid_for(p) for p in ocds.approved_proposals()
    }
    lines = gzip.decompress(bodies[bulk.RECORDS_FILE]).splitlines()
    assert len(lines) == ocds.approved_proposals().count()

    # Seeding again changes nothing and rebuilds nothing (the tick keeps them fresh).
    built = (bulk_dir / bulk.RELEASES_FILE).stat().st_mtime_ns
    call_command("seed_demo")
    assert (bulk_dir / bulk.RELEASES_FILE).stat().st_mtime_ns == built


def test_gzip_release_file_is_served_as_a_gzip_download(world, client, bulk_dir):
    bulk.build_ocds_bulk(bulk_dir)
    resp = client.get(f"/open/data/ocds/{bulk.RELEASES_GZ_FILE}")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/gzip"
    assert "releases.json.gz" in resp["Content-Disposition"]
    assert "Content-Encoding" not in resp  # a .gz file, not a transfer encoding
    body = gzip.decompress(b"".join(resp.streaming_content))
    assert body == (bulk_dir / bulk.RELEASES_FILE).read_bytes()


def test_every_stage_of_a_process_streams_without_a_query_per_row(world):
    """The prefetch leaves large columns no release reads in the database: a release that
    read one after all would cost a query per row, and this count would grow."""
    from caidan.demo.midyear import seed_midyear

    seed_midyear()  # a process at every stage: payments, reports, evaluations, ended ones
    full_lifecycle(world)
    with CaptureQueriesContext(connection) as ctx:
        body = stream_bytes(ocds.release_package_chunks(batch=10_000))
    releases = json.loads(body)["releases"]
    assert len(ctx.captured_queries) <= 12 + 1  # one batch, about ten prefetches
    tags = {t for r in releases for t in r["tag"]}
    assert {"tenderUpdate", "award", "implementation", "contractTermination"} <= tags
    implementation = [
        c["implementation"]
        for r in releases
        for c in r.get("contracts", ())
        if "implementation" in c
    ]
    for part in ("transactions", "milestones", "metrics"):
        assert any(i.get(part) for i in implementation), part
