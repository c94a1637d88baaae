"""Pages for residents (verify, state needs, order from menus, follow up), the public
(needs, menus, results) and purchasers (moderation, drawing up menus). Thin: forms →
services; errors shown on the form they belong to, or as a message."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.middleware import SESSION_KEY
from caidan.accounts.models import Membership, Role
from caidan.common.errors import NotAuthenticated, ValidationError
from caidan.common.perms import Perm
from caidan.common.xlsx import XLSX_MIME
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from . import forms, selectors, services
from .followups import followups_for
from .inputs import (
    IdentityCodeInput,
    IdentityInput,
    MenuCloseInput,
    MenuInput,
    MenuItemInput,
    NeedInput,
    NeedModerationInput,
    NeedReportInput,
)
from .models import NeedStatus, TargetGroup
from .sms import sms_shows_code_on_page


def verify_first(view):
    """Anonymous residents are sent to identity verification (not the staff login),
    and come back where they were."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response, refusal = attempt_refusal(lambda: view(request, *args, **kwargs), pages=())
        if refusal is None:
            return response
        if not isinstance(refusal, NotAuthenticated):
            raise refusal  # for domain_errors
        back = request.path if request.method == "GET" else request.POST.get("next", "")
        back = back or request.META.get("HTTP_REFERER", "")
        query = f"?{urlencode({'next': back})}" if _safe(request, back) else ""
        return redirect(reverse("needs:verify") + query)

    return wrapper


def _safe(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})


