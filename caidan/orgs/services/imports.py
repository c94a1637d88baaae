"""Import organizations from Excel: every row checked, nothing written unless all pass."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import DomainError
from caidan.common.xlsx import cell_date, cell_text, import_failed, read_rows, write_workbook

from ..models import Organization, ServiceField
from .credit import grade_record
from .registry import _clean, organization_create

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
FORMS = {label: value for value, label in Organization.LegalForm.choices}
FORMS.update({"民办非企业单位": "service_institution", "社会服务机构": "service_institution"})
FIELDS = {label: value for value, label in ServiceField.choices}
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


def _parse_row(number: int, row: dict, seen: dict[str, int]) -> tuple[dict, list[dict]]:
    errors: list[dict] = []
    data: dict[str, Any] = {}

    def err(field: str, message: str) -> None:
        errors.append({"row": number, "field": COLUMN_OF.get(field, field), "message": message})

    def check(field: str, value: Any) -> None:
        try:
            data[field] = _clean(field, value)
        except DomainError as exc:
            err(field, exc.message)

    check("name", cell_text(row.get("名称")))
    check("uscc", cell_text(row.get("统一社会信用代码")))
    form = cell_text(row.get("组织形式"))
    if form not in FORMS:
        err(
            "legal_form",
            f"组织形式“{form}”无效，应为：{'、'.join(Organization.LegalForm.labels)}。",
        )
    else:
        data["legal_form"] = FORMS[form]
    try:
        check("registration_date", cell_date(row.get("成立登记日期")))
    except ValueError:
        err("registration_date", "成立登记日期格式应为 YYYY-MM-DD。")
    for field in ("address", "legal_representative", "contact_name"):
        data[field] = cell_text(row.get(COLUMN_OF[field]))
    check("contact_phone", cell_text(row.get("联系电话")))
    check("full_time_staff", cell_text(row.get("专职人员数")) or 0)
    fields = []
    for label in cell_text(row.get("服务领域")).replace("，", "、").replace(",", "、").split("、"):
        label = label.strip()
        if not label:
            continue
        if label not in FIELDS:
            err("fields", f"服务领域“{label}”无效，应为：{'、'.join(ServiceField.labels)}。")
        else:
            fields.append(FIELDS[label])
    data["fields"] = fields
    level_text = cell_text(row.get("评估等级")).upper().replace("Ａ", "A")
    if level_text:
        level = level_text.rstrip("A")
        if not level.isdigit() or not 1 <= int(level) <= 5:
            err("level", f"评估等级“{level_text}”无效，应为 1A–5A。")
        else:
            data["level"] = int(level)
            try:
                data["assessed_on"] = cell_date(row.get("评定日期"))
            except ValueError:
                err("assessed_on", "评定日期格式应为 YYYY-MM-DD。")
            if data.get("assessed_on") is None and "assessed_on" not in [
                e["field"] for e in errors
            ]:
                err("assessed_on", "填写评估等级时必须填写评定日期。")
            data["score"] = cell_text(row.get("评估得分")) or None
    uscc = data.get("uscc")
    if uscc:
        if uscc in seen:
            err("uscc", f"统一社会信用代码与第 {seen[uscc]} 行重复。")
        else:
            seen[uscc] = number
    return data, errors


def organizations_import(*, file, actor: Any) -> list[Organization]:
    require(actor, "orgs.manage")
    rows = read_rows(file, COLUMNS, required=REQUIRED)
    parsed, errors, seen = [], [], {}
    for number, row in rows:
        data, row_errors = _parse_row(number, row, seen)
        errors += row_errors
        parsed.append((number, data))
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
        for number, data in parsed:
            level, assessed_on, score = (
                data.pop("level", None),
                data.pop("assessed_on", None),
                data.pop("score", None),
            )
            try:
                org = organization_create(actor=actor, **data)
                if level:
                    grade_record(
                        organization=org,
                        level=level,
                        assessed_on=assessed_on,
                        score=score,
                        actor=actor,
                    )
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
