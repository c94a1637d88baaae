"""API: residents' verification, needs, menus, orders and results (/api/v1/needs).

Public reads need no login and never carry who stated a need or who ordered. Residents
verify with a one-time code and receive a personal API token for their own writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from caidan.accounts.actor import Actor
from caidan.accounts.middleware import client_ip
from caidan.accounts.permissions import require
from caidan.accounts.services import api_token_create
from caidan.catalog.models import CatalogItem
from caidan.common.errors import field_error
from caidan.common.perms import Perm
from caidan.common.schemas import ERRORS, ErrorOut, PageOut, page_response
from caidan.common.xlsx import XLSX_MIME

from . import selectors, services
from .followups import followups_for
from .inputs import (
    CounterRegistrationInput,
    IdentityCodeInput,
    IdentityInput,
    MenuCloseInput,
    MenuInput,
    MenuItemInput,
    NeedInput,
    NeedModerationInput,
    NeedReportInput,
)
from .models import Menu, MenuItem, MenuOrder, Need

router = Router(tags=["needs 居民需求与菜单"])
ERRORS_429 = {**ERRORS, 429: ErrorOut}


# --- verification ------------------------------------------------------------------------


class VerifyStartIn(Schema):
    kind: str = "phone"
    value: str


class VerifyStartOut(Schema):
    kind: str
    hint: str
    expires_at: dt.datetime
    resend_after_seconds: int


@router.post(
    "/verification/start",
    response={200: VerifyStartOut, **ERRORS_429},
    auth=None,
    summary="发送居民身份验证码",
)
def verification_start(request, payload: VerifyStartIn):
    challenge = services.identity_verification_start(
        ip=client_ip(request), data=IdentityInput.parse(payload.dict())
    )
    return {"kind": challenge.kind, **_code_sent(challenge)}


def _code_sent(challenge) -> dict:
    """What a person is told after a code is sent: where to (masked), until when, and when
    another may be asked for."""
    return {
        "hint": challenge.hint,
        "expires_at": challenge.expires_at,
        "resend_after_seconds": challenge.resend_after_seconds,
    }


class VerifyConfirmIn(Schema):
    kind: str = "phone"
    value: str
    code: str


class VerifyConfirmOut(Schema):
    user_id: int
    hint: str
    token: str


@router.post(
    "/verification/confirm",
    response={200: VerifyConfirmOut, **ERRORS_429},
    auth=None,
    summary="验证居民身份（返回个人 API 令牌）",
)
def verification_confirm(request, payload: VerifyConfirmIn):
    user = services.identity_verification_confirm(
        ip=client_ip(request), data=IdentityCodeInput.parse(payload.dict())
    )
    _token, raw = api_token_create(
        actor=Actor(user=user, ip=client_ip(request), via="token"), name="居民身份验证"
    )
    return {"user_id": user.pk, "hint": user.resident_identity.hint, "token": raw}


# --- needs -------------------------------------------------------------------------------


class FollowupOut(Schema):
    label: str
    url: str
    status: str


class NeedOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    community: str
    target_group: str
    target_group_label: str
    text: str
    created_at: dt.datetime
    assisted: bool = False


def need_out(n: Need) -> dict:
    """The public view of a need: never who stated it."""
    return {
        "id": n.pk,
        "unit_id": n.unit_id,
        "unit_name": n.unit.name,
        "community": n.community,
        "target_group": n.target_group,
        "target_group_label": n.get_target_group_display(),
        "text": n.text,
        "created_at": n.created_at,
        # only the marker: never who helped, nor for whom
        "assisted": n.assisted_by_id is not None,
    }


class MyNeedOut(NeedOut):
    status: str
    status_label: str
    moderation_reason: str
    followups: list[FollowupOut]


class ModeratedNeedOut(NeedOut):
    status: str
    status_label: str
    report_count: int
    moderation_reason: str
    moderated_at: dt.datetime | None
    assisted_by: str = ""


def moderated_out(n: Need) -> dict:
    return {
        **need_out(n),
        "status": n.status,
        "status_label": n.get_status_display(),
        "report_count": n.report_count,
        "moderation_reason": n.moderation_reason,
        "moderated_at": n.moderated_at,
        "assisted_by": _helper_name(n),
    }


def _helper_name(n) -> str:
    """Who stated or placed it on the resident's behalf — for the unit and moderators."""
    user = n.assisted_by if n.assisted_by_id else None
    return (user.display_name or user.username) if user is not None else ""


