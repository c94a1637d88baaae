"""Registration, profile editing, change requests, hubs, the directory, Excel import."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.identifiers import make_uscc
from caidan.orgs import rules
from caidan.orgs.inputs import CreditListingInput, OrganizationInput, PastProjectInput, PenaltyInput
from caidan.orgs.models import DirectoryEntry, Organization
from caidan.orgs.services import (
    IDENTITY_FIELDS,
    change_request_decide,
    change_request_submit,
    credit_list_add,
    directory_recompute,
    grade_record,
    organization_create,
    organization_set_hub,
    organization_update_own,
    organizations_import,
    past_project_record,
    penalty_record,
)


@pytest.fixture
def reg(world):
    return world.actor("registrar")


def test_create_validates_code_and_audits(world, reg):
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=reg, data=OrganizationInput.parse(name="x", uscc="52310105MJ00000010")
        )
    assert exc.value.field == "uscc" and "校验位" in exc.value.message
    org = organization_create(
        actor=reg,
        data=OrganizationInput.parse(
            name="新机构", uscc=make_uscc("52310105MJ9999991"), fields=["elderly"]
        ),
    )
    assert AuditEvent.objects.filter(kind="organization.created", target_id=str(org.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=reg, data=OrganizationInput.parse(name="重复", uscc=org.uscc))
    assert exc.value.code == "duplicate"
    with pytest.raises(PermissionDenied):
        organization_create(
            actor=world.actor("purchaser"),
            data=OrganizationInput.parse(name="y", uscc=make_uscc("52310105MJ9999992")),
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("website", "ftp://x"),
        ("contact_phone", "call me"),
        ("full_time_staff", -1),
        ("registration_date", "2999-01-01"),
        ("legal_form", "cult"),
    ],
)
def test_profile_validation_names_the_field(world, reg, field, value):
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=reg,
            data=OrganizationInput.parse(
                name="x", uscc=make_uscc("52310105MJ9999993"), **{field: value}
            ),
        )
    assert exc.value.field == field
    assert not Organization.objects.filter(uscc=make_uscc("52310105MJ9999993")).exists()


def test_provider_edits_own_profile_but_not_identity(world):
    actor = world.actor("provider")
    org = actor.organization
    organization_update_own(
        organization=org,
        changes={"contact_phone": "021-62000000", "fields": ["elderly"]},
        actor=actor,
    )
    org.refresh_from_db()
    assert org.contact_phone == "021-62000000"
    with pytest.raises(ValidationError) as exc:
        organization_update_own(organization=org, changes={"name": "改名"}, actor=actor)
    assert exc.value.code == "identity_change" and exc.value.field == "name"
    other = Organization.objects.exclude(pk=org.pk).first()
    with pytest.raises(PermissionDenied):
        organization_update_own(organization=other, changes={"contact_phone": "1"}, actor=actor)


def test_a_change_is_checked_alone(world):
    """A value kept under older rules does not block an unrelated change; a new value is
    checked with the field's message."""
    actor = world.actor("provider")
    org = actor.organization
    Organization.objects.filter(pk=org.pk).update(email="legacy")
    organization_update_own(
        organization=org, changes={"contact_phone": "021-62000001"}, actor=actor
    )
    with pytest.raises(ValidationError) as exc:
        organization_update_own(organization=org, changes={"email": "again"}, actor=actor)
    assert exc.value.field == "email" and exc.value.message == "电子邮箱格式不正确：again。"
    with pytest.raises(ValidationError) as exc:
        organization_update_own(organization=org, changes={"colour": "红"}, actor=actor)
    assert exc.value.field == "colour" and exc.value.message == "不能修改字段“colour”。"


def test_identity_change_goes_through_the_authority(world, reg):
    actor = world.actor("provider")
    org = actor.organization
    req = change_request_submit(
        organization=org, changes={"address": "新地址 1 号"}, reason="搬迁", actor=actor
    )
    with pytest.raises(Conflict):
        change_request_submit(organization=org, changes={"address": "又一地址"}, actor=actor)
    with pytest.raises(ValidationError):
        change_request_decide(request=req, approve=False, note="", actor=reg)
    change_request_decide(request=req, approve=True, note="材料齐全", actor=reg)
    org.refresh_from_db()
    assert org.address == "新地址 1 号"
    with pytest.raises(Conflict):
        change_request_decide(request=req, approve=True, actor=reg)
    assert set(IDENTITY_FIELDS) >= {"name", "uscc", "legal_representative"}


