"""Platform admin pages: people, their roles, government units. Thin: forms → services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caidan.common.errors import DomainError, form_add_error
from caidan.common.permissions import require
from caidan.web.views import domain_errors

from . import forms, selectors, services
from .models import Unit


@login_required
@domain_errors
def user_list(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data, actor=request.actor)
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, f"已创建用户 {user.username}，请为其授予角色。")
            return redirect("accounts:user_detail", user_id=user.pk)
    query = request.GET.get("q", "")
    try:
        page = selectors.user_list(
            actor=request.actor, search=query, cursor=request.GET.get("cursor") or None
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.message)
        page = selectors.user_list(actor=request.actor, search=query)
    return render(request, "accounts/user_list.html", {"page": page, "q": query, "form": form})


@login_required
@domain_errors
def user_detail(request, user_id: int):
    person = selectors.user_get_for(actor=request.actor, user_id=user_id)
    grant_form = forms.GrantForm(request.POST if "grant" in request.POST else None)
    reset_form = forms.ResetPasswordForm(request.POST if "reset" in request.POST else None)
    if request.method == "POST":
        try:
            if "grant" in request.POST and grant_form.is_valid():
                services.membership_grant(
                    user=person,
                    role=grant_form.cleaned_data["role"],
                    unit=grant_form.cleaned_data["unit"],
                    organization=grant_form.cleaned_data["organization"],
                    actor=request.actor,
                )
                messages.success(request, "已授予角色。")
                return redirect("accounts:user_detail", user_id=person.pk)
            if "reset" in request.POST and reset_form.is_valid():
                services.user_reset_password(
                    user=person,
                    new_password=reset_form.cleaned_data["new_password"],
                    actor=request.actor,
                )
                messages.success(request, "密码已重置，登录锁定已解除。")
                return redirect("accounts:user_detail", user_id=person.pk)
        except DomainError as exc:
            form_add_error(grant_form if "grant" in request.POST else reset_form, exc)
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
    try:
        services.membership_revoke(membership=membership, actor=request.actor)
        messages.success(request, f"已撤销角色：{membership}")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:user_detail", user_id=membership.user_id)


@require_POST
@login_required
@domain_errors
def user_set_active(request, user_id: int):
    person = selectors.user_get_for(actor=request.actor, user_id=user_id)
    try:
        services.user_set_active(
            user=person, is_active=request.POST.get("is_active") == "1", actor=request.actor
        )
        messages.success(request, "账户状态已更新。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:user_detail", user_id=person.pk)


@login_required
@domain_errors
def unit_list(request):
    require(request.actor, "accounts.manage")
    form = forms.UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(**form.cleaned_data, actor=request.actor)
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, f"已创建单位：{unit.name}")
            return redirect("accounts:units")
    units = Unit.objects.select_related("parent").order_by("path")
    return render(request, "accounts/unit_list.html", {"units": units, "form": form})
