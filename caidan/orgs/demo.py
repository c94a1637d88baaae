"""Demo organizations named in the seeds, with valid credit codes and a spread of grades
and credit states. Dates are relative to today so the demo stays meaningful over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from caidan.common.identifiers import make_uscc

from . import rules
from .inputs import CreditListingInput, OrganizationInput, PastProjectInput, PenaltyInput
from .models import CreditRecord, Organization
from .services import (
    credit_list_add,
    grade_record,
    organization_create,
    past_project_record,
    penalty_record,
)

SI = Organization.LegalForm.SERVICE_INSTITUTION
SG = Organization.LegalForm.SOCIAL_GROUP

# name, 17-char code prefix, legal form, fields, flags, hub prefix, grade (level, years ago)
ORGS: list[dict[str, Any]] = [
    {
        "name": "阳光家庭综合服务中心",
        "prefix": "52310105MJ0000001",
        "form": SI,
        "fields": ["elderly", "women_children"],
        "grade": (4, 2),
        "staff": 18,
        "projects": 2,
        "rep": "陈晓阳",
        "address": "上海市长宁区江苏路 480 号",
    },
    {
        "name": "上海壹方社会服务事业发展中心",
        "prefix": "52310105MJ0000002",
        "form": SI,
        "fields": ["community_correction", "resettlement", "other"],
        "grade": (5, 3),
        "staff": 35,
        "projects": 3,
        "rep": "王一方",
        "address": "上海市长宁区愚园路 1000 号",
    },
    {
        "name": "区人民调解协会",
        "prefix": "51310105MJ0000003",
        "form": SG,
        "fields": ["mediation"],
        "hub": True,
        "grade": (4, 1),
        "staff": 12,
        "projects": 4,
        "rep": "周建国",
        "address": "上海市长宁区长宁路 599 号",
    },
    {
        "name": "区医患纠纷人民调解委员会",
        "prefix": "51310105MJ0000004",
        "form": SG,
        "fields": ["mediation"],
        "hub_prefix": "51310105MJ0000003",
        "grade": (3, 4),
        "staff": 8,
        "projects": 1,
        "rep": "吴仁和",
        "address": "上海市长宁区延安西路 1000 号",
    },
    {
        "name": "上海申杰社会组织培育评估中心",
        "prefix": "52310105MJ0000005",
        "form": SI,
        "fields": ["other"],
        "evaluator": True,
        "grade": (5, 2),
        "staff": 26,
        "projects": 5,
        "rep": "沈杰",
        "address": "上海市长宁区安化路 200 号",
    },
    {
        "name": "刘博士心理阳光工作室",
        "prefix": "52310105MJ0000006",
        "form": SI,
        "fields": ["women_children", "other"],
        "grade": (3, 6),
        "staff": 6,
        "projects": 1,
        "rep": "刘博",
        "address": "上海市长宁区新华路 300 号",
    },  # grade expired: counts as none
    {
        "name": "君慧心理咨询工作室",
        "prefix": "52310105MJ0000007",
        "form": SI,
        "fields": ["other"],
        "staff": 4,
        "rep": "李君慧",
        "address": "上海市长宁区天山路 100 号",
        "abnormal": "annual_report",
    },
    {
        "name": "长宁区乐龄居家养老服务社",
        "prefix": "52310105MJ0000008",
        "form": SI,
        "fields": ["elderly"],
        "grade": (2, 1),
        "staff": 15,
        "rep": "赵乐龄",
        "address": "上海市长宁区仙霞路 500 号",
    },
    {
        "name": "长宁区阳光助残服务社",
        "prefix": "52310105MJ0000009",
        "form": SI,
        "fields": ["disability"],
        "grade": (3, 2),
        "staff": 20,
        "projects": 1,
        "rep": "钱助残",
        "address": "上海市长宁区虹桥路 1500 号",
        "major_fine": "60000.00",
    },
    {
        "name": "新华路街道社区文体协会",
        "prefix": "51310105MJ0000010",
        "form": SG,
        "fields": ["culture_sports"],
        "grade": (3, 1),
        "staff": 5,
        "projects": 1,
        "rep": "孙文体",
        "address": "上海市长宁区新华路 600 号",
        "warning": True,
    },
]


def seed_orgs(actor) -> dict[str, int]:
    today = timezone.localdate()
    created = 0
    for spec in ORGS:
        uscc = make_uscc(spec["prefix"])
        if Organization.objects.filter(uscc=uscc).exists():
            continue
        hub = (
            Organization.objects.get(uscc=make_uscc(spec["hub_prefix"]))
            if spec.get("hub_prefix")
            else None
        )
        org = organization_create(
            hub=hub,
            actor=actor,
            data=OrganizationInput.parse(
                name=spec["name"],
                uscc=uscc,
                legal_form=spec["form"],
                fields=spec["fields"],
                is_hub=spec.get("hub", False),
                is_evaluator=spec.get("evaluator", False),
                registration_date=rules.add_years(today, -8) - dt.timedelta(days=40 * created),
                registration_authority="长宁区民政局",
                legal_representative=spec["rep"],
                address=spec["address"],
                contact_name=spec["rep"],
                contact_phone=f"021-6{created:03d}{created:04d}",
                full_time_staff=spec["staff"],
            ),
        )
        if spec.get("grade"):
            level, years_ago = spec["grade"]
            grade_record(
                organization=org,
                level=level,
                assessed_on=rules.add_years(today, -years_ago) - dt.timedelta(days=30),
                score=str(600 + level * 70),
                assessor="上海申杰社会组织培育评估中心",
                actor=actor,
            )
        for i in range(spec.get("projects", 0)):
            past_project_record(
                organization=org,
                actor=actor,
                data=PastProjectInput.parse(
                    year=today.year - 1 - i,
                    title=f"{spec['name'][:6]}社区服务项目（{today.year - 1 - i}）",
                    purchaser_name=["江苏路街道", "新华路街道", "长宁区民政局"][i % 3],
                    amount=f"{(i + 2) * 100000}.00",
                ),
            )
        if spec.get("abnormal"):
            credit_list_add(
                organization=org,
                actor=actor,
                data=CreditListingInput.parse(
                    list_kind=CreditRecord.List.ABNORMAL,
                    reason=spec["abnormal"],
                    listed_on=today - dt.timedelta(days=90),
                ),
            )
        if spec.get("major_fine"):
            penalty_record(
                organization=org,
                actor=actor,
                data=PenaltyInput.parse(
                    kind="fine",
                    amount=spec["major_fine"],
                    decided_on=today - dt.timedelta(days=200),
                    reason="违规收取服务对象费用",
                    authority="长宁区民政局",
                ),
            )
        if spec.get("warning"):
            penalty_record(
                organization=org,
                actor=actor,
                data=PenaltyInput.parse(
                    kind="warning",
                    decided_on=today - dt.timedelta(days=30),
                    reason="未按规定办理负责人变更登记",
                    authority="长宁区民政局",
                ),
            )
        created += 1
    return {"organizations": created}