class NeedIn(Schema):
    unit_id: int
    community: str
    target_group: str
    text: str


@router.get("", response={200: PageOut[NeedOut], **ERRORS}, auth=None, summary="公开的居民需求")
def list_needs(
    request,
    unit_id: int | None = None,
    target_group: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.need_list_public(
        unit_id=unit_id, target_group=target_group, q=q, cursor=cursor, limit=limit
    )
    return page_response(page, need_out)


def _need_input(payload: NeedIn, *also_exclude: str) -> NeedInput:
    """The need as the service takes it: the street or town by its id (refused by name when
    it is not one), the other fields as typed; ``also_exclude`` fields are not the need's."""
    unit = selectors.unit_get(unit_id=payload.unit_id)
    if unit is None:
        raise field_error("unit_id", _("请选择需求所在的街道或镇。"))
    return NeedInput.parse(payload.dict(exclude={"unit_id", *also_exclude}), unit=unit)


@router.post("", response={201: MyNeedOut, **ERRORS_429}, summary="提出需求（居民）")
def create_need(request, payload: NeedIn):
    need = services.need_submit(actor=request.auth, data=_need_input(payload))
    return Status(201, {**moderated_out(need), "followups": []})


@router.get("/mine", response={200: PageOut[MyNeedOut], **ERRORS}, summary="我提出的需求")
def my_needs(request, cursor: str | None = None, limit: int = 20):
    page = selectors.need_list_mine(actor=request.auth, cursor=cursor, limit=limit)
    return page_response(
        page,
        lambda n: {
            **moderated_out(n),
            "followups": [f.as_dict() for f in followups_for(n)],
        },
    )


@router.get(
    "/moderation",
    response={200: PageOut[ModeratedNeedOut], **ERRORS},
    summary="待审核的需求（本单位辖区）",
)
def moderation_list(request, status: str = "", cursor: str | None = None, limit: int = 20):
    page = selectors.need_list_for_moderation(
        actor=request.auth, status=status, cursor=cursor, limit=limit
    )
    return page_response(page, moderated_out)


class ReportIn(Schema):
    reason: str = ""


class ReportOut(Schema):
    need_id: int
    hidden: bool


@router.post("/{need_id}/report", response={200: ReportOut, **ERRORS}, summary="举报不当需求")
def report_need(request, need_id: int, payload: ReportIn):
    need = selectors.need_get_for_report(need_id=need_id)
    need = services.need_report(
        actor=request.auth, need=need, data=NeedReportInput.parse(payload.dict())
    )
    return {"need_id": need.pk, "hidden": need.status == Need.Status.HIDDEN}


class ReasonIn(Schema):
    reason: str


@router.post("/{need_id}/hide", response={200: ModeratedNeedOut, **ERRORS}, summary="隐藏需求")
def hide_need(request, need_id: int, payload: ReasonIn):
    need = selectors.need_get_for_moderation(actor=request.auth, need_id=need_id)
    return moderated_out(
        services.need_hide(
            actor=request.auth, need=need, data=NeedModerationInput.parse(payload.dict())
        )
    )


@router.post(
    "/{need_id}/restore", response={200: ModeratedNeedOut, **ERRORS}, summary="恢复公开需求"
)
def restore_need(request, need_id: int, payload: ReasonIn):
    need = selectors.need_get_for_moderation(actor=request.auth, need_id=need_id)
    return moderated_out(
        services.need_restore(
            actor=request.auth, need=need, data=NeedModerationInput.parse(payload.dict())
        )
    )


# --- menus -------------------------------------------------------------------------------


class MenuOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    community: str
    title: str
    description: str
    ordering_opens_at: dt.datetime
    ordering_closes_at: dt.datetime
    status: str
    status_label: str
    ordering_open: bool
    rules_frozen: bool
    item_count: int
    url: str


def menu_out(m: Menu) -> dict:
    from django.utils import timezone

    now = timezone.now()
    return {
        "id": m.pk,
        "unit_id": m.unit_id,
        "unit_name": m.unit.name,
        "community": m.community,
        "title": m.title,
        "description": m.description,
        "ordering_opens_at": m.ordering_opens_at,
        "ordering_closes_at": m.ordering_closes_at,
        "status": m.status,
        "status_label": m.get_status_display(),
        "ordering_open": m.ordering_open(now),
        "rules_frozen": m.rules_frozen(now),
        "item_count": m.item_count if hasattr(m, "item_count") else m.items.count(),
        "url": f"/needs/menus/{m.pk}/",
    }


class MenuItemOut(Schema):
    id: int
    menu_id: int
    title: str
    description: str
    catalog_item_id: int
    catalog_code: str
    catalog_name: str
    estimated_budget: Decimal | None
    sort_order: int


def item_out(i: MenuItem) -> dict:
    return {
        "id": i.pk,
        "menu_id": i.menu_id,
        "title": i.title,
        "description": i.description,
        "catalog_item_id": i.catalog_item_id,
        "catalog_code": i.catalog_item.code,
        "catalog_name": i.catalog_item.name,
        "estimated_budget": i.estimated_budget,
        "sort_order": i.sort_order,
    }


class MenuDetailOut(MenuOut):
    items: list[MenuItemOut]


def detail_out(m: Menu) -> dict:
    items = selectors.menu_items(menu=m)
    return {**menu_out(m), "item_count": len(items), "items": [item_out(i) for i in items]}


@router.get("/menus", response={200: PageOut[MenuOut], **ERRORS}, auth=None, summary="已发布的菜单")
def list_menus(
    request,
    unit_id: int | None = None,
    status: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.menu_list_public(
        unit_id=unit_id, status=status, q=q, cursor=cursor, limit=limit
    )
    return page_response(page, menu_out)


@router.get(
    "/menus/manage", response={200: PageOut[MenuOut], **ERRORS}, summary="本单位的菜单（含草稿）"
)
def list_my_menus(request, cursor: str | None = None, limit: int = 20):
    page = selectors.menu_list_for_manage(actor=request.auth, cursor=cursor, limit=limit)
    return page_response(page, menu_out)


class MenuIn(Schema):
    community: str
    title: str
    description: str = ""
    ordering_opens_at: dt.datetime
    ordering_closes_at: dt.datetime
    unit_id: int | None = None


@router.post("/menus", response={201: MenuDetailOut, **ERRORS}, summary="创建菜单（草稿）")
def create_menu(request, payload: MenuIn):
    unit = selectors.unit_get(unit_id=payload.unit_id)
    menu = services.menu_create(
        actor=request.auth, unit=unit, data=MenuInput.parse(payload.dict(exclude={"unit_id"}))
    )
    return Status(201, detail_out(selectors.menu_get_for_edit(actor=request.auth, menu_id=menu.pk)))


@router.get(
    "/menus/{menu_id}", response={200: MenuDetailOut, **ERRORS}, auth=None, summary="菜单详情"
)
def get_menu(request, menu_id: int):
    from caidan.accounts.api_auth import optional_actor

    return detail_out(selectors.menu_get_for(actor=optional_actor(request), menu_id=menu_id))


class MenuPatch(Schema):
    community: str | None = None
    title: str | None = None
    description: str | None = None
    ordering_opens_at: dt.datetime | None = None
    ordering_closes_at: dt.datetime | None = None


@router.patch("/menus/{menu_id}", response={200: MenuDetailOut, **ERRORS}, summary="修改菜单")
def update_menu(request, menu_id: int, payload: MenuPatch):
    menu = selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.menu_update(actor=request.auth, menu=menu, changes=changes)
    return detail_out(selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id))


@router.post("/menus/{menu_id}/publish", response={200: MenuOut, **ERRORS}, summary="发布菜单")
def publish_menu(request, menu_id: int):
    menu = selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id)
    services.menu_publish(actor=request.auth, menu=menu)
    return menu_out(selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id))


