"""The signed-in shell (login, logout, dashboard, role switch, password, API tokens; URL names
``web:…``) and the platform admin pages: people, their roles, government units.
Thin: forms → services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caidan.common.errors import ValidationError
from caidan.common.permissions import require
from caidan.common.perms import Perm
from caidan.common.roles import Role
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from . import forms, selectors, services
from .dashboards import calendar_warnings, late_counts, panels_for
from .middleware import SESSION_KEY
from .models import Unit
from .workbench import todo_for

# --- The shell: signing in and out, the dashboard, the person's own settings ---------------


def _posted_int(request, name: str, default: str = "") -> int:
    """A number from the posted form; anything else is refused like a bad id."""
    try:
        return int(request.POST.get(name, default))
    except ValueError:
        raise ValidationError(gettext_lazy("请求无效。")) from None


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = forms.LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # a wrong password (NotAuthenticated) is a form error here, answered 401
        user, refusal = attempt_refusal(
            lambda: services.user_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=request.actor.ip,
            ),
            form=form,
            pages=(),
        )
        if refusal is not None:
            status = refusal.status_code
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_KEY, None)
            return redirect(next_url or "web:dashboard")
    return render(request, "web/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.user_logged_out(actor=request.actor)
    logout(request)
    messages.info(request, gettext_lazy("您已安全退出。"))
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
            "todo": todo_for(actor) if actor.membership else [],
            "today": timezone.localdate(),
            "panels": panels,
            "rows": rows,
            "membership": actor.membership,
            "calendar_warnings": calendar_warnings() if actor.role == Role.PLATFORM_ADMIN else [],
        },
    )


@require_POST
@login_required
def switch_role(request):
    membership, error = attempt(
        lambda: services.active_membership_switch(
            actor=request.actor, membership_id=_posted_int(request, "membership_id", "0")
        )
    )
    if error is not None:
        messages.error(request, gettext_lazy("无法切换到该角色。"))
        return redirect("web:dashboard")
    request.session[SESSION_KEY] = membership.pk
    messages.success(request, gettext_lazy("已切换为：%(membership)s") % {"membership": membership})
    return redirect("web:dashboard")


@login_required
def password_change(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, error = attempt(
            lambda: services.user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                actor=request.actor,
            ),
            form=form,
        )
        if error is None:
            update_session_auth_hash(request, user)
            messages.success(request, gettext_lazy("密码已修改。"))
            return redirect("web:dashboard")
    return render(request, "web/password_change.html", {"form": form})


@login_required
def tokens(request):
    form = forms.TokenForm()
    created_secret = None
    if request.method == "POST":
        if "revoke" in request.POST:
            error = attempt_error(
                lambda: services.api_token_revoke(
                    actor=request.actor, token_id=_posted_int(request, "revoke")
                )
            )
            if error is None:
                messages.success(request, gettext_lazy("令牌已撤销，使用它的程序将无法再访问。"))
            else:
                messages.error(request, gettext_lazy("无法撤销该令牌。"))
            return redirect("web:tokens")
        form = forms.TokenForm(request.POST)
        if form.is_valid():
            created, error = attempt(
                lambda: services.api_token_create(
                    actor=request.actor, name=form.cleaned_data["name"]
                ),
                form=form,
            )
            if error is None:
                _, created_secret = created
                form = forms.TokenForm()
    return render(
        request,
        "web/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_of(actor=request.actor),
            "created_secret": created_secret,
        },
    )


# --- Platform admin: people, roles, units ---------------------------------------------------


@login_required
@domain_errors
def user_list(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, error = attempt(
            lambda: services.user_create(**form.cleaned_data, actor=request.actor), form=form
        )
        if error is None:
            messages.success(
                request,
                gettext_lazy("已创建用户 %(username)s，请为其授予角色。")
                % {"username": user.username},
            )
            return redirect("accounts:user_detail", user_id=user.pk)
    query = request.GET.get("q", "")
    page, error = attempt(
        lambda: selectors.user_list(
            actor=request.actor, search=query, cursor=request.GET.get("cursor") or None
        )
    )
    if error is not None:
        messages.error(request, error)
        page = selectors.user_list(actor=request.actor, search=query)
    return render(request, "accounts/user_list.html", {"page": page, "q": query, "form": form})


@login_required
@domain_errors
def user_detail(request, user_id: int):
    person = selectors.user_get_for(actor=request.actor, user_id=user_id)
    grant_form = forms.GrantForm(request.POST if "grant" in request.POST else None)
    reset_form = forms.ResetPasswordForm(request.POST if "reset" in request.POST else None)
    if request.method == "POST":
        if "grant" in request.POST and grant_form.is_valid():
            error = attempt_error(
                lambda: services.membership_grant(
                    user=person,
                    role=grant_form.cleaned_data["role"],
                    unit=grant_form.cleaned_data["unit"],
                    organization=grant_form.cleaned_data["organization"],
                    actor=request.actor,
                ),
                form=grant_form,
            )
            if error is None:
                messages.success(request, gettext_lazy("已授予角色。"))
                return redirect("accounts:user_detail", user_id=person.pk)
        elif "reset" in request.POST and reset_form.is_valid():
            error = attempt_error(
                lambda: services.user_reset_password(
                    user=person,
                    new_password=reset_form.cleaned_data["new_password"],
                    actor=request.actor,
                ),
                form=reset_form,
            )
            if error is None:
                messages.success(request, gettext_lazy("密码已重置，登录锁定已解除。"))
                return redirect("accounts:user_detail", user_id=person.pk)
    memberships = person.memberships.select_related("unit", "organization").order_by("id")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "grant_form": grant_form,
            "reset_form": reset_form,
        },
    )


@require_POST
@login_required
@domain_errors
def membership_revoke(request, membership_id: int):
    membership = selectors.membership_get_for(actor=request.actor, membership_id=membership_id)
    error = attempt_error(
        lambda: services.membership_revoke(membership=membership, actor=request.actor)
    )
    if error is None:
        messages.success(
            request, gettext_lazy("已撤销角色：%(membership)s") % {"membership": membership}
        )
    else:
        messages.error(request, error)
    return redirect("accounts:user_detail", user_id=membership.user_id)


@require_POST
@login_required
@domain_errors
def user_set_active(request, user_id: int):
    person = selectors.user_get_for(actor=request.actor, user_id=user_id)
    error = attempt_error(
        lambda: services.user_set_active(
            user=person, is_active=request.POST.get("is_active") == "1", actor=request.actor
        )
    )
    if error is None:
        messages.success(request, gettext_lazy("账户状态已更新。"))
    else:
        messages.error(request, error)
    return redirect("accounts:user_detail", user_id=person.pk)


@login_required
@domain_errors
def unit_list(request):
    require(request.actor, Perm.ACCOUNTS_MANAGE)
    form = forms.UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit, error = attempt(
            lambda: services.unit_create(**form.cleaned_data, actor=request.actor), form=form
        )
        if error is None:
            messages.success(request, gettext_lazy("已创建单位：%(name)s") % {"name": unit.name})
            return redirect("accounts:units")
    units = Unit.objects.select_related("parent").order_by("path")
    return render(request, "accounts/unit_list.html", {"units": units, "form": form})
