"""The money view's page, Excel download and API; the bulk pages (confirmation, then per-item
results) and the bulk API endpoints."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from caidan.contracts.inputs import ReportInput
from caidan.contracts.models import Payment
from caidan.contracts.services import report_submit

from .api_helpers import error, get, ok, post
from .factories import signed_contract
from .view_helpers import _html

pytestmark = pytest.mark.django_db


def test_ledger_page_filters_and_export(world, login, django_assert_max_num_queries):
    c = signed_contract(world)
    first = c.instalments.get(sequence=1)
    client = login("purchaser")
    with django_assert_max_num_queries(14):
        response = client.get("/contracts/ledger/")
    html = _html(response)
    assert response.status_code == 200 and c.title in html and c.reference in html
    assert f'name="ids" value="{first.pk}"' in html  # gate open, unpaid: may be ticked
    second = c.instalments.get(sequence=2)
    assert f'value="{second.pk}"' not in html  # gate closed: no box
    assert "800,000.00" in html or "800000.00" in html
    empty = _html(client.get("/contracts/ledger/", {"year": c.proposal.year + 1}))
    assert c.title not in empty and 'data-testid="ledger-empty"' in empty
    assert client.get("/contracts/ledger/", {"year": "soon"}).status_code == 400
    download = client.get("/contracts/ledger/export/", {"provider": c.organization_id})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 5  # header, three instalments, totals
    assert login("provider").get("/contracts/ledger/").status_code == 403
    admin = _html(login("admin").get("/contracts/ledger/"))
    assert c.title in admin and f'name="ids" value="{first.pk}"' not in admin  # no pay box


def test_bulk_pay_pages_confirm_then_per_item_results(world, login):
    c = signed_contract(world)
    first, second, _ = c.instalments.order_by("sequence")
    client = login("purchaser")
    assert client.get("/contracts/bulk/pay/").status_code == 302
    confirm = client.post("/contracts/bulk/pay/", {"ids": [first.pk, second.pk]})
    html = _html(confirm)
    assert confirm.status_code == 200 and 'data-testid="bulk-confirm"' in html
    assert "第 1 期" in html and "第 2 期" in html and not Payment.objects.exists()
    missing_voucher = client.post(
        "/contracts/bulk/pay/", {"ids": [first.pk, second.pk], "confirm": "1", "voucher": ""}
    )
    assert missing_voucher.status_code == 400 and not Payment.objects.exists()
    done = client.post(
        "/contracts/bulk/pay/",
        {
            "ids": [first.pk, second.pk],
            "confirm": "1",
            "paid_on": timezone.localdate().isoformat(),
            "voucher": "PZ-9",
        },
    )
    outcomes = done.context["outcomes"]
    assert [(o.id, o.ok) for o in outcomes] == [(first.pk, True), (second.pk, False)]
    assert "尚未达成" in _html(done)
    assert Payment.objects.get().instalment_id == first.pk
    assert client.post("/contracts/bulk/pay/", {"ids": ["x"]}).status_code == 400
    assert login("provider").post("/contracts/bulk/pay/", {"ids": [first.pk]}).status_code == 403


def test_bulk_accept_reports_from_the_todo_page(world, login):
    c = signed_contract(world)
    report = c.reports.filter(kind="progress").order_by("due_on").first()
    report_submit(
        report=report, actor=world.actor("provider"), data=ReportInput.parse(summary="好")
    )
    client = login("purchaser")
    todo = _html(client.get("/contracts/todo/"))
    assert f'data-testid="pick-report-{report.pk}"' in todo
    done = client.post(
        "/contracts/bulk/accept-reports/", {"ids": [report.pk], "confirm": "1", "comment": ""}
    )
    assert [o.ok for o in done.context["outcomes"]] == [True]
    report.refresh_from_db()
    assert report.status == "accepted"


def test_ledger_and_bulk_api(world, client, token_for, django_assert_max_num_queries):
    c = signed_contract(world)
    first, second, _ = c.instalments.order_by("sequence")
    purchaser = token_for("purchaser")
    with django_assert_max_num_queries(8):
        body = ok(get(client, "/my/ledger?limit=5", purchaser))
    assert body["totals"] == {
        "amount": "800000.00",
        "paid": "0.00",
        "unpaid": "800000.00",
        "overdue": "0.00",
    }
    item = body["items"][0]
    assert item["id"] == c.pk and [i["sequence"] for i in item["instalments"]] == [1, 2, 3]
    assert item["instalments"][0]["gate_passed"] and item["instalments"][0]["payable"]
    assert not item["instalments"][1]["gate_passed"]
    error(get(client, "/my/ledger?source=gold", purchaser), 400, field="source")
    error(get(client, "/my/ledger", token_for("provider")), 403)
    error(get(client, "/my/ledger"), 401)
    assert ok(get(client, "/my/ledger", token_for("purchaser2")))["items"] == []
    assert ok(get(client, f"/my/ledger?unit={c.unit_id}", token_for("admin")))["items"]
    xlsx = get(client, "/my/ledger.xlsx", purchaser)
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"

    today = timezone.localdate().isoformat()
    batch = {"instalment_ids": [first.pk, second.pk], "paid_on": today, "voucher": "PZ-A"}
    other = ok(post(client, "/bulk/payments", batch, token_for("purchaser2")))
    assert other["done"] == 0 and {r["code"] for r in other["results"]} == {"not_found"}
    result = ok(post(client, "/bulk/payments", batch, purchaser))
    assert (result["done"], result["refused"]) == (1, 1)
    assert result["results"][1]["code"] == "gate_closed" and result["results"][1]["message"]
    error(
        post(client, "/bulk/payments", {**batch, "instalment_ids": []}, purchaser),
        400,
        field="instalment_ids",
    )
    error(post(client, "/bulk/payments", batch, token_for("provider")), 403)
    error(
        post(client, "/bulk/report-acceptances", {"report_ids": ["a"]}, purchaser),
        400,
        field="report_ids",
    )
    refused = ok(
        post(client, "/bulk/report-acceptances", {"report_ids": [c.reports.first().pk]}, purchaser)
    )
    assert refused["results"][0]["code"] == "not_submitted"
