"""The expert pool (platform admin): list, add, edit, retire experts and record their ties
to organizations (the draw excludes tied experts)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from caidan.accounts.permissions import require
from caidan.common.errors import field_error
from caidan.common.pagination import keyset_paginate
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, PageOut, page_response, renamed_fields

from .. import selectors_experts, services
from ..inputs import ExpertInput
from .routing import organization_ref, router
from .schemas import OrgRef


class TieOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    started_on: dt.date | None
    ended_on: dt.date | None
    note: str

    @staticmethod
    def resolve_kind_label(t) -> str:
        return t.get_kind_display()


class ExpertOut(Schema):
    id: int
    name: str
    specialties: list[str]
    title: str
    employer_unit_id: int | None
    employer_name: str
    user_id: int | None
    is_active: bool
    ties: list[TieOut]

    @staticmethod
    def resolve_specialties(e) -> list[str]:
        return list(e.specialties or [])


@router.get("/experts", response={200: PageOut[ExpertOut], **ERRORS}, summary="评审专家库")
def list_experts(
    request,
    q: str = "",
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 20,
):
    require(request.auth, Perm.PROCUREMENT_MANAGE_EXPERTS)
    qs = selectors_experts.expert_pool(search=q, active=active, with_ties=True)
    return page_response(keyset_paginate(qs, ordering=("id",), cursor=cursor, limit=limit))


class ExpertIn(Schema):
    name: str
    specialties: list[str]
    title: str = ""
    employer_unit_id: int | None = None
    employer_name: str = ""
    user_id: int | None = None


def _unit(pk: int | None):
    unit = selectors_experts.unit_by_id(pk)
    if pk is not None and unit is None:
        raise field_error("employer_unit_id", _("找不到该单位。"))
    return unit


def _user(pk: int | None):
    user = selectors_experts.user_by_id(pk)
    if pk is not None and user is None:
        raise field_error("user_id", _("找不到该用户。"))
    return user


@router.post("/experts", response={201: ExpertOut, **ERRORS}, summary="专家入库")
def create_expert(request, payload: ExpertIn):
    unit = _unit(payload.employer_unit_id)
    user = _user(payload.user_id)
    with renamed_fields(employer_unit="employer_unit_id", user="user_id"):
        expert = services.expert_create(
            actor=request.auth,
            data=ExpertInput.parse(
                name=payload.name,
                specialties=payload.specialties,
                title=payload.title,
                employer_unit=unit,
                employer_name=payload.employer_name,
                user=user,
            ),
        )
    return Status(201, expert)


class ExpertPatchIn(Schema):
    """Any subset of an expert's record; omitted fields keep their value. ``employer_unit_id``
    and ``user_id`` may be cleared with null."""

    name: str | None = None
    specialties: list[str] | None = None
    title: str | None = None
    employer_unit_id: int | None = None
    employer_name: str | None = None
    user_id: int | None = None
    is_active: bool | None = None


_EXPERT_NULLABLE = frozenset({"employer_unit_id", "user_id"})


@router.patch("/experts/{expert_id}", response={200: ExpertOut, **ERRORS}, summary="修改专家信息")
def update_expert(request, expert_id: int, payload: ExpertPatchIn):
    require(request.auth, Perm.PROCUREMENT_MANAGE_EXPERTS)
    expert = selectors_experts.expert_get(expert_id)
    data = payload.dict(exclude_unset=True)
    for key, value in data.items():
        if value is None and key not in _EXPERT_NULLABLE:
            raise field_error(key, _("该字段不能为空（不修改请省略该字段）。"))
    if "employer_unit_id" in data:
        data["employer_unit"] = _unit(data.pop("employer_unit_id"))
    if "user_id" in data:
        data["user"] = _user(data.pop("user_id"))
    with renamed_fields(employer_unit="employer_unit_id", user="user_id"):
        services.expert_update(expert=expert, changes=data, actor=request.auth)
    return selectors_experts.expert_get(expert.pk)


@router.post(
    "/experts/{expert_id}/deactivate",
    response={200: ExpertOut, **ERRORS},
    summary="专家出库（不再被抽取；已参加的评审不受影响）",
)
def deactivate_expert(request, expert_id: int):
    require(request.auth, Perm.PROCUREMENT_MANAGE_EXPERTS)
    expert = selectors_experts.expert_get(expert_id)
    services.expert_deactivate(expert=expert, actor=request.auth)
    return selectors_experts.expert_get(expert.pk)


class TieIn(Schema):
    organization_id: int
    kind: str
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    note: str = ""


@router.post(
    "/experts/{expert_id}/ties", response={201: TieOut, **ERRORS}, summary="记录专家关联关系"
)
def add_tie(request, expert_id: int, payload: TieIn):
    require(request.auth, Perm.PROCUREMENT_MANAGE_EXPERTS)
    expert = selectors_experts.expert_get(expert_id)
    org = organization_ref(payload.organization_id, "organization_id")
    with renamed_fields(organization="organization_id"):
        tie = services.expert_tie_add(
            expert=expert,
            organization=org,
            kind=payload.kind,
            started_on=payload.started_on,
            ended_on=payload.ended_on,
            note=payload.note,
            actor=request.auth,
        )
    return Status(201, tie)
