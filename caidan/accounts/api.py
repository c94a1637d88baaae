"""API: who am I, my roles, my tokens, government units."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from caidan.common.masking import mask_phone
from caidan.common.schemas import ERRORS, PageOut, page_response

from . import selectors, services
from .middleware import SESSION_KEY

router = Router(tags=["accounts 账户"])


class MembershipOut(Schema):
    id: int
    role: str
    role_label: str
    unit_id: int | None = None
    unit_name: str | None = None
    organization_id: int | None = None
    organization_name: str | None = None


def membership_out(m) -> dict:
    return {
        "id": m.pk,
        "role": m.role,
        "role_label": m.get_role_display(),
        "unit_id": m.unit_id,
        "unit_name": m.unit.name if m.unit else None,
        "organization_id": m.organization_id,
        "organization_name": m.organization.name if m.organization else None,
    }


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    active_membership: MembershipOut | None
    memberships: list[MembershipOut]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户与角色")
def me(request):
    actor = request.auth
    return {
        "id": actor.user.pk,
        "username": actor.user.username,
        "display_name": actor.user.get_full_name(),
        "active_membership": membership_out(actor.membership) if actor.membership else None,
        "memberships": [membership_out(m) for m in selectors.memberships_of(actor.user)],
    }


class TodoEntryOut(Schema):
    label: str
    url: str
    due: dt.date | None
    at: dt.datetime | None
    overdue: bool


class TodoItemOut(Schema):
    kind: str
    title: str
    count: int
    due: dt.date | None
    overdue: bool
    overdue_count: int
    url: str
    entries: list[TodoEntryOut]


@router.get("/me/todo", response={200: list[TodoItemOut], **ERRORS}, summary="我的待办事项")
def my_todo(request):
    """What is waiting for the active role, most urgent first (the 工作台's list): each kind
    with its count, its earliest due date, the overdue flag and the records."""
    from .workbench import is_overdue, todo_for

    actor = request.auth
    if actor.membership is None:
        return []
    return [
        {
            "kind": i.kind,
            "title": i.title,
            "count": i.count,
            "due": i.due,
            "overdue": i.overdue,
            "overdue_count": i.overdue_count,
            "url": i.url,
            "entries": [
                {
                    "label": e.label,
                    "url": e.url,
                    "due": e.due,
                    "at": e.at,
                    "overdue": is_overdue(e.due, i.today),
                }
                for e in i.entries
            ],
        }
        for i in todo_for(actor)
    ]


class SwitchIn(Schema):
    membership_id: int


@router.post("/me/active-role", response={200: MembershipOut, **ERRORS}, summary="切换当前角色")
def switch_role(request, payload: SwitchIn):
    membership = services.active_membership_switch(
        actor=request.auth, membership_id=payload.membership_id
    )
    if request.auth.via == "session":
        request.session[SESSION_KEY] = membership.pk
    return membership_out(membership)


class PasswordIn(Schema):
    old_password: str
    new_password: str


@router.post("/me/password", response={204: None, **ERRORS}, summary="修改密码")
def change_password(request, payload: PasswordIn):
    user = services.user_change_password(
        user=request.auth.user,
        old_password=payload.old_password,
        new_password=payload.new_password,
        actor=request.auth,
    )
    if request.auth.via == "session":
        update_session_auth_hash(request, user)
    return Status(204, None)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked: bool


def token_out(t) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked": t.revoked_at is not None,
    }


class TokenIn(Schema):
    name: str


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="我的 API 令牌")
def list_tokens(request):
    return [token_out(t) for t in selectors.api_tokens_of(actor=request.auth)]


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="创建 API 令牌")
def create_token(request, payload: TokenIn):
    token, raw = services.api_token_create(actor=request.auth, name=payload.name)
    return Status(201, {**token_out(token), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="撤销 API 令牌")
def revoke_token(request, token_id: int):
    services.api_token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    code: str
    parent_id: int | None


@router.get("/units", response={200: PageOut[UnitOut], **ERRORS}, auth=None, summary="政府单位")
def list_units(request, cursor: str | None = None, limit: int = 50):
    from caidan.common.pagination import keyset_paginate

    page = keyset_paginate(selectors.unit_list(), ordering=("id",), cursor=cursor, limit=limit)
    return page_response(
        page,
        lambda u: {
            "id": u.pk,
            "name": u.name,
            "kind": u.kind,
            "kind_label": u.get_kind_display(),
            "code": u.code,
            "parent_id": u.parent_id,
        },
    )


class MemberOut(Schema):
    membership_id: int
    username: str
    display_name: str
    role: str
    role_label: str
    phone: str


@router.get(
    "/units/{unit_id}/members",
    response={200: PageOut[MemberOut], **ERRORS},
    summary="单位人员（按管辖范围）",
)
def unit_members(request, unit_id: int, cursor: str | None = None, limit: int = 20):
    page = selectors.unit_members(actor=request.auth, unit_id=unit_id, cursor=cursor, limit=limit)
    return page_response(
        page,
        lambda m: {
            "membership_id": m.pk,
            "username": m.user.username,
            "display_name": m.user.get_full_name(),
            "role": m.role,
            "role_label": m.get_role_display(),
            "phone": mask_phone(m.user.phone),
        },
    )


# --- administration of people and roles (platform admin) -------------------------------


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    is_active: bool
    memberships: list[MembershipOut]


def user_out(u) -> dict:
    return {
        "id": u.pk,
        "username": u.username,
        "display_name": u.get_full_name(),
        "email": u.email,
        "phone": mask_phone(u.phone),
        "is_active": u.is_active,
        "memberships": [membership_out(m) for m in u.memberships.all() if m.is_active],
    }


@router.get("/users", response={200: PageOut[UserOut], **ERRORS}, summary="用户列表（平台管理员）")
def list_users(request, q: str = "", cursor: str | None = None, limit: int = 20):
    page = selectors.user_list(actor=request.auth, search=q, cursor=cursor, limit=limit)
    return page_response(page, user_out)


class UserIn(Schema):
    username: str
    password: str
    display_name: str = ""
    email: str = ""
    phone: str = ""


@router.post("/users", response={201: UserOut, **ERRORS}, summary="创建用户")
def create_user(request, payload: UserIn):
    user = services.user_create(**payload.dict(), actor=request.auth)
    return Status(201, user_out(selectors.user_get_for(actor=request.auth, user_id=user.pk)))


class ActiveIn(Schema):
    is_active: bool


@router.post("/users/{user_id}/active", response={200: UserOut, **ERRORS}, summary="启用/停用用户")
def set_user_active(request, user_id: int, payload: ActiveIn):
    user = selectors.user_get_for(actor=request.auth, user_id=user_id)
    services.user_set_active(user=user, is_active=payload.is_active, actor=request.auth)
    return user_out(selectors.user_get_for(actor=request.auth, user_id=user_id))


class GrantIn(Schema):
    role: str
    unit_id: int | None = None
    organization_id: int | None = None


@router.post(
    "/users/{user_id}/memberships", response={201: MembershipOut, **ERRORS}, summary="授予角色"
)
def grant_role(request, user_id: int, payload: GrantIn):
    from caidan.common.errors import field_error

    from .models import Unit

    user = selectors.user_get_for(actor=request.auth, user_id=user_id)
    unit = org = None
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise field_error("unit_id", _("找不到该单位。"))
    if payload.organization_id is not None:
        org = selectors.membership_organizations().filter(pk=payload.organization_id).first()
        if org is None:
            raise field_error("organization_id", _("找不到该组织。"))
    membership = services.membership_grant(
        user=user, role=payload.role, unit=unit, organization=org, actor=request.auth
    )
    return Status(201, membership_out(membership))


@router.delete("/memberships/{membership_id}", response={204: None, **ERRORS}, summary="撤销角色")
def revoke_role(request, membership_id: int):
    membership = selectors.membership_get_for(actor=request.auth, membership_id=membership_id)
    services.membership_revoke(membership=membership, actor=request.auth)
    return Status(204, None)


class UnitIn(Schema):
    name: str
    kind: str
    code: str
    parent_id: int | None = None
    population: int | None = None


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="创建单位")
def create_unit(request, payload: UnitIn):
    from caidan.common.errors import field_error

    from .models import Unit

    parent = None
    if payload.parent_id is not None:
        parent = Unit.objects.filter(pk=payload.parent_id).first()
        if parent is None:
            raise field_error("parent_id", _("找不到上级单位。"))
    unit = services.unit_create(
        name=payload.name,
        kind=payload.kind,
        code=payload.code,
        parent=parent,
        population=payload.population,
        actor=request.auth,
    )
    return Status(
        201,
        {
            "id": unit.pk,
            "name": unit.name,
            "kind": unit.kind,
            "kind_label": unit.get_kind_display(),
            "code": unit.code,
            "parent_id": unit.parent_id,
        },
    )