def test_hub_affiliation_rules(world, reg, make_org):
    hub = Organization.objects.get(name="区人民调解协会")
    grassroots = make_org("基层调解组织")
    organization_set_hub(organization=grassroots, hub=hub, actor=reg)
    assert grassroots in hub.affiliates.all()
    with pytest.raises(ValidationError):
        organization_set_hub(organization=grassroots, hub=make_org("非枢纽"), actor=reg)
    with pytest.raises(ValidationError):
        organization_set_hub(organization=hub, hub=hub, actor=reg)
    organization_set_hub(organization=grassroots, hub=None, actor=reg)
    grassroots.refresh_from_db()
    assert grassroots.hub is None


def test_directory_criteria_and_recompute_on_change(world, reg, make_org, today):
    org = make_org("候选机构", fields=("elderly", "disability"))
    assert not DirectoryEntry.objects.filter(organization=org).exists()
    grade_record(organization=org, level=3, assessed_on=today, actor=reg)
    assert not DirectoryEntry.objects.filter(organization=org).exists()  # no experience yet
    past_project_record(
        organization=org,
        actor=reg,
        data=PastProjectInput.parse(
            year=today.year - 1, title="助老服务", purchaser_name="江苏路街道"
        ),
    )
    assert set(org.directory_entries.values_list("field", flat=True)) == {"elderly", "disability"}
    # A penalty takes it out again, immediately.
    penalty_record(
        organization=org,
        actor=reg,
        data=PenaltyInput.parse(kind="warning", decided_on=today, reason="违规"),
    )
    assert not org.directory_entries.exists()


def test_directory_drops_expired_grades_on_tick(world, reg, make_org, today):
    from django.utils import timezone

    from caidan.common.tick import run_tick

    org = make_org("即将到期", fields=("elderly",))
    past_project_record(
        organization=org,
        actor=reg,
        data=PastProjectInput.parse(year=today.year - 1, title="t", purchaser_name="p"),
    )
    grade_record(
        organization=org,
        level=4,
        assessed_on=rules.add_years(today, -5) + dt.timedelta(days=1),
        actor=reg,
    )
    assert org.directory_entries.exists()
    run_tick(now=timezone.now() + dt.timedelta(days=1), only=["orgs.directory_refresh"])
    assert not org.directory_entries.exists()


def test_directory_excludes_listed_orgs(world, reg, make_org, today):
    org = make_org("列入名录", fields=("elderly",))
    grade_record(organization=org, level=5, assessed_on=today, actor=reg)
    past_project_record(
        organization=org,
        actor=reg,
        data=PastProjectInput.parse(year=today.year, title="t", purchaser_name="p"),
    )
    assert org.directory_entries.exists()
    credit_list_add(
        organization=org,
        actor=reg,
        data=CreditListingInput.parse(list_kind="abnormal", reason="unreachable", listed_on=today),
    )
    assert not org.directory_entries.exists()
    assert directory_recompute(organization=org) == (set(), set())


def test_demo_directory_by_field(world):
    names = set(
        DirectoryEntry.objects.filter(field="mediation").values_list(
            "organization__name", flat=True
        )
    )
    assert names == {"区人民调解协会", "区医患纠纷人民调解委员会"}


# --- Excel import -------------------------------------------------------------------------

HEADER = [
    "名称",
    "统一社会信用代码",
    "组织形式",
    "成立登记日期",
    "服务领域",
    "评估等级",
    "评定日期",
]


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "orgs.xlsx"
    return buf


