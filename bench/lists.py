"""Time the public list endpoints at scale (see bench/README.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caidan.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from caidan.accounts.models import Unit  # noqa: E402
from caidan.catalog.models import CatalogItem  # noqa: E402
from caidan.common.identifiers import make_uscc  # noqa: E402
from caidan.orgs.models import Grade, Organization, OrganizationField  # noqa: E402
from caidan.procurement.models import Tender  # noqa: E402
from caidan.projects.models import Proposal  # noqa: E402

BATCH = 10000
CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def code(n: int) -> str:
    digits = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        digits = CHARS[r] + digits
    return make_uscc(f"52310105{digits}")


def load_orgs(total: int) -> None:
    have = Organization.objects.count()
    for start in range(have, total, BATCH):
        orgs = [
            Organization(
                name=f"测试社会服务中心{i}号",
                uscc=code(10_000_000 + i),
                legal_form="service_institution",
                registration_date=dt.date(2015, 1, 1),
            )
            for i in range(start, min(start + BATCH, total))
        ]
        Organization.objects.bulk_create(orgs, batch_size=BATCH)
        created = list(Organization.objects.order_by("-id")[: len(orgs)])
        OrganizationField.objects.bulk_create(
            [OrganizationField(organization=o, field="elderly") for o in created]
        )
        Grade.objects.bulk_create(
            [
                Grade(
                    organization=o,
                    level=3 + o.pk % 3,
                    assessed_on=dt.date(2024, 1, 1),
                    valid_until=dt.date(2028, 12, 31),
                )
                for o in created
            ]
        )
        print(f"organizations: {start + len(orgs)}", flush=True)


def load_proposals(total: int) -> None:
    unit = Unit.objects.get(code="310105-SDH")
    item = CatalogItem.objects.filter(level=3, version__status="published").first()
    have = Proposal.objects.count()
    for start in range(have, total, BATCH):
        Proposal.objects.bulk_create(
            [
                Proposal(
                    title=f"测试项目{i}",
                    year=2016 + i % 10,
                    unit=unit,
                    catalog_item=item,
                    budget=Decimal("100000.00"),
                    period_start=dt.date(2016 + i % 10, 1, 1),
                    period_end=dt.date(2016 + i % 10, 12, 31),
                    purchase_mode="outsourcing",
                    procurement_method="open_tender",
                    status="approved",
                )
                for i in range(start, min(start + BATCH, total))
            ],
            batch_size=BATCH,
        )
        print(f"proposals: {start + BATCH}", flush=True)


def load_tenders(total: int) -> None:
    """Tenders over the synthetic proposals, spread across statuses and methods."""
    statuses = ["published", "evaluating", "evaluated", "awarded", "concluded", "failed"]
    methods = ["open_tender", "consultation", "single_source", "post_purchase"]
    have = Tender.objects.count()
    proposals = Proposal.objects.filter(title__startswith="测试项目").order_by("id")
    unit = Unit.objects.get(code="310105-SDH")
    for start in range(have, total, BATCH):
        ids = list(proposals.values_list("id", flat=True)[start : start + BATCH])
        if not ids:
            break
        Tender.objects.bulk_create(
            [
                Tender(
                    proposal_id=pid,
                    unit=unit,
                    title=f"测试采购{start + i}",
                    reference=f"BENCH-{start + i:08d}",
                    method=methods[(start + i) % len(methods)],
                    budget=Decimal("100000.00"),
                    status=statuses[(start + i) % len(statuses)],
                    deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                )
                for i, pid in enumerate(ids)
            ],
            batch_size=BATCH,
        )
        print(f"tenders: {start + len(ids)}", flush=True)


def timed(client: Client, url: str, repeat: int = 5) -> float:
    best = float("inf")
    body = None
    for _ in range(repeat):
        t = time.perf_counter()
        resp = client.get(url, HTTP_HOST="127.0.0.1")
        best = min(best, time.perf_counter() - t)
        assert resp.status_code == 200, (url, resp.status_code)
        body = resp
    print(f"{best * 1000:8.1f} ms  {url}")
    return body


def deep_cursor(client: Client, url: str, pages: int) -> str:
    cursor = None
    for _ in range(pages):
        page = client.get(
            url + (f"&cursor={cursor}" if cursor else ""), HTTP_HOST="127.0.0.1"
        ).json()
        cursor = page["next_cursor"]
    return cursor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--tenders", type=int, default=100_000)
    args = parser.parse_args()
    load_orgs(args.organizations)
    load_proposals(args.proposals)
    load_tenders(min(args.tenders, args.proposals))
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    client = Client()
    timed(client, "/api/v1/orgs?limit=50")
    timed(client, "/api/v1/orgs?limit=50&min_grade=4&field=elderly")
    timed(client, "/api/v1/orgs?limit=20&q=%E8%B0%83%E8%A7%A3")  # 调解
    cursor = deep_cursor(client, "/api/v1/orgs?limit=100", 20)
    timed(client, f"/api/v1/orgs?limit=100&cursor={cursor}")
    timed(client, "/api/v1/projects/plan?limit=50&year=2020")
    timed(client, "/api/v1/projects/plan/totals")
    timed(client, "/orgs/directory/elderly/")
    timed(client, "/api/v1/procurement/tenders?limit=50")
    timed(client, "/api/v1/procurement/tenders?limit=50&status=awarded&method=consultation")
    cursor = deep_cursor(client, "/api/v1/procurement/tenders?limit=100", 20)
    timed(client, f"/api/v1/procurement/tenders?limit=100&cursor={cursor}")
    timed(client, "/procurement/tenders/?status=published")


if __name__ == "__main__":
    main()
