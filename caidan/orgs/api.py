"""API: the provider registry (public reads; writes for the registration authority;
providers maintain their own profile)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Body, File, Router, Schema, Status
from ninja.files import UploadedFile

from caidan.common.errors import field_error
from caidan.common.fast_lists import json_page
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, page_response
from caidan.common.xlsx import XLSX_MIME

from . import selectors, services
from .eligibility import Requirements, eligibility
from .inputs import CreditListingInput, OrganizationInput, PastProjectInput, PenaltyInput
from .models import Organization, ServiceField

router = Router(tags=["orgs 社会组织"])


class OrgOut(Schema):
    id: int
    name: str
    uscc: str
    legal_form: str
    legal_form_label: str
    status: str
    grade: str | None
    fields: list[str]
    field_labels: list[str]
    on_abnormal_list: bool
    on_serious_list: bool
    is_hub: bool
    is_evaluator: bool
    hub_id: int | None
    url: str


def org_out(o: Organization) -> dict:
    fields = [r.field for r in o.field_rows.all()]
    return {
        "id": o.pk,
        "name": o.name,
        "uscc": o.uscc,
        "legal_form": o.legal_form,
        "legal_form_label": o.get_legal_form_display(),
        "status": o.status,
        "grade": f"{o.current_grade}A" if getattr(o, "current_grade", None) else None,
        "fields": fields,
        "field_labels": [str(ServiceField(f).label) for f in fields],
        "on_abnormal_list": bool(getattr(o, "on_abnormal", False)),
        "on_serious_list": bool(getattr(o, "on_serious", False)),
        "is_hub": o.is_hub,
        "is_evaluator": o.is_evaluator,
        "hub_id": o.hub_id,
        "url": f"/orgs/{o.pk}/",
    }


def org_rows_out(rows: list[dict]) -> list[dict]:
    """``org_out`` for ``selectors.organization_rows`` (``.values()`` rows): the same dicts,
    without a model instance per row (docs/architecture.md, "Fast lists")."""
    legal_forms = {value: str(label) for value, label in Organization.LegalForm.choices}
    field_labels = {value: str(label) for value, label in ServiceField.choices}
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "uscc": r["uscc"],
            "legal_form": r["legal_form"],
            "legal_form_label": legal_forms.get(r["legal_form"], r["legal_form"]),
            "status": r["status"],
            "grade": f"{r['current_grade']}A" if r["current_grade"] else None,
            "fields": r["fields"],
            "field_labels": [field_labels.get(f, f) for f in r["fields"]],
            "on_abnormal_list": r["on_abnormal"],
            "on_serious_list": r["on_serious"],
            "is_hub": r["is_hub"],
            "is_evaluator": r["is_evaluator"],
            "hub_id": r["hub_id"],
            "url": f"/orgs/{r['id']}/",
        }
        for r in rows
    ]


@router.get("", response={200: PageOut[OrgOut], **ERRORS}, auth=None, summary="社会组织名录")
def list_orgs(
    request,
    q: str = "",
    field: str = "",
    min_grade: int | None = None,
    credit: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.organization_rows(
        search=q, field=field, min_grade=min_grade, credit=credit, cursor=cursor, limit=limit
    )
    return json_page(page, org_rows_out(page.items))


class DirectoryOut(Schema):
    organization: OrgOut
    field: str
    grade_level: int
    listed_since: dt.date


@router.get(
    "/directory", response={200: PageOut[DirectoryOut], **ERRORS}, auth=None, summary="推荐目录"
)
def directory(request, field: str, cursor: str | None = None, limit: int = 20):
    page = selectors.directory_list(field=field, cursor=cursor, limit=limit)
    orgs = {
        o.pk: o
        for o in selectors.organization_queryset().filter(
            pk__in=[e.organization_id for e in page.items]
        )
    }
    return page_response(
        page,
        lambda e: {
            "organization": org_out(orgs[e.organization_id]),
            "field": e.field,
            "grade_level": e.grade_level,
            "listed_since": e.listed_since,
        },
    )


class GradeOut(Schema):
    level: int
    score: Decimal | None
    assessed_on: dt.date
    valid_until: dt.date
    assessor: str


class CreditOut(Schema):
    id: int
    list: str
    list_label: str
    reason: str
    reason_label: str
    detail: str
    listed_on: dt.date
    removed_on: dt.date | None
    removal_reason: str


class PenaltyOut(Schema):
    kind: str
    kind_label: str
    amount: Decimal | None
    decided_on: dt.date
    authority: str
    reason: str


class OrgDetailOut(OrgOut):
    registration_date: dt.date | None
    registration_authority: str
    address: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    email: str
    website: str
    description: str
    full_time_staff: int
    part_time_staff: int
    social_workers: int
    volunteers: int
    grades: list[GradeOut]
    credit_records: list[CreditOut]
    penalties: list[PenaltyOut]
    in_directory: list[str]
    affiliates: list[int]


def detail_out(actor, org: Organization) -> dict:
    profile = selectors.organization_profile(actor=actor, organization=org)
    facts = profile.facts
    return {
        **org_out(org),
        "registration_date": org.registration_date,
        "registration_authority": org.registration_authority,
        "address": org.address,
        "legal_representative": profile.legal_representative,
        "contact_name": profile.contact_name,
        "contact_phone": profile.contact_phone,
        "email": org.email,
        "website": org.website,
        "description": org.description,
        "full_time_staff": org.full_time_staff,
        "part_time_staff": org.part_time_staff,
        "social_workers": org.social_workers,
        "volunteers": org.volunteers,
        "grades": [
            {
                "level": g.level,
                "score": g.score,
                "assessed_on": g.assessed_on,
                "valid_until": g.valid_until,
                "assessor": g.assessor,
            }
            for g in facts.grades
        ],
        "credit_records": [_credit(r) for r in facts.credit],
        "penalties": [
            {
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "amount": p.amount,
                "decided_on": p.decided_on,
                "authority": p.authority,
                "reason": p.reason,
            }
            for p in facts.penalties
        ],
        "in_directory": profile.in_directory,
        "affiliates": [a.pk for a in profile.affiliates],
    }


@router.get("/mine", response={200: OrgDetailOut, **ERRORS}, summary="本机构资料")
def mine(request):
    return detail_out(request.auth, selectors.organization_of(request.auth))


@router.patch("/mine", response={200: OrgDetailOut, **ERRORS}, summary="修改本机构资料")
def update_mine(request, payload: Body[dict[str, Any]]):
    org = selectors.organization_of(request.auth)
    services.organization_update_own(organization=org, changes=payload, actor=request.auth)
    return detail_out(request.auth, selectors.organization_get(organization_id=org.pk))


class ChangeRequestIn(Schema):
    changes: dict[str, Any]
    reason: str = ""


class ChangeRequestOut(Schema):
    id: int
    organization_id: int
    changes: dict[str, Any]
    reason: str
    status: str
    decision_note: str


def change_out(r) -> dict:
    return {
        "id": r.pk,
        "organization_id": r.organization_id,
        "changes": r.changes,
        "reason": r.reason,
        "status": r.status,
        "decision_note": r.decision_note,
    }


@router.post(
    "/mine/change-requests",
    response={201: ChangeRequestOut, **ERRORS},
    summary="申请变更登记事项",
)
def request_change(request, payload: ChangeRequestIn):
    org = selectors.organization_of(request.auth)
    row = services.change_request_submit(
        organization=org, changes=payload.changes, reason=payload.reason, actor=request.auth
    )
    return Status(201, change_out(row))


@router.get(
    "/change-requests",
    response={200: PageOut[ChangeRequestOut], **ERRORS},
    summary="待审核变更申请",
)
def list_change_requests(
    request, status: str = "pending", cursor: str | None = None, limit: int = 20
):
    page = selectors.change_requests(actor=request.auth, status=status, cursor=cursor, limit=limit)
    return page_response(page, change_out)


class DecideIn(Schema):
    approve: bool
    note: str = ""


@router.post(
    "/change-requests/{request_id}/decide",
    response={200: ChangeRequestOut, **ERRORS},
    summary="审核变更申请",
)
def decide_change(request, request_id: int, payload: DecideIn):
    row = selectors.change_request_get_for(actor=request.auth, request_id=request_id)
    row = services.change_request_decide(
        request=row, approve=payload.approve, note=payload.note, actor=request.auth
    )
    return change_out(row)


class OrgIn(Schema):
    name: str
    uscc: str
    legal_form: str = "other"
    fields: list[str] = []
    registration_date: dt.date | None = None
    registration_authority: str = ""
    address: str = ""
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    email: str = ""
    website: str = ""
    description: str = ""
    full_time_staff: int = 0
    is_hub: bool = False
    is_evaluator: bool = False


@router.post("", response={201: OrgDetailOut, **ERRORS}, summary="登记社会组织")
def create_org(request, payload: OrgIn):
    org = services.organization_create(
        data=OrganizationInput.parse(payload.dict()), actor=request.auth
    )
    return Status(201, detail_out(request.auth, selectors.organization_get(organization_id=org.pk)))


@router.post("/import", response={201: dict, **ERRORS}, summary="从 Excel 导入社会组织")
def import_orgs(request, file: File[UploadedFile]):
    created = services.organizations_import(file=file, actor=request.auth)
    return Status(201, {"created": len(created), "ids": [o.pk for o in created]})


@router.get("/import-template", auth=None, summary="导入模板（Excel）")
def import_template(request):
    response = HttpResponse(services.organizations_template(), content_type=XLSX_MIME)
    response["Content-Disposition"] = "attachment; filename*=utf-8''organizations.xlsx"
    return response


@router.get("/{org_id}", response={200: OrgDetailOut, **ERRORS}, auth=None, summary="社会组织详情")
def get_org(request, org_id: int):
    from caidan.accounts.api_auth import optional_actor

    return detail_out(optional_actor(request), selectors.organization_get(organization_id=org_id))


@router.patch("/{org_id}", response={200: OrgDetailOut, **ERRORS}, summary="修改登记信息")
def update_org(request, org_id: int, payload: Body[dict[str, Any]]):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    services.organization_update(organization=org, changes=payload, actor=request.auth)
    return detail_out(request.auth, selectors.organization_get(organization_id=org_id))


class GradeIn(Schema):
    level: int
    assessed_on: dt.date
    score: Decimal | None = None
    assessor: str = ""
    note: str = ""


@router.post("/{org_id}/grades", response={201: GradeOut, **ERRORS}, summary="记录评估等级")
def add_grade(request, org_id: int, payload: GradeIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    g = services.grade_record(organization=org, **payload.dict(), actor=request.auth)
    return Status(
        201,
        {
            "level": g.level,
            "score": g.score,
            "assessed_on": g.assessed_on,
            "valid_until": g.valid_until,
            "assessor": g.assessor,
        },
    )


class PenaltyIn(Schema):
    kind: str
    decided_on: dt.date
    reason: str
    amount: str | None = None
    authority: str = ""
    document_no: str = ""


@router.post("/{org_id}/penalties", response={201: dict, **ERRORS}, summary="记录行政处罚")
def add_penalty(request, org_id: int, payload: PenaltyIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    p = services.penalty_record(
        organization=org, data=PenaltyInput.parse(payload.dict()), actor=request.auth
    )
    return Status(201, {"id": p.pk, "kind": p.kind, "decided_on": p.decided_on.isoformat()})


class CreditIn(Schema):
    list_kind: str
    reason: str
    listed_on: dt.date
    detail: str = ""


@router.post(
    "/{org_id}/credit-records", response={201: CreditOut, **ERRORS}, summary="列入信用名录"
)
def add_credit(request, org_id: int, payload: CreditIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    r = services.credit_list_add(
        organization=org, data=CreditListingInput.parse(payload.dict()), actor=request.auth
    )
    return Status(201, _credit(r))


def _credit(r) -> dict:
    return {
        "id": r.pk,
        "list": r.list,
        "list_label": r.get_list_display(),
        "reason": r.reason,
        "reason_label": r.get_reason_display(),
        "detail": r.detail,
        "listed_on": r.listed_on,
        "removed_on": r.removed_on,
        "removal_reason": r.removal_reason,
    }


class RemoveIn(Schema):
    reason: str
    removed_on: dt.date | None = None


@router.post(
    "/credit-records/{record_id}/remove",
    response={200: CreditOut, **ERRORS},
    summary="移出信用名录",
)
def remove_credit(request, record_id: int, payload: RemoveIn):
    record = selectors.credit_record_get_for(actor=request.auth, record_id=record_id)
    r = services.credit_record_remove(record=record, **payload.dict(), actor=request.auth)
    return _credit(r)


class DefaulterIn(Schema):
    listed_on: dt.date
    detail: str = ""


@router.post(
    "/{org_id}/judgment-defaulter", response={201: CreditOut, **ERRORS}, summary="认定失信被执行人"
)
def set_defaulter(request, org_id: int, payload: DefaulterIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    return Status(
        201,
        _credit(
            services.judgment_defaulter_set(organization=org, **payload.dict(), actor=request.auth)
        ),
    )


class BarIn(Schema):
    reason: str
    starts_on: dt.date
    ends_on: dt.date
    source: str = ""


@router.post("/{org_id}/bars", response={201: dict, **ERRORS}, summary="列入承接主体负面清单")
def add_bar(request, org_id: int, payload: BarIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    bar = services.provider_bar_create(organization=org, **payload.dict(), actor=request.auth)
    return Status(201, {"id": bar.pk, "ends_on": bar.ends_on.isoformat()})


class PastProjectIn(Schema):
    year: int
    title: str
    purchaser_name: str
    amount: str | None = None


@router.post("/{org_id}/past-projects", response={201: dict, **ERRORS}, summary="记录项目实施经验")
def add_past_project(request, org_id: int, payload: PastProjectIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    p = services.past_project_record(
        organization=org, data=PastProjectInput.parse(payload.dict()), actor=request.auth
    )
    return Status(201, {"id": p.pk})


class HubIn(Schema):
    hub_id: int | None


@router.post("/{org_id}/hub", response={200: OrgOut, **ERRORS}, summary="设置所属枢纽组织")
def set_hub(request, org_id: int, payload: HubIn):
    org = selectors.organization_get_for_edit(actor=request.auth, organization_id=org_id)
    hub = None
    if payload.hub_id is not None:
        hub = Organization.objects.filter(pk=payload.hub_id).first()
        if hub is None:
            raise field_error("hub_id", _("找不到该枢纽组织。"))
    services.organization_set_hub(organization=org, hub=hub, actor=request.auth)
    return org_out(selectors.organization_get(organization_id=org_id))


class EligibilityOut(Schema):
    eligible: bool
    reasons: list[str]
    notes: list[str]
    grade: str


@router.get(
    "/{org_id}/eligibility", response={200: EligibilityOut, **ERRORS}, summary="承接主体资格审查"
)
def check_eligibility(
    request,
    org_id: int,
    grade_policy: str | None = None,
    fields: str = "",
    on: dt.date | None = None,
    require_experience: bool = False,
):
    from caidan.accounts.permissions import require

    require(request.auth, Perm.ORGS_CHECK_ELIGIBILITY)
    if grade_policy not in (None, "none", "preferred", "required"):
        raise field_error("grade_policy", _("等级要求只能是 none / preferred / required。"))
    org = selectors.organization_get(organization_id=org_id)
    result = eligibility(
        org,
        Requirements(
            grade_policy=grade_policy,
            fields=tuple(f for f in fields.split(",") if f),
            require_experience=require_experience,
        ),
        on=on,
    )
    return {
        "eligible": result.eligible,
        "reasons": result.reasons,
        "notes": result.notes,
        "grade": result.grade,
    }
