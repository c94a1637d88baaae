"""The audit page reads as sentences, filters with pickers, and exports the filtered view
to Excel."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from caidan.audit.describe import describe, object_types
from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def updated_contract(world):
    from caidan.contracts.services import contract_update
    from tests.contracts.factories import draft_contract

    c = draft_contract(world)
    contract_update(
        contract=c,
        changes={"amount": "780000.00", "title": "独居老人探访服务合同（修订）"},
        actor=world.actor("purchaser"),
    )
    return c


def _last(kind) -> AuditEvent:
    return AuditEvent.objects.filter(kind=kind).order_by("-seq").first()


def test_a_change_reads_as_who_changed_which_field_from_what_to_what(world, updated_contract):
    c = updated_contract
    view = describe([_last(EventKind.CONTRACT_UPDATED)])[0]
    purchaser = world.user("purchaser").get_full_name()
    assert view.actor == purchaser and view.role == "购买主体"
    assert view.object_type == "合同" and c.reference in view.object_label
    assert view.url == reverse("contracts:detail", args=[c.pk])
    changes = [str(x) for x in view.changes]
    assert "“合同金额（元）”由 ¥800,000.00 改为 ¥780,000.00" in changes
    assert any(x.startswith("“合同名称”由 ") and "（修订）" in x for x in changes)
    assert view.sentence.startswith(f"{purchaser}（购买主体） ")
    assert "contracts.contract" not in view.sentence and "{" not in view.sentence


def test_keys_that_are_not_fields_read_in_words(world):
    from caidan.evaluations.models import Evaluation

    (before, before_label), (after, after_label) = Evaluation._meta.get_field("status").choices[:2]
    with transaction.atomic():
        event = audit_record(
            kind=EventKind.SETTING_CHANGED,
            actor=world.actor("admin"),
            target=("evaluations.evaluation", "7", "中期评估"),
            old={"status": before},
            new={"survey": 1, "score": "92.00", "status": after, "side": "provider"},
        )
    view = describe([event])[0]
    changes = [str(x) for x in view.changes]
    assert "“满意度调查”：#1" in changes and "“得分”：92.00" in changes
    assert "“签订方”：乙方（承接主体）" in changes
    assert f"“状态”由 {before_label} 改为 {after_label}" in changes  # the choice labels
    assert view.object_type == "绩效评价" and view.object_label == "中期评估"
    assert view.url == reverse("evaluations:detail", args=[7])


def test_a_related_object_is_named_and_a_page_costs_one_query_per_model(
    world, django_assert_num_queries
):
    unit = world.unit("310105")
    with transaction.atomic():
        events = [
            audit_record(
                kind=EventKind.SETTING_CHANGED,
                actor=world.actor("admin"),
                target=("projects.budgetceiling", str(i), f"控制数 {i}"),
                new={"unit": unit.pk, "amount": "1300000.00", "year": 2027},
            )
            for i in range(5)
        ]
    with django_assert_num_queries(1):  # the units, once for the five events
        views = describe(events)
    changes = [str(x) for x in views[0].changes]
    assert changes == [f"“单位”：{unit.name}", "“预算控制数（元）”：¥1,300,000.00", "“年度”：2027"]


def test_the_page_shows_sentences_and_links_not_type_names(login, world, updated_contract):
    html = login("auditor").get("/audit/", {"target_type": "contracts.contract"}).content.decode()
    assert "“合同金额（元）”由 ¥800,000.00 改为 ¥780,000.00" in html
    assert f'href="{reverse("contracts:detail", args=[updated_contract.pk])}"' in html
    assert "contracts.contract " not in html and "{&#x27;" not in html


def test_the_pickers(login, world, updated_contract):
    client = login("auditor")
    html = client.get("/audit/").content.decode()
    assert '<datalist id="audit-actors">' in html
    assert 'value="purchaser"' in html  # suggested by user name, labelled with the name
    assert (
        '<select name="target_type"' in html and '<option value="contracts.contract">合同' in html
    )
    assert 'name="target_id"' not in html  # no typed ids
    assert ("contracts.contract", "合同") in object_types()
    # a part of the display name finds the person
    name = world.user("purchaser").get_full_name()
    page = client.get("/audit/", {"who": name[1:]}).context["page"]
    assert page.items and {e.actor_id for e in page.items} == {world.user("purchaser").pk}
    page = client.get("/audit/", {"who": "purchaser"}).context["page"]
    assert {e.actor_id for e in page.items} == {world.user("purchaser").pk}
    assert not client.get("/audit/", {"who": "无此人"}).context["page"].items
    # the date range: until before since is refused with a message, not a 500
    resp = client.get("/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert resp.status_code == 200 and "截止日期不能早于起始日期" in resp.content.decode()


def test_one_objects_history_from_its_link(login, world, updated_contract):
    c = updated_contract
    client = login("auditor")
    resp = client.get("/audit/", {"target_type": "contracts.contract", "target_id": str(c.pk)})
    kinds = {e.kind for e in resp.context["page"].items}
    assert kinds >= {EventKind.CONTRACT_CREATED, EventKind.CONTRACT_UPDATED}
    assert {e.target_id for e in resp.context["page"].items} == {str(c.pk)}
    assert 'data-testid="audit-one-object"' in resp.content.decode()


def test_excel_export_of_the_filtered_view(login, world, updated_contract):
    client = login("auditor")
    resp = client.get("/audit/", {"target_type": "contracts.contract", "format": "xlsx"})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in resp["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("序号", "时间", "操作人", "角色", "事件", "对象类型", "对象")
    expected = AuditEvent.objects.filter(target_type="contracts.contract").count()
    assert len(rows) - 1 == expected
    assert {r[5] for r in rows[1:]} == {"合同"}
    assert any("“合同金额（元）”由 ¥800,000.00 改为 ¥780,000.00" in (r[7] or "") for r in rows[1:])
    seqs = [r[0] for r in rows[1:]]
    assert seqs == sorted(seqs, reverse=True)


@pytest.mark.parametrize("username", ["purchaser", "provider"])
def test_export_is_for_auditors_only(login, username):
    assert login(username).get("/audit/", {"format": "xlsx"}).status_code == 403


def test_records_inside_a_payload_read_as_words(world):
    with transaction.atomic():
        event = audit_record(
            kind=EventKind.SETTING_CHANGED,
            actor=world.actor("admin"),
            target=("contracts.contract", "1", "合同"),
            new={
                "indicators": [{"name": "上门探访", "target": "1200", "unit": "人次"}],
                "factor": {"id": "plan", "name": "服务方案", "max": 40, "guidance": "长文"},
                "other": {"a": 1},
            },
        )
    changes = [str(x) for x in describe([event])[0].changes]
    assert any(x.endswith("：上门探访（1200，人次）") for x in changes)
    assert "“factor”：服务方案（40）" in changes
    assert '“other”：{"a": 1}' in changes  # no name: the JSON, as a last resort


def test_the_person_picker_suggests_officers_not_bidders_experts_or_residents(login, world):
    """A list of provider or expert accounts beside a tender's history would tell who bid
    or who sits on a panel before opening; residents are many. They are found by typing."""
    from caidan.audit.selectors import audit_actor_choices

    names = {username for username, _ in audit_actor_choices()}
    assert {"purchaser", "auditor", "admin"} <= names
    assert "provider" not in names and "expert" not in names
    assert not any(n.startswith("resident") for n in names)
