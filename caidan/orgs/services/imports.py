"""Import organizations from Excel: every row checked, nothing written unless all pass."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import DomainError, ValidationError
from caidan.common.i18n import source
from caidan.common.identifiers import validate_uscc
from caidan.common.perms import Perm
from caidan.common.xlsx import cell_date, cell_text, import_failed, read_rows, write_workbook

from ..inputs import OrganizationChanges, OrganizationInput
from ..models import Organization, ServiceField
from .credit import grade_record
from .registry import organization_create

COLUMNS = [
    "名称",
    "统一社会信用代码",
    "组织形式",
    "成立登记日期",
    "住所",
    "法定代表人",
    "服务领域",
    "专职人员数",
    "联系人",
    "联系电话",
    "评估等级",
    "评估得分",
    "评定日期",
]
REQUIRED = ["名称", "统一社会信用代码", "组织形式"]
FORMS = {source(label): value for value, label in Organization.LegalForm.choices}
FORMS.update({"民办非企业单位": "service_institution", "社会服务机构": "service_institution"})
FIELDS = {source(label): value for value, label in ServiceField.choices}
COLUMN_OF = {
    "name": "名称",
    "uscc": "统一社会信用代码",
    "legal_form": "组织形式",
    "registration_date": "成立登记日期",
    "address": "住所",
    "legal_representative": "法定代表人",
    "fields": "服务领域",
    "full_time_staff": "专职人员数",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "level": "评估等级",
    "score": "评估得分",
    "assessed_on": "评定日期",
}


def _labels(text: str, known: dict[str, str], column: str) -> tuple[list[str], list[str]]:
    """A cell listing labels (养老服务、法律援助) as values, and a message per unknown label."""
    values, problems = [], []
    for label in text.replace("，", "、").replace(",", "、").split("、"):
        label = label.strip()
        if not label:
            continue
        if label in known:
            values.append(known[label])
        else:
            problems.append(f"{column}“{label}”无效，应为：{'、'.join(known)}。")
    return values, problems


def _grade(row: dict, err) -> dict[str, Any]:
    """The grade columns: a level 1A–5A with the date it was assessed, and the score."""
    level_text = cell_text(row.get("评估等级")).upper().replace("Ａ", "A")
    if not level_text:
        return {}
    level = level_text.rstrip("A")
    if not level.isdigit() or not 1 <= int(level) <= 5:
        err("level", f"评估等级“{level_text}”无效，应为 1A–5A。")
        return {}
    try:
        assessed_on = cell_date(row.get("评定日期"))
    except ValueError:
        err("assessed_on", "评定日期格式应为 YYYY-MM-DD。")
        return {}
    if assessed_on is None:
        err("assessed_on", "填写评估等级时必须填写评定日期。")
    score = cell_text(row.get("评估得分")) or None
    return {"level": int(level), "assessed_on": assessed_on, "score": score}


def _code(text: str) -> str | None:
    """The normalised code, if it is valid (to find it twice in a file, or registered)."""
    try:
        return validate_uscc(text)
    except DomainError:
        return None


def _organization(values: dict[str, Any]) -> tuple[OrganizationInput | None, list[dict]]:
    """The row as an input, or every problem it has (``field``, ``message``)."""
    try:
        return OrganizationInput.parse(values), []
    except ValidationError as exc:
        if "errors" in exc.detail:
            return None, exc.detail["errors"]
        problems = [{"field": exc.field or "", "message": exc.message}]
    # The code's own refusal stops the other checks: run them without it.
    rest = {k: v for k, v in values.items() if k != "uscc"}
    try:
        OrganizationChanges.parse(rest)
    except ValidationError as exc:
        problems += exc.detail.get("errors") or [{"field": exc.field, "message": exc.message}]
    return None, problems


def _parse_row(
    number: int, row: dict, seen: dict[str, int]
) -> tuple[OrganizationInput | None, dict[str, Any], list[dict]]:
    """One spreadsheet row: the organization, its grade (if any) and the row's problems."""
    errors: list[dict] = []

    def err(field: str, message: str) -> None:
        errors.append({"row": number, "field": COLUMN_OF.get(field, field), "message": message})

    form = cell_text(row.get("组织形式"))
    values: dict[str, Any] = {
        field: cell_text(row.get(COLUMN_OF[field]))
        for field in ("name", "uscc", "address", "legal_representative", "contact_name")
    }
    values["contact_phone"] = cell_text(row.get("联系电话"))
    values["full_time_staff"] = cell_text(row.get("专职人员数")) or 0
    if form in FORMS:
        values["legal_form"] = FORMS[form]
    else:
        err(
            "legal_form",
            f"组织形式“{form}”无效，应为：{'、'.join(map(source, Organization.LegalForm.labels))}。",
        )
    try:
        values["registration_date"] = cell_date(row.get("成立登记日期"))
    except ValueError:
        err("registration_date", "成立登记日期格式应为 YYYY-MM-DD。")
    values["fields"], bad_fields = _labels(cell_text(row.get("服务领域")), FIELDS, "服务领域")
    for message in bad_fields:
        err("fields", message)
    data, problems = _organization(values)
    for problem in problems:
        err(problem["field"], problem["message"])
    grade = _grade(row, err)
    code = _code(values["uscc"])
    if code in seen:
        err("uscc", f"统一社会信用代码与第 {seen[code]} 行重复。")
    elif code:
        seen[code] = number
    return data, grade, errors


def organizations_import(*, file, actor: Actor) -> list[Organization]:
    require(actor, Perm.ORGS_MANAGE)
    rows = read_rows(file, COLUMNS, required=REQUIRED)
    parsed, errors, seen = [], [], {}
    for number, row in rows:
        data, grade, row_errors = _parse_row(number, row, seen)
        errors += row_errors
        parsed.append((number, data, grade))
    existing = set(Organization.objects.filter(uscc__in=list(seen)).values_list("uscc", flat=True))
    for uscc in sorted(existing):
        errors.append(
            {"row": seen[uscc], "field": "统一社会信用代码", "message": f"{uscc} 已登记。"}
        )
    if not rows:
        errors.append({"row": 2, "field": "名称", "message": "文件中没有数据行。"})
    if errors:
        raise import_failed(sorted(errors, key=lambda e: (e["row"], e["field"])))
    created = []
    with transaction.atomic():
        for number, data, grade in parsed:
            try:
                org = organization_create(data=data, actor=actor)
                if grade:
                    grade_record(organization=org, **grade, actor=actor)
            except DomainError as exc:  # a rule only the service knows: report, write nothing
                raise import_failed(
                    [{"row": number, "field": exc.field or "", "message": exc.message}]
                ) from None
            created.append(org)
        audit_record(
            kind=EventKind.ORGANIZATION_IMPORTED,
            actor=actor,
            new={"count": len(created), "file": getattr(file, "name", "")},
        )
    return created


def organizations_template() -> bytes:
    """An empty import template with one example row."""
    return write_workbook(
        "社会组织",
        COLUMNS,
        [
            [
                "示例社区服务中心",
                "52310105MJ00000XXX",
                "社会服务机构（民办非企业单位）",
                "2015-03-01",
                "上海市长宁区示例路 1 号",
                "张三",
                "养老服务、残疾人服务",
                12,
                "李四",
                "021-12345678",
                "4A",
                "860",
                "2024-06-30",
            ]
        ],
    )