class CloseIn(Schema):
    reason: str = ""


@router.post("/menus/{menu_id}/close", response={200: MenuOut, **ERRORS}, summary="截止点菜")
def close_menu(request, menu_id: int, payload: CloseIn):
    menu = selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id)
    services.menu_close(actor=request.auth, menu=menu, data=MenuCloseInput.parse(payload.dict()))
    return menu_out(selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id))


class ItemIn(Schema):
    catalog_item_id: int
    title: str = ""
    description: str = ""
    estimated_budget: str | int | None = None
    sort_order: int | None = None


@router.post("/menus/{menu_id}/items", response={201: MenuItemOut, **ERRORS}, summary="添加菜单项")
def add_item(request, menu_id: int, payload: ItemIn):
    menu = selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id)
    catalog_item = CatalogItem.objects.filter(pk=payload.catalog_item_id).first()
    if catalog_item is None:
        raise field_error("catalog_item_id", _("找不到该目录条目。"))
    item = services.menu_item_add(
        actor=request.auth,
        menu=menu,
        data=MenuItemInput.parse(
            payload.dict(exclude={"catalog_item_id"}), catalog_item=catalog_item
        ),
    )
    item = MenuItem.objects.select_related("catalog_item").get(pk=item.pk)
    return Status(201, item_out(item))


