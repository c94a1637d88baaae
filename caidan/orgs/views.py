"""Registry pages: the public directory and profiles, the authority's desk, a provider's
own profile. Thin: forms → services; errors shown on the form they belong to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.common.xlsx import XLSX_MIME
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from . import forms, selectors, services
from .inputs import CreditListingInput, OrganizationInput, PastProjectInput, PenaltyInput
from .models import ServiceField


def org_list(request):
    form = forms.SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page, error = attempt(
        lambda: selectors.organization_list(
            search=data.get("q", ""),
            field=data.get("field", ""),
            min_grade=int(data["min_grade"]) if data.get("min_grade") else None,
            credit=data.get("credit", ""),
            cursor=request.GET.get("cursor") or None,
        )
    )
    if error is not None:
        messages.error(request, error)
        page = selectors.organization_list()
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request, "orgs/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@domain_errors
def org_detail(request, org_id: int):
    org = selectors.organization_get(organization_id=org_id)
    profile = selectors.organization_profile(actor=request.actor, organization=org)
    from .standing import standing_of, standings_of

    affiliates = list(profile.affiliates)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "profile": profile,
            # a hub's member group: its path to bidding on its own (issue 21)
            "standing": standing_of(org) if org.hub_id else None,
            "affiliate_standings": [
                (a, standing)
                for a, standing in zip(affiliates, standings_of(affiliates).values(), strict=True)
            ],
        },
    )


@domain_errors
def directory(request, field: str | None = None):
    if field is None:
        return render(
            request, "orgs/directory_index.html", {"fields": selectors.directory_counts()}
        )
    if field not in ServiceField.values:
        return render(request, "404.html", status=404)
    page = selectors.directory_list(field=field, cursor=request.GET.get("cursor") or None)
    orgs = {
        o.pk: o
        for o in selectors.organization_queryset().filter(
            pk__in=[e.organization_id for e in page.items]
        )
    }
    entries = [(e, orgs[e.organization_id]) for e in page.items]
    return render(
        request,
        "orgs/directory.html",
        {"field": ServiceField(field), "entries": entries, "page": page},
    )


# --- the registration authority ---------------------------------------------------------


@login_required
@domain_errors
def org_create(request):
    require(request.actor, Perm.ORGS_MANAGE)
    form = forms.CreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org, error = attempt(
            lambda: services.organization_create(
                data=OrganizationInput.parse(form.cleaned_data), actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已登记：%(name)s") % {"name": org.name})
            return redirect("orgs:manage", org_id=org.pk)
    return render(request, "orgs/create.html", {"form": form})


MANAGE_FORMS = {
    "edit": forms.AuthorityForm,
    "grade": forms.GradeForm,
    "penalty": forms.PenaltyForm,
    "credit": forms.CreditForm,
    "defaulter": forms.DefaulterForm,
    "bar": forms.BarForm,
    "project": forms.PastProjectForm,
    "hub": forms.HubForm,
}


def _run(action: str, org, data: dict, actor):
    if action == "edit":
        return services.organization_update(organization=org, changes=data, actor=actor)
    if action == "grade":
        return services.grade_record(organization=org, **data, actor=actor)
    if action == "penalty":
        return services.penalty_record(organization=org, data=PenaltyInput.parse(data), actor=actor)
    if action == "credit":
        return services.credit_list_add(
            organization=org, data=CreditListingInput.parse(data), actor=actor
        )
    if action == "defaulter":
        return services.judgment_defaulter_set(organization=org, **data, actor=actor)
    if action == "bar":
        return services.provider_bar_create(organization=org, **data, actor=actor)
    if action == "project":
        return services.past_project_record(
            organization=org, data=PastProjectInput.parse(data), actor=actor
        )
    if action == "hub":
        return services.organization_set_hub(organization=org, hub=data["hub"], actor=actor)
    raise ValueError(action)


@login_required
@domain_errors
def org_manage(request, org_id: int):
    org = selectors.organization_get_for_edit(actor=request.actor, organization_id=org_id)
    action = request.POST.get("action", "")
    initial = {
        "edit": {
            **{f: getattr(org, f) for f in services.IDENTITY_FIELDS + services.PROFILE_FIELDS},
            "status": org.status,
            "is_hub": org.is_hub,
            "is_evaluator": org.is_evaluator,
            "fields": [r.field for r in org.field_rows.all()],
        },
        "hub": {"hub": org.hub_id},
    }
    bound = {}
    if request.method == "POST" and action in MANAGE_FORMS:
        form = MANAGE_FORMS[action](request.POST)
        bound[action] = form
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            if action == "edit":
                data = dict(form.cleaned_data)
            if action == "hub":
                data = {"hub": form.cleaned_data["hub"]}
            error = attempt_error(lambda: _run(action, org, data, request.actor), form=form)
            if error is None:
                messages.success(request, _("已保存，修改已记入审计日志。"))
                return redirect("orgs:manage", org_id=org.pk)
    page_forms = {
        name: bound.get(name) or cls(initial=initial.get(name))
        for name, cls in MANAGE_FORMS.items()
    }
    profile = selectors.organization_profile(actor=request.actor, organization=org)
    criteria_ok, criteria_reasons = services.directory_criteria(org)
    return render(
        request,
        "orgs/manage.html",
        {
            "org": org,
            "profile": profile,
            "forms": page_forms,
            "remove_form": forms.RemoveForm(),
            "criteria_ok": criteria_ok,
            "criteria_reasons": criteria_reasons,
            "open_action": action,
        },
    )


@require_POST
@login_required
@domain_errors
def credit_remove(request, record_id: int):
    record = selectors.credit_record_get_for(actor=request.actor, record_id=record_id)
    form = forms.RemoveForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.credit_record_remove(
                record=record,
                reason=form.cleaned_data["reason"],
                removed_on=form.cleaned_data["removed_on"],
                actor=request.actor,
            )
        )
        if error is None:
            messages.success(request, _("已移出名录。"))
        else:
            messages.error(request, error)
    else:
        messages.error(request, _("请写明移出理由。"))
    return redirect("orgs:manage", org_id=record.organization_id)


@login_required
@domain_errors
def org_import(request):
    require(request.actor, Perm.ORGS_MANAGE)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        created, refusal = attempt_refusal(
            lambda: services.organizations_import(
                file=form.cleaned_data["file"], actor=request.actor
            )
        )
        if refusal is not None:
            errors = refusal.detail.get("errors", [])  # every bad row, listed in a table
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("已导入 %(len)s 个社会组织。") % {"len": len(created)})
            return redirect("orgs:list")
    return render(request, "orgs/import.html", {"form": form, "errors": errors})


def import_template(request):
    response = HttpResponse(services.organizations_template(), content_type=XLSX_MIME)
    response["Content-Disposition"] = "attachment; filename*=utf-8''organizations.xlsx"
    return response


@login_required
@domain_errors
def change_requests(request):
    rows = selectors.change_requests(actor=request.actor, cursor=request.GET.get("cursor") or None)
    if request.method == "POST":
        request_id = request.POST.get("request_id", "")
        if not request_id.isdigit():
            messages.error(request, _("请求无效。"))
            return redirect("orgs:change_requests")
        row = selectors.change_request_get_for(actor=request.actor, request_id=int(request_id))
        error = attempt_error(
            lambda: services.change_request_decide(
                request=row,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
                actor=request.actor,
            )
        )
        if error is None:
            messages.success(request, _("已处理。"))
        else:
            messages.error(request, error)
        return redirect("orgs:change_requests")
    return render(request, "orgs/change_requests.html", {"rows": rows})


# --- a provider's own profile -------------------------------------------------------------


@login_required
@domain_errors
def mine(request):
    org = selectors.organization_of(request.actor)
    profile_form = forms.ProfileForm(
        request.POST if request.POST.get("action") == "profile" else None,
        initial={
            **{f: getattr(org, f) for f in services.PROFILE_FIELDS},
            "fields": [r.field for r in org.field_rows.all()],
        },
    )
    change_form = forms.ChangeRequestForm(
        request.POST if request.POST.get("action") == "change" else None,
        initial={f: getattr(org, f) for f in services.IDENTITY_FIELDS},
    )
    if request.method == "POST":
        if request.POST.get("action") == "profile" and profile_form.is_valid():
            error = attempt_error(
                lambda: services.organization_update_own(
                    organization=org, changes=profile_form.cleaned_data, actor=request.actor
                ),
                form=profile_form,
            )
            if error is None:
                messages.success(request, _("资料已更新。"))
                return redirect("orgs:mine")
        if request.POST.get("action") == "change" and change_form.is_valid():
            data = dict(change_form.cleaned_data)
            reason = data.pop("reason")
            changes = {k: v for k, v in data.items() if v != getattr(org, k)}
            error = attempt_error(
                lambda: services.change_request_submit(
                    organization=org, changes=changes, reason=reason, actor=request.actor
                ),
                form=change_form,
            )
            if error is None:
                messages.success(request, _("变更申请已提交，等待登记管理机关审核。"))
                return redirect("orgs:mine")
    profile = selectors.organization_profile(actor=request.actor, organization=org)
    pending = org.change_requests.filter(status="pending").first()
    return render(
        request,
        "orgs/mine.html",
        {
            "org": org,
            "profile": profile,
            "profile_form": profile_form,
            "change_form": change_form,
            "pending": pending,
            "recent_requests": org.change_requests.all()[:5],
        },
    )
