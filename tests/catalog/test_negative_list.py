"""The negative list (财政部令第102号第十条): checking free text, refusing it with the rule
named, and the admin's editing of the entries."""

import pytest

from caidan.audit.models import AuditEvent
from caidan.catalog.inputs import NegativeListEntryInput
from caidan.catalog.models import NegativeListEntry
from caidan.catalog.services import (
    negative_list_check,
    negative_list_entry_create,
    negative_list_entry_update,
    negative_list_refuse,
)
from caidan.common.errors import PermissionDenied, ValidationError


def test_the_six_categories_of_article_10_are_seeded(world):
    entries = list(NegativeListEntry.objects.order_by("code"))
    assert len(entries) == 6
    assert all("财政部令第102号第十条" in e.legal_basis for e in entries)
    titles = " ".join(e.title for e in entries)
    for phrase in (
        "不属于政府职责范围",
        "政府直接履职",
        "货物和工程",
        "融资",
        "劳务派遣",
        "公益性岗位",
    ):
        assert phrase in titles
    keywords = {k for e in entries for k in e.keywords}
    assert {
        "工程",
        "施工",
        "装修",
        "融资",
        "贷款",
        "劳务派遣",
        "人员招聘",
        "公益性岗位",
    } <= keywords
    assert {"行政审批", "行政许可", "行政处罚", "行政强制", "监督检查", "货物采购"} <= keywords


@pytest.mark.parametrize(
    ("text", "entry", "keyword"),
    [
        ("街道综合楼外墙修缮及装修工程", "NL03", "工程"),
        ("为社区卫生服务中心设备购置", "NL03", "设备购置"),
        ("街道城管中队行政处罚案件办理", "NL02", "行政处罚"),
        ("协助开展食品安全监督检查", "NL02", "监督检查"),
        ("向银行贷款建设养老院", "NL04", "贷款"),
        ("街道办事处人员招聘外包", "NL05", "人员招聘"),
        ("开发公益性岗位安置就业困难人员", "NL05", "公益性岗位"),
        ("通过劳务派遣补充窗口人员", "NL05", "劳务派遣"),
    ],
)
def test_check_finds_the_entry_and_keyword(world, text, entry, keyword):
    matches = negative_list_check(text=text)
    assert (entry, keyword) in {(m.entry.code, m.keyword) for m in matches}


@pytest.mark.parametrize(
    "text", ["居家养老服务", "医患纠纷人民调解", "社会满意度调查", "安置帮教", "社区窗口服务", ""]
)
def test_ordinary_services_pass(world, text):
    assert negative_list_check(text=text) == []
    negative_list_refuse(text=text, field="topic")  # no exception


def test_matching_ignores_width_case_and_spaces(world):
    negative_list_entry_create(
        actor=world.actor("admin"),
        data=NegativeListEntryInput.parse(
            code="NL99",
            title="测试",
            legal_basis="财政部令第102号第十条第（六）项",
            keywords=["PPP"],
        ),
    )
    assert negative_list_check(text="某ＰＰＰ项目")
    assert negative_list_check(text="某 p p p 项目")
    assert negative_list_check(text="劳务 派遣")


def test_refuse_names_entry_keyword_and_legal_basis(world):
    with pytest.raises(ValidationError) as exc:
        negative_list_refuse(text="2026年街道办事处公益性岗位人员经费", field="topic")
    error = exc.value
    assert error.code == "negative_list" and error.status_code == 400
    assert error.field == "topic"
    assert "公益性岗位" in error.message  # the keyword
    assert "购买主体的人员招、聘用" in error.message  # the entry
    assert "财政部令第102号第十条第（五）项" in error.message  # the legal basis
    assert error.detail["entry"] == "NL05"
    assert error.detail["legal_basis"].startswith("财政部令第102号第十条")
    assert error.detail["matches"][0]["keyword"] == "公益性岗位"


def test_inactive_entries_do_not_refuse(world):
    admin = world.actor("admin")
    entry = NegativeListEntry.objects.get(code="NL04")
    negative_list_entry_update(entry=entry, actor=admin, changes={"is_active": False})
    assert negative_list_check(text="融资服务") == []
    negative_list_entry_update(entry=entry, actor=admin, changes={"is_active": True})
    assert negative_list_check(text="融资服务")


def test_admin_manages_entries_with_audit(world):
    admin = world.actor("admin")
    entry = negative_list_entry_create(
        actor=admin,
        data=NegativeListEntryInput.parse(
            code="NL07",
            title="本辖区另行规定的事项",
            legal_basis="财政部令第102号第十条第（六）项",
            keywords="彩票销售、 博彩，彩票销售\n赛马",
        ),
    )
    assert entry.keywords == ["彩票销售", "博彩", "赛马"]
    event = AuditEvent.objects.filter(kind="negative_list.created").latest("seq")
    assert event.new["code"] == "NL07" and event.new["keywords"] == ["彩票销售", "博彩", "赛马"]
    negative_list_entry_update(entry=entry, actor=admin, changes={"keywords": ["彩票"]})
    event = AuditEvent.objects.filter(kind="negative_list.updated").latest("seq")
    assert event.old == {"keywords": ["彩票销售", "博彩", "赛马"]}
    assert event.new == {"keywords": ["彩票"]}
    with pytest.raises(ValidationError) as exc:
        negative_list_entry_create(
            actor=admin,
            data=NegativeListEntryInput.parse(code="NL07", title="x", legal_basis="y", keywords=[]),
        )
    assert exc.value.code == "duplicate"
    with pytest.raises(ValidationError) as exc:
        negative_list_entry_update(entry=entry, actor=admin, changes={"title": ""})
    assert exc.value.field == "title"


@pytest.mark.parametrize("username", ["purchaser", "registrar", "provider", "resident"])
def test_only_the_admin_manages_entries(world, username):
    actor = world.actor(username)
    with pytest.raises(PermissionDenied):
        negative_list_entry_create(
            actor=actor, data=NegativeListEntryInput.parse(code="X", title="x", legal_basis="y")
        )
    with pytest.raises(PermissionDenied):
        negative_list_entry_update(
            entry=NegativeListEntry.objects.first(), actor=actor, changes={"title": "x"}
        )
