"""The expert pool (platform admin): the list with the form to add an expert, an expert's
record with its ties and panels, editing, retiring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.pagination import keyset_paginate
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, domain_errors

from .. import forms, selectors, selectors_experts, services
from ..inputs import ExpertInput
from .common import query_without_cursor


@login_required
@domain_errors
def expert_list(request):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    search = forms.ExpertSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    page = keyset_paginate(
        selectors_experts.expert_pool(search=q),
        ordering=("-id",),
        cursor=request.GET.get("cursor") or None,
    )
    units = selectors_experts.employer_units()
    form = forms.ExpertForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = None
        if d["username"]:
            user = selectors_experts.user_by_username(d["username"])
            if user is None:
                form.add_error("username", "用户不存在。")
        if not form.errors:
            expert, error = attempt(
                lambda: services.expert_create(
                    actor=actor,
                    data=ExpertInput.parse(
                        name=d["name"],
                        specialties=d["specialties"],
                        title=d["title"],
                        employer_name=d["employer_name"],
                        employer_unit=next(
                            (u for u in units if str(u.pk) == d["employer_unit"]), None
                        ),
                        user=user,
                    ),
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("专家“%(name)s”已入库。") % {"name": expert.name})
                return redirect("procurement:expert", expert_id=expert.pk)
    return render(
        request,
        "procurement/expert_list.html",
        {"page": page, "search": search, "form": form, "query": query_without_cursor(request)},
    )


def _expert_page(request, expert, *, tie_form=None, edit_form=None):
    """The expert's record, its ties and panels, the edit form and the tie form."""
    if edit_form is None:
        edit_form = forms.ExpertEditForm(
            units=selectors_experts.employer_units(),
            initial={
                "name": expert.name,
                "title": expert.title,
                "specialties": list(expert.specialties or []),
                "employer_name": expert.employer_name,
                "employer_unit": str(expert.employer_unit_id or ""),
            },
        )
    return render(
        request,
        "procurement/expert_detail.html",
        {
            "expert": expert,
            "ties": selectors_experts.expert_ties(expert),
            "panels": selectors_experts.expert_panels(expert),
            "form": tie_form or forms.TieForm(organizations=selectors.organizations_for_choice()),
            "edit_form": edit_form,
        },
    )


@login_required
@domain_errors
def expert_detail(request, expert_id: int):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    expert = selectors_experts.expert_get(expert_id)
    organizations = list(selectors.organizations_for_choice())
    form = forms.TieForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: services.expert_tie_add(
                expert=expert,
                organization=next(o for o in organizations if str(o.pk) == d["organization"]),
                kind=d["kind"],
                started_on=d["started_on"],
                ended_on=d["ended_on"],
                note=d["note"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("关联关系已登记，抽取专家时将据此回避。"))
            return redirect("procurement:expert", expert_id=expert.pk)
    return _expert_page(request, expert, tie_form=form)


@require_POST
@login_required
@domain_errors
def expert_edit(request, expert_id: int):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    expert = selectors_experts.expert_get(expert_id)
    form = forms.ExpertEditForm(request.POST, units=selectors_experts.employer_units())
    if form.is_valid():
        error = attempt_error(
            lambda: services.expert_update(expert=expert, changes=form.changes(), actor=actor),
            form=form,
        )
        if error is None:
            messages.success(request, _("专家信息已保存。"))
            return redirect("procurement:expert", expert_id=expert.pk)
    return _expert_page(request, expert, edit_form=form)


@require_POST
@login_required
@domain_errors
def expert_deactivate(request, expert_id: int):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    expert = selectors_experts.expert_get(expert_id)
    error = attempt_error(lambda: services.expert_deactivate(expert=expert, actor=actor))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(
            request, _("专家“%(name)s”已出库，今后不再被抽取。") % {"name": expert.name}
        )
    return redirect("procurement:expert", expert_id=expert.pk)
