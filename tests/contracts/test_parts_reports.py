"""A hub bundle's reports say what each member delivered (issue 21): every member's part
once, refused otherwise naming the member; shown on the report page and in the API."""

from __future__ import annotations

import pytest

from caidan.common.errors import ValidationError
from caidan.contracts.inputs import ReportInput
from tests.projects.hubs import bundle_contract, make_hub

pytestmark = pytest.mark.django_db


def test_a_bundle_report_names_each_members_output(world, client, token_for):
    from caidan.contracts.services import report_submit

    hw = make_hub(world)
    c = bundle_contract(world, hw)
    report = c.reports.filter(kind="progress").order_by("due_on").first()
    p1, p2 = c.parts.order_by("position")
    with pytest.raises(ValidationError) as exc:
        report_submit(
            report=report,
            actor=hw.hub.actor,
            data=ReportInput.parse(
                summary="一季度进展",
                part_outputs=[
                    {"part": p1.pk, "output": "探访 300 人次"},
                    {"part": p1.pk, "output": "重复"},
                ],
            ),
        )
    errors = exc.value.detail["errors"]
    assert errors[0]["field"] == "part_outputs.2.part"
    assert any(hw.members[1].org.name in e["message"] for e in errors)  # the missing member
    report.refresh_from_db()
    assert report.status == "due" and report.part_outputs == []
    report_submit(
        report=report,
        actor=hw.hub.actor,
        data=ReportInput.parse(
            summary="一季度进展",
            part_outputs=[
                {"part": p2.pk, "output": "助浴 80 人次"},
                {"part": p1.pk, "output": "探访 300 人次"},
            ],
        ),
    )
    report.refresh_from_db()
    assert [(o["organization"], o["output"]) for o in report.part_outputs] == [
        (hw.members[0].org.pk, "探访 300 人次"),
        (hw.members[1].org.pk, "助浴 80 人次"),
    ]
    body = client.get(f"/api/v1/contracts/reports/{report.pk}", **token_for("purchaser")).json()
    assert [o["output"] for o in body["part_outputs"]] == ["探访 300 人次", "助浴 80 人次"]


def test_the_report_form_has_a_row_per_member_and_keeps_what_was_typed(world, client):
    hw = make_hub(world)
    c = bundle_contract(world, hw)
    report = c.reports.filter(kind="progress").order_by("due_on").first()
    p1, p2 = c.parts.order_by("position")
    client.force_login(hw.hub.user)
    url = f"/contracts/{c.pk}/reports/{report.pk}/"
    html = client.get(url).content.decode()
    assert f'<option value="{p1.pk}" selected>' in html
    assert f'<option value="{p2.pk}" selected>' in html
    data = {
        "action": "submit",
        "summary": "一季度进展",
        "part_outputs-0-part": str(p1.pk),
        "part_outputs-0-output": "探访 300 人次",
        "part_outputs-1-part": str(p2.pk),
        "part_outputs-1-output": "",  # a member's output left out: refused, the rest kept
    }
    html = client.post(url, data).content.decode()
    assert "探访 300 人次" in html and "一季度进展" in html
    report.refresh_from_db()
    assert report.status == "due"
    data["part_outputs-1-output"] = "助浴 80 人次"
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    page = client.get(url).content.decode()
    assert 'data-testid="part-outputs"' in page and hw.members[1].org.name in page


def test_an_ordinary_contracts_report_needs_no_member_rows(world):
    from caidan.contracts.services import report_submit
    from tests.contracts.factories import provider_actor, signed_contract

    c = signed_contract(world)
    report = c.reports.filter(kind="progress").order_by("due_on").first()
    with pytest.raises(ValidationError):
        report_submit(
            report=report,
            actor=provider_actor(world),
            data=ReportInput.parse(summary="进展", part_outputs=[{"part": 1, "output": "x"}]),
        )
    report_submit(
        report=report, actor=provider_actor(world), data=ReportInput.parse(summary="进展")
    )
    report.refresh_from_db()
    assert report.status == "submitted" and report.part_outputs == []