@router.delete(
    "/menus/{menu_id}/items/{item_id}", response={204: None, **ERRORS}, summary="删除菜单项"
)
def remove_item(request, menu_id: int, item_id: int):
    menu = selectors.menu_get_for_edit(actor=request.auth, menu_id=menu_id)
    item = selectors.menu_item_get_for_edit(actor=request.auth, menu=menu, item_id=item_id)
    services.menu_item_remove(actor=request.auth, item=item)
    return Status(204, None)


class ResultRowOut(Schema):
    rank: int
    item: MenuItemOut
    support: int
    share: Decimal


class ResultsOut(Schema):
    menu: MenuOut
    total: int
    at: dt.datetime
    rows: list[ResultRowOut]


@router.get(
    "/menus/{menu_id}/results",
    response={200: ResultsOut, **ERRORS},
    auth=None,
    summary="点菜结果（按支持人数排名）",
)
def menu_results(request, menu_id: int):
    from caidan.accounts.api_auth import optional_actor

    results = selectors.menu_get_results(actor=optional_actor(request), menu_id=menu_id)
    return {
        "menu": menu_out(results.menu),
        "total": results.total,
        "at": results.at,
        "rows": [
            {"rank": r.rank, "item": item_out(r.item), "support": r.support, "share": r.share}
            for r in results.rows
        ],
    }


def _export(request, menu_id: int, ext: str) -> HttpResponse:
    from caidan.accounts.api_auth import optional_actor

    results = selectors.menu_get_results(actor=optional_actor(request), menu_id=menu_id)
    if ext == "csv":
        content, mime = selectors.menu_results_csv(results=results), "text/csv; charset=utf-8"
    else:
        content, mime = selectors.menu_results_xlsx(results=results), XLSX_MIME
    response = HttpResponse(content, content_type=mime)
    filename = selectors.export_filename(results.menu, ext)
    response["Content-Disposition"] = f"attachment; filename*=utf-8''{filename}"
    return response


@router.get("/menus/{menu_id}/results.csv", auth=None, summary="导出点菜结果（CSV）")
def export_csv(request, menu_id: int):
    return _export(request, menu_id, "csv")


@router.get("/menus/{menu_id}/results.xlsx", auth=None, summary="导出点菜结果（Excel）")
def export_xlsx(request, menu_id: int):
    return _export(request, menu_id, "xlsx")


# --- orders ------------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    menu_id: int
    menu_title: str
    menu_item_id: int
    menu_item_title: str
    created_at: dt.datetime
    followups: list[FollowupOut]


def order_out(o: MenuOrder) -> dict:
    return {
        "id": o.pk,
        "menu_id": o.menu_item.menu_id,
        "menu_title": o.menu_item.menu.title,
        "menu_item_id": o.menu_item_id,
        "menu_item_title": o.menu_item.title,
        "created_at": o.created_at,
        "followups": [f.as_dict() for f in followups_for(o.menu_item)],
    }


@router.post(
    "/items/{item_id}/order", response={201: OrderOut, **ERRORS}, summary="点菜（支持菜单项）"
)
def place_order(request, item_id: int):
    item = selectors.menu_item_get_for(actor=request.auth, item_id=item_id)
    order = services.menu_order_place(actor=request.auth, menu_item=item)
    order = MenuOrder.objects.select_related("menu_item", "menu_item__menu").get(pk=order.pk)
    return Status(201, order_out(order))


