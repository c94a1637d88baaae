"""The web UI shell: public home, login, dashboards, and the foundation's admin pages.

Views are thin: parse input, call one service or selector, render. Domain errors become
form errors or messages; permission errors render the 403 page with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from caidan.accounts import selectors as account_selectors
from caidan.accounts import services as account_services
from caidan.accounts.middleware import SESSION_KEY
from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.audit.selectors import audit_event_list
from caidan.common.calendar import start_of_day
from caidan.common.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    form_add_error,
)
from caidan.common.models import CalendarDay
from caidan.jurisdiction import services as jurisdiction_services
from caidan.jurisdiction.selectors import setting_list

from . import forms
from .dashboards import calendar_warnings, late_counts, panels_for

T = TypeVar("T")


def domain_errors(view):
    """Render permission problems as a readable 403 page; send anonymous users to login."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect(f"/login/?next={request.path}")
        except PermissionDenied as exc:
            return render(request, "web/403.html", {"error": exc}, status=403)
        except NotFound as exc:
            return render(request, "404.html", {"error": exc}, status=404)
        except DomainError as exc:  # e.g. a tampered cursor or filter in the query string
            return render(request, "web/error.html", {"error": exc}, status=exc.status_code)

    return wrapper


def attempt(run: Callable[[], T], *, form=None) -> tuple[T | None, str | None]:
    """A view's call of a service: ``(result, None)``, or ``(None, message)`` when the service
    refuses for a reason the user can act on (with ``form``, the message is also attached to
    the field it names). Permission and login refusals are not caught: ``domain_errors`` turns
    them into the 403 page or the login redirect."""
    try:
        return run(), None
    except (PermissionDenied, NotAuthenticated):
        raise
    except DomainError as exc:
        if form is not None:
            form_add_error(form, exc)
        return None, exc.message


def attempt_error(run: Callable[[], object], *, form=None) -> str | None:
    """``attempt`` for a call whose result the view does not need: just the error."""
    return attempt(run, form=form)[1]


def home(request):
    return render(request, "web/home.html")


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = forms.LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.user_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=request.actor.ip,
            )
        except DomainError as exc:
            form_add_error(form, exc)
            status = exc.status_code
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_KEY, None)
            return redirect(next_url or "web:dashboard")
    return render(request, "web/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        account_services.user_logged_out(actor=request.actor)
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("web:home")


@login_required
def dashboard(request):
    actor = request.actor
    panels = panels_for(actor.role)
    late = late_counts(panels, actor)
    rows = [(p, late.get(str(p.title), 0)) for p in panels]
    return render(
        request,
        "web/dashboard.html",
        {
            "panels": panels,
            "rows": rows,
            "membership": actor.membership,
            "calendar_warnings": calendar_warnings() if actor.role == Role.PLATFORM_ADMIN else [],
        },
    )


@require_POST
@login_required
def switch_role(request):
    try:
        membership = account_services.active_membership_switch(
            actor=request.actor, membership_id=int(request.POST.get("membership_id", "0"))
        )
    except (DomainError, ValueError):
        messages.error(request, "无法切换到该角色。")
        return redirect("web:dashboard")
    request.session[SESSION_KEY] = membership.pk
    messages.success(request, f"已切换为：{membership}")
    return redirect("web:dashboard")


@login_required
def password_change(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                actor=request.actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect("web:dashboard")
    return render(request, "web/password_change.html", {"form": form})


@login_required
def tokens(request):
    form = forms.TokenForm()
    created_secret = None
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                account_services.api_token_revoke(
                    actor=request.actor, token_id=int(request.POST["revoke"])
                )
                messages.success(request, "令牌已撤销，使用它的程序将无法再访问。")
            except (DomainError, ValueError):
                messages.error(request, "无法撤销该令牌。")
            return redirect("web:tokens")
        form = forms.TokenForm(request.POST)
        if form.is_valid():
            try:
                _, created_secret = account_services.api_token_create(
                    actor=request.actor, name=form.cleaned_data["name"]
                )
                form = forms.TokenForm()
            except DomainError as exc:
                form_add_error(form, exc)
    return render(
        request,
        "web/tokens.html",
        {
            "form": form,
            "tokens": account_selectors.api_tokens_of(actor=request.actor),
            "created_secret": created_secret,
        },
    )


@login_required
@domain_errors
def audit_events(request):
    require(request.actor, "audit.view")
    form = forms.AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "kind": data["kind"] or None,
            "actor": data["actor"] or None,
            "target_type": data["target_type"] or None,
            "target_id": data["target_id"] or None,
            "since": start_of_day(data["since"]) if data["since"] else None,
            "until": start_of_day(data["until"] + dt.timedelta(days=1)) if data["until"] else None,
        }
    try:
        page = audit_event_list(**filters, cursor=request.GET.get("cursor") or None, limit=50)
    except DomainError as exc:
        messages.error(request, exc.message)
        page = audit_event_list(**filters, limit=50)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "web/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@domain_errors
def jurisdiction_settings(request):
    require(request.actor, "jurisdiction.edit")
    if request.method == "POST":
        key = request.POST.get("key", "")
        raw = request.POST.get("value", "")
        try:
            if raw.strip().startswith("{"):
                import json

                raw = json.loads(raw)
            jurisdiction_services.setting_update(key=key, value=raw, actor=request.actor)
            messages.success(request, "设置已保存，修改已记入审计日志。")
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "取值格式无效。"))
        return redirect("web:settings")
    return render(request, "web/settings.html", {"settings_list": setting_list()})


@login_required
@domain_errors
def calendar(request):
    require(request.actor, "jurisdiction.edit")
    year_text = request.GET.get("year") or ""
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2200 else None
    year = year or timezone.localdate().year
    form = forms.CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if "remove" in request.POST:
            try:
                jurisdiction_services.calendar_day_remove(
                    date=dt.date.fromisoformat(request.POST["remove"]), actor=request.actor
                )
                messages.success(request, "已删除。")
            except (DomainError, ValueError) as exc:
                messages.error(request, getattr(exc, "message", "日期无效。"))
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            try:
                jurisdiction_services.calendar_day_set(
                    date=form.cleaned_data["date"],
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    actor=request.actor,
                )
                messages.success(request, "已保存。")
                return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
            except DomainError as exc:
                form_add_error(form, exc)
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    return render(
        request,
        "web/calendar.html",
        {"form": form, "days": days, "year": year, "years": [year - 1, year, year + 1]},
    )