def test_import_mixed_rows_writes_nothing_and_reports_each(world, reg):
    before = Organization.objects.count()
    events = AuditEvent.objects.count()
    good = make_uscc("52310105MJ8000001")
    existing = Organization.objects.first().uscc
    file = xlsx(
        [
            ["好机构", good, "社会团体", "2015-01-01", "养老服务", "4A", "2024-01-01"],  # row 2 ok
            ["坏代码", "52310105MJ80000010", "社会团体", "", "", "", ""],  # row 3
            ["", make_uscc("52310105MJ8000003"), "社会团体", "", "", "", ""],  # row 4 no name
            ["坏形式", make_uscc("52310105MJ8000004"), "公司", "", "", "", ""],  # row 5
            ["坏领域", make_uscc("52310105MJ8000005"), "基金会", "", "养鱼", "", ""],  # row 6
            ["坏等级", make_uscc("52310105MJ8000006"), "基金会", "", "", "6A", ""],  # row 7
            ["重复", good, "基金会", "", "", "", ""],  # row 8 duplicate in file
            ["已登记", existing, "基金会", "", "", "", ""],  # row 9 already registered
            ["缺日期", make_uscc("52310105MJ8000009"), "基金会", "", "", "3A", ""],  # row 10
        ]
    )
    with pytest.raises(ValidationError) as exc:
        organizations_import(file=file, actor=reg)
    errors = exc.value.detail["errors"]
    assert sorted({e["row"] for e in errors}) == [3, 4, 5, 6, 7, 8, 9, 10]
    by_row = {e["row"]: e for e in errors}
    assert by_row[3]["field"] == "统一社会信用代码" and "校验位" in by_row[3]["message"]
    assert by_row[4]["field"] == "名称"
    assert by_row[5]["field"] == "组织形式"
    assert by_row[6]["field"] == "服务领域" and "养鱼" in by_row[6]["message"]
    assert by_row[7]["field"] == "评估等级"
    assert "第 2 行重复" in by_row[8]["message"]
    assert "已登记" in by_row[9]["message"]
    assert by_row[10]["field"] == "评定日期"
    assert Organization.objects.count() == before
    assert AuditEvent.objects.count() == events


def test_import_row_with_a_bad_code_lists_its_other_problems_too(world, reg):
    file = xlsx([["", "52310105MJ80000010", "社会团体", "2999-01-01", "", "", ""]])
    with pytest.raises(ValidationError) as exc:
        organizations_import(file=file, actor=reg)
    by_field = {e["field"]: e["message"] for e in exc.value.detail["errors"]}
    assert set(by_field) == {"名称", "统一社会信用代码", "成立登记日期"}
    assert by_field["名称"] == "请填写组织名称。"
    assert "校验位" in by_field["统一社会信用代码"]
    assert by_field["成立登记日期"] == "成立登记日期不能晚于今天。"


def test_import_good_file(world, reg, today):
    file = xlsx(
        [
            [
                "甲",
                make_uscc("52310105MJ7000001"),
                "社会服务机构（民办非企业单位）",
                "2015-01-01",
                "养老服务、法律援助",
                "4A",
                today - dt.timedelta(days=10),
            ],
            ["乙", make_uscc("51310105MJ7000002"), "社会团体", dt.date(2018, 5, 1), "", "", ""],
        ]
    )
    created = organizations_import(file=file, actor=reg)
    assert [o.name for o in created] == ["甲", "乙"]
    first = created[0]
    assert set(first.field_rows.values_list("field", flat=True)) == {"elderly", "legal_aid"}
    assert first.grades.get().level == 4
    assert AuditEvent.objects.filter(kind="organization.imported").exists()


def test_import_refuses_non_xlsx_and_missing_columns(world, reg):
    bad = io.BytesIO(b"not a workbook")
    bad.name = "orgs.xlsx"
    with pytest.raises(ValidationError) as exc:
        organizations_import(file=bad, actor=reg)
    assert exc.value.field == "file"
    txt = io.BytesIO(b"x")
    txt.name = "orgs.csv"
    with pytest.raises(ValidationError):
        organizations_import(file=txt, actor=reg)
    wb = Workbook()
    wb.active.append(["名称"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    with pytest.raises(ValidationError) as exc:
        organizations_import(file=buf, actor=reg)
    assert "统一社会信用代码" in exc.value.message