@router.get("/orders/mine", response={200: PageOut[OrderOut], **ERRORS}, summary="我点的菜")
def my_orders(request, cursor: str | None = None, limit: int = 20):
    page = selectors.menu_orders_mine(actor=request.auth, cursor=cursor, limit=limit)
    return page_response(page, order_out)


# --- assisted participation (issue 21): the community worker's counter -------------------


class CounterPhoneIn(Schema):
    phone: str


class CounterPhoneOut(Schema):
    hint: str
    expires_at: dt.datetime
    resend_after_seconds: int


@router.post(
    "/counter/phone-code",
    response={200: CounterPhoneOut, **ERRORS_429},
    summary="窗口登记：向居民手机发送验证码（社区工作者）",
)
def counter_phone_code(request, payload: CounterPhoneIn):
    require(request.auth, Perm.NEEDS_ASSIST)  # before reading the body: 403, not 400
    challenge = services.counter_phone_code_send(
        phone=payload.phone, actor=request.auth, ip=client_ip(request)
    )
    return _code_sent(challenge)


class CounterRegisterIn(Schema):
    id_number: str
    phone: str = ""
    phone_code: str = ""


class CounterResidentOut(Schema):
    ref: str
    created: bool
    id_number_hint: str
    phone_hint: str


def counter_out(resident) -> dict:
    return {
        "ref": resident.ref,
        "created": resident.created,
        "id_number_hint": resident.hints.get("id_number", ""),
        "phone_hint": resident.hints.get("phone", ""),
    }


@router.post(
    "/counter/residents",
    response={200: CounterResidentOut, **ERRORS_429},
    summary="窗口登记居民（社区工作者核验身份证后）",
)
def counter_register(request, payload: CounterRegisterIn):
    require(request.auth, Perm.NEEDS_ASSIST)  # before reading the body: 403, not 400
    resident = services.resident_register_at_counter(
        data=CounterRegistrationInput.parse(payload.dict(exclude={"phone_code"})),
        phone_code=payload.phone_code,
        actor=request.auth,
        ip=client_ip(request),
    )
    return counter_out(resident)


class CounterOrderIn(Schema):
    ref: str
    item_id: int


class AssistedOrderOut(Schema):
    id: int
    menu_id: int
    menu_item_id: int
    menu_item_title: str
    assisted: bool
    created_at: dt.datetime


@router.post(
    "/counter/orders",
    response={201: AssistedOrderOut, **ERRORS},
    summary="代居民点菜（社区工作者）",
)
def counter_order(request, payload: CounterOrderIn):
    require(request.auth, Perm.NEEDS_ASSIST)  # before reading the body: 403, not 400
    item = selectors.menu_item_get_for(actor=request.auth, item_id=payload.item_id)
    order = services.menu_order_place_assisted(ref=payload.ref, menu_item=item, actor=request.auth)
    return Status(
        201,
        {
            "id": order.pk,
            "menu_id": item.menu_id,
            "menu_item_id": item.pk,
            "menu_item_title": item.title,
            "assisted": True,
            "created_at": order.created_at,
        },
    )


class CounterNeedIn(NeedIn):
    ref: str


@router.post(
    "/counter/needs",
    response={201: ModeratedNeedOut, **ERRORS_429},
    summary="代居民提出需求（社区工作者）",
)
def counter_need(request, payload: CounterNeedIn):
    require(request.auth, Perm.NEEDS_ASSIST)  # before reading the body: 403, not 400
    need = services.need_submit_assisted(
        ref=payload.ref, actor=request.auth, data=_need_input(payload, "ref")
    )
    need = Need.objects.select_related("unit", "assisted_by").get(pk=need.pk)
    return Status(201, moderated_out(need))


class LinkOut(Schema):
    id_number_hint: str
    phone_hint: str


@router.post(
    "/identity/link",
    response={200: LinkOut, **ERRORS_429},
    summary="居民关联另一号码（手机号或身份证号，凭发送到该号码的验证码）",
)
def identity_link(request, payload: VerifyConfirmIn):
    identity = services.identity_link_confirm(
        data=IdentityCodeInput.parse(payload.dict()), actor=request.auth, ip=client_ip(request)
    )
    hints = dict(identity.keys.values_list("kind", "hint"))
    return {"id_number_hint": hints.get("id_number", ""), "phone_hint": hints.get("phone", "")}