def _back(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if _safe(request, url) else default


def _unit_filter(request) -> int | None:
    """The ``unit`` filter of a public list; one that is not a number is refused like any
    other bad filter."""
    unit_id = request.GET.get("unit") or None
    try:
        return int(unit_id) if unit_id else None
    except ValueError:
        raise ValidationError(_("查询条件无效。")) from None


def _query_without_cursor(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names or ("cursor",):
        query.pop(name, None)
    return query.urlencode()


# --- public ------------------------------------------------------------------------------


@domain_errors
def index(request):
    """问需于民: the needs residents have stated, and the menus open for ordering."""
    group = request.GET.get("target_group", "")

    def run():
        unit_id = _unit_filter(request)
        page = selectors.need_list_public(
            unit_id=unit_id,
            target_group=group,
            q=request.GET.get("q", ""),
            cursor=request.GET.get("cursor") or None,
        )
        return unit_id, page, selectors.menu_list_public(unit_id=unit_id, status="open", limit=10)

    found, error = attempt(run)
    if error is None:
        unit_id, page, menus = found
    else:
        messages.error(request, error)
        unit_id, group = None, ""
        page = selectors.need_list_public()
        menus = selectors.menu_list_public(status="open", limit=10)
    return render(
        request,
        "needs/index.html",
        {
            "page": page,
            "menus": menus.items,
            "units": selectors.need_units(),
            "groups": TargetGroup.choices,
            "unit_id": unit_id,
            "group": group,
            "q": request.GET.get("q", "") if error is None else "",
            "query": _query_without_cursor(request),
        },
    )


def verify(request):
    """Residents verify with a one-time code and are logged in as themselves."""
    next_url = _back(request, "")
    step = request.POST.get("step", "start") if request.method == "POST" else "start"
    posted = request.method == "POST"
    start_form = forms.VerifyStartForm(request.POST if posted and step == "start" else None)
    confirm_form = None
    challenge = None
    status = 200
    if request.method == "POST" and step == "start" and start_form.is_valid():
        challenge, refusal = attempt_refusal(
            lambda: services.identity_verification_start(
                ip=request.actor.ip, data=IdentityInput.parse(start_form.cleaned_data)
            ),
            form=start_form,
            pages=(),
        )
        if refusal is not None:
            status = refusal.status_code
        else:
            confirm_form = forms.VerifyConfirmForm(
                initial={
                    "kind": start_form.cleaned_data["kind"],
                    "value": start_form.cleaned_data["value"],
                }
            )
    elif request.method == "POST" and step == "confirm":
        confirm_form = forms.VerifyConfirmForm(request.POST)
        if confirm_form.is_valid():
            user, refusal = attempt_refusal(
                lambda: services.identity_verification_confirm(
                    ip=request.actor.ip, data=IdentityCodeInput.parse(confirm_form.cleaned_data)
                ),
                form=confirm_form,
                pages=(),
            )
            if refusal is not None:
                status = refusal.status_code
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                membership = Membership.objects.filter(
                    user=user, role=Role.RESIDENT, is_active=True
                ).first()
                request.session[SESSION_KEY] = membership.pk if membership else None
                request.session.pop(DEMO_CODE_SESSION_KEY, None)
                messages.success(request, _("身份验证成功，您现在可以提出需求和点菜。"))
                return redirect(next_url or "needs:mine")
    return render(
        request,
        "needs/verify.html",
        {
            "start_form": start_form,
            "confirm_form": confirm_form,
            "challenge": challenge,
            "next": next_url,
            "demo_code": _demo_code(request, challenge) if confirm_form else "",
        },
        status=status,
    )


DEMO_CODE_SESSION_KEY = "needs.demo_code"


def _demo_code(request, challenge) -> str:
    """The code just sent, when the SMS backend sends nothing (development, the demo): shown
    on the page marked 演示环境, and kept in the session for a second try after a typo.
    Never with a real gateway: then the challenge carries no code."""
    if not sms_shows_code_on_page():
        request.session.pop(DEMO_CODE_SESSION_KEY, None)
        return ""
    if challenge is not None:
        request.session[DEMO_CODE_SESSION_KEY] = challenge.demo_code
    return request.session.get(DEMO_CODE_SESSION_KEY, "")


# --- residents ---------------------------------------------------------------------------


@domain_errors
@verify_first
def need_new(request):
    services.identity_of(request.actor, Perm.NEEDS_SUBMIT)
    form = forms.NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.need_submit(
                actor=request.actor, data=NeedInput.parse(form.cleaned_data)
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("需求已提交并公开。街道工作人员会据此编制服务菜单。"))
            return redirect("needs:mine")
    return render(request, "needs/need_form.html", {"form": form})


@domain_errors
@verify_first
def mine(request):
    """The resident's needs and orders, and what became of them."""
    identity = services.identity_of(request.actor, Perm.NEEDS_SUBMIT)
    needs = selectors.need_list_mine(
        actor=request.actor, cursor=request.GET.get("needs_cursor") or None
    )
    orders = selectors.menu_orders_mine(
        actor=request.actor, cursor=request.GET.get("orders_cursor") or None
    )
    return render(
        request,
        "needs/mine.html",
        {
            "identity": identity,
            # every number linked to this person, masked, in the order they were verified
            "hints": list(identity.keys.order_by("id").values_list("hint", flat=True))
            or [identity.hint],
            "needs": [(n, followups_for(n)) for n in needs.items],
            "needs_page": needs,
            "orders": [(o, followups_for(o.menu_item)) for o in orders.items],
            "orders_page": orders,
        },
    )


@require_POST
@domain_errors
@verify_first
def need_report(request, need_id: int):
    need = selectors.need_get_for_report(need_id=need_id)
    # Any refusal but "verify first" (verify_first's) is a message, a missing permission too.
    reported, refusal = attempt_refusal(
        lambda: services.need_report(
            actor=request.actor,
            need=need,
            data=NeedReportInput.parse(reason=request.POST.get("reason", "")),
        ),
        pages=(NotAuthenticated,),
    )
    if refusal is not None:
        messages.error(request, refusal.message)
    else:
        if reported.status == NeedStatus.HIDDEN:
            messages.success(
                request, _("感谢举报。该需求已被多人举报，现已隐藏，等待工作人员审核。")
            )
        else:
            messages.success(request, _("感谢举报，工作人员会尽快审核。"))
    return redirect(_back(request, reverse("needs:index")))


@require_POST
@domain_errors
@verify_first
def menu_order(request, item_id: int):
    item = selectors.menu_item_get_for(actor=request.actor, item_id=item_id)
    error = attempt_error(lambda: services.menu_order_place(actor=request.actor, menu_item=item))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(
            request, _("已支持“%(title)s”。每人每项只能支持一次。") % {"title": item.title}
        )
    return redirect("needs:menu_detail", menu_id=item.menu_id)


# --- moderation --------------------------------------------------------------------------


@login_required
@domain_errors
def moderation(request):
    status = request.GET.get("status", "")
    page, error = attempt(
        lambda: selectors.need_list_for_moderation(
            actor=request.actor, status=status, cursor=request.GET.get("cursor") or None
        )
    )
    if error is not None:
        messages.error(request, error)
        status = ""
        page = selectors.need_list_for_moderation(actor=request.actor)
    return render(
        request,
        "needs/moderation.html",
        {
            "page": page,
            "status": status,
            "statuses": NeedStatus.choices,
            "query": _query_without_cursor(request),
        },
    )


def _moderate(request, need_id: int, service, done: str):
    need = selectors.need_get_for_moderation(actor=request.actor, need_id=need_id)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    error = attempt_error(
        lambda: service(
            actor=request.actor, need=need, data=NeedModerationInput.parse(reason=reason)
        )
    )
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_back(request, reverse("needs:moderation")))


@require_POST
@login_required
@domain_errors
def need_hide(request, need_id: int):
    return _moderate(request, need_id, services.need_hide, "已隐藏该需求，处理已记入审计日志。")


@require_POST
@login_required
@domain_errors
def need_restore(request, need_id: int):
    return _moderate(request, need_id, services.need_restore, "已恢复公开该需求。")


# --- menus -------------------------------------------------------------------------------


@domain_errors
def menu_list(request):
    status = request.GET.get("status", "")

    def run():
        unit_id = _unit_filter(request)
        page = selectors.menu_list_public(
            unit_id=unit_id,
            status=status,
            q=request.GET.get("q", ""),
            cursor=request.GET.get("cursor") or None,
        )
        return unit_id, page

    found, error = attempt(run)
    if error is None:
        unit_id, page = found
    else:
        messages.error(request, error)
        unit_id, status = None, ""
        page = selectors.menu_list_public()
    return render(
        request,
        "needs/menu_list.html",
        {
            "page": page,
            "units": selectors.need_units(),
            "unit_id": unit_id,
            "status": status,
            "q": request.GET.get("q", "") if error is None else "",
            "query": _query_without_cursor(request),
            "now": timezone.now(),
            "can_manage": request.actor.has_role(Role.PURCHASER),
        },
    )


@login_required
@domain_errors
def menu_manage(request):
    """A purchaser's menus (drafts included) and a form for a new one."""
    page = selectors.menu_list_for_manage(
        actor=request.actor, cursor=request.GET.get("cursor") or None
    )
    form = forms.MenuForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        menu, error = attempt(
            lambda: services.menu_create(
                actor=request.actor, data=MenuInput.parse(form.cleaned_data)
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("菜单草稿已创建，请添加菜单项后发布。"))
            return redirect("needs:menu_edit", menu_id=menu.pk)
    return render(
        request,
        "needs/menu_manage.html",
        {"page": page, "form": form, "now": timezone.now()},
    )


@domain_errors
def menu_detail(request, menu_id: int):
    menu = selectors.menu_get_for(actor=request.actor, menu_id=menu_id)
    now = timezone.now()
    return render(
        request,
        "needs/menu_detail.html",
        {
            "menu": menu,
            "items": selectors.menu_items(menu=menu),
            "ordered": selectors.ordered_item_ids(actor=request.actor, menu=menu),
            "is_open": menu.ordering_open(now),
            "not_yet": menu.status == "published" and now < menu.ordering_opens_at,
            "can_manage": selectors.can_manage_menu(request.actor, menu),
            "is_resident": request.actor.has_role(Role.RESIDENT),
        },
    )


@login_required
@domain_errors
def menu_edit(request, menu_id: int):
    menu = selectors.menu_get_for_edit(actor=request.actor, menu_id=menu_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    initial = {
        "title": menu.title,
        "community": menu.community,
        "description": menu.description,
        "ordering_opens_at": timezone.localtime(menu.ordering_opens_at),
        "ordering_closes_at": timezone.localtime(menu.ordering_closes_at),
    }
    details_form = forms.MenuForm(request.POST if action == "details" else None, initial=initial)
    now = timezone.now()
    if menu.rules_frozen(now):  # the rules stay as they are; wording may be corrected
        for name in ("community", "ordering_opens_at", "ordering_closes_at"):
            details_form.fields[name].disabled = True
    item_form = forms.MenuItemForm(request.POST if action == "add_item" else None)
    if action == "details" and details_form.is_valid():
        changes = {
            name: value
            for name, value in details_form.cleaned_data.items()
            if not details_form.fields[name].disabled
        }
        error = attempt_error(
            lambda: services.menu_update(actor=request.actor, menu=menu, changes=changes),
            form=details_form,
        )
        if error is None:
            messages.success(request, _("菜单已保存。"))
            return redirect("needs:menu_edit", menu_id=menu.pk)
    if action == "add_item" and item_form.is_valid():
        error = attempt_error(
            lambda: services.menu_item_add(
                actor=request.actor, menu=menu, data=MenuItemInput.parse(item_form.cleaned_data)
            ),
            form=item_form,
        )
        if error is None:
            messages.success(request, _("已添加菜单项。"))
            return redirect("needs:menu_edit", menu_id=menu.pk)
    return render(
        request,
        "needs/menu_edit.html",
        {
            "menu": menu,
            "items": selectors.menu_items(menu=menu),
            "details_form": details_form,
            "item_form": item_form,
            "close_form": forms.ReasonForm(),
            "frozen": menu.rules_frozen(now),
            "is_open": menu.ordering_open(now),
            "closes_early": now < menu.ordering_closes_at,
        },
    )


def _menu_action(request, menu_id: int, run, done: str):
    menu = selectors.menu_get_for_edit(actor=request.actor, menu_id=menu_id)
    error = attempt_error(lambda: run(menu))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("needs:menu_edit", menu_id=menu.pk)


@require_POST
@login_required
@domain_errors
def menu_item_remove(request, menu_id: int, item_id: int):
    def run(menu):
        item = selectors.menu_item_get_for_edit(actor=request.actor, menu=menu, item_id=item_id)
        services.menu_item_remove(actor=request.actor, item=item)

    return _menu_action(request, menu_id, run, "已删除菜单项。")


@require_POST
@login_required
@domain_errors
def menu_publish(request, menu_id: int):
    return _menu_action(
        request,
        menu_id,
        lambda menu: services.menu_publish(actor=request.actor, menu=menu),
        "菜单已发布：点菜开始后，菜单项和点菜时间将不能再修改。",
    )


@require_POST
@login_required
@domain_errors
def menu_close(request, menu_id: int):
    return _menu_action(
        request,
        menu_id,
        lambda menu: services.menu_close(
            actor=request.actor,
            menu=menu,
            data=MenuCloseInput.parse(reason=request.POST.get("reason", "")),
        ),
        "已截止点菜。",
    )


@domain_errors
def menu_results(request, menu_id: int):
    from caidan.accounts.permissions import can

    results = selectors.menu_get_results(actor=request.actor, menu_id=menu_id)
    can_propose = request.actor.is_authenticated and can(
        request.actor, Perm.PROJECTS_DRAFT_FOR_UNIT, results.menu.unit
    )
    return render(
        request,
        "needs/results.html",
        {"results": results, "menu": results.menu, "can_propose": can_propose},
    )


def _download(content: bytes, mime: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f"attachment; filename*=utf-8''{filename}"
    return response


@domain_errors
def menu_results_csv(request, menu_id: int):
    results = selectors.menu_get_results(actor=request.actor, menu_id=menu_id)
    return _download(
        selectors.menu_results_csv(results=results),
        "text/csv; charset=utf-8",
        selectors.export_filename(results.menu, "csv"),
    )


@domain_errors
def menu_results_xlsx(request, menu_id: int):
    results = selectors.menu_get_results(actor=request.actor, menu_id=menu_id)
    return _download(
        selectors.menu_results_xlsx(results=results),
        XLSX_MIME,
        selectors.export_filename(results.menu, "xlsx"),
    )
