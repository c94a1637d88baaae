"""Catalog pages: the public catalog (tree, search, versions, items, comparison, negative
list) and the platform admin's desk (versions, draft items, import/export, publishing,
negative list). Thin: forms → services; errors shown on the form they belong to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.errors import form_add_error
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from . import forms, selectors, services
from .api import xlsx_response
from .gaps import gaps_beside
from .inputs import CatalogItemInput, CatalogVersionInput, NegativeListEntryInput


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


# --- public pages ------------------------------------------------------------------------


def _version_page(request, version, *, is_index: bool):
    q = (request.GET.get("q") or "").strip()
    context = {
        "version": version,
        "current": selectors.catalog_current(),
        "is_index": is_index,
        "q": q,
        "can_manage": selectors.can_manage(request.actor),
    }
    if version is not None:
        context["counts"] = selectors.catalog_level_counts(version=version)
        if q:
            page, error = attempt(
                lambda: selectors.catalog_item_list(
                    version=version, q=q, cursor=request.GET.get("cursor") or None
                )
            )
            if error is not None:
                messages.error(request, error)
                page = selectors.catalog_item_list(version=version, q=q[:100])
            context["page"] = page
            context["query"] = _query_without_cursor(request)
        else:
            context["tree"] = selectors.catalog_tree(version=version)
    return render(request, "catalog/index.html", context)


def index(request):
    return _version_page(request, selectors.catalog_current(), is_index=True)


@domain_errors
def version_detail(request, version_id: int):
    version = selectors.catalog_version_get_for(actor=request.actor, version_id=version_id)
    return _version_page(request, version, is_index=False)


def version_list(request):
    versions = selectors.catalog_versions(actor=request.actor)
    public = [v for v in versions if v.is_public]
    return render(
        request,
        "catalog/versions.html",
        {
            "versions": versions,
            "current": selectors.catalog_current(),
            "compare_a": public[1] if len(public) > 1 else None,
            "compare_b": public[0] if public else None,
        },
    )


@domain_errors
def item_detail(request, item_id: int):
    item = selectors.catalog_item_get_for(actor=request.actor, item_id=item_id)
    ancestors = selectors.catalog_item_ancestors(item)
    children = selectors.catalog_item_children(item)
    other = selectors.catalog_item_versions(actor=request.actor, code=item.code)
    current = selectors.catalog_current()
    in_current = next((i for i in other if current and i.version_id == current.pk), None)
    return render(
        request,
        "catalog/item.html",
        {
            "item": item,
            "ancestors": ancestors,
            "children": children,
            "other_versions": [i for i in other if i.pk != item.pk],
            "current": current,
            "in_current": in_current,
        },
    )


@domain_errors
def compare(request):
    versions = selectors.catalog_versions(actor=request.actor)
    context = {"versions": versions, "result": None}
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    public = [v for v in versions if v.is_public]
    if not (a or b) and len(public) > 1:  # by default: what the latest revision changed
        a, b = str(public[1].pk), str(public[0].pk)
    if a or b:
        if not (a.isdigit() and b.isdigit()):
            messages.error(request, _("请选择要比较的两个版本。"))
        else:
            old = selectors.catalog_version_get_for(actor=request.actor, version_id=int(a))
            new = selectors.catalog_version_get_for(actor=request.actor, version_id=int(b))
            context["result"] = selectors.catalog_compare(a=old, b=new)
    context["a"], context["b"] = a, b
    return render(request, "catalog/compare.html", context)


def negative_list(request):
    text = (request.GET.get("text") or "").strip()[:2000]
    matches = services.negative_list_check(text=text) if text else None
    return render(
        request,
        "catalog/negative_list.html",
        {
            "entries": selectors.negative_list_entries(),
            "text": text,
            "matches": matches,
            "can_manage": selectors.can_manage(request.actor),
        },
    )


@domain_errors
def export(request, version_id: int):
    version = selectors.catalog_version_get_for(actor=request.actor, version_id=version_id)
    return xlsx_response(version)


# --- the platform admin's desk -----------------------------------------------------------


@login_required
@domain_errors
def manage(request):
    require(request.actor, Perm.CATALOG_MANAGE)
    form = forms.VersionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source = data.pop("copy_from")
        version, error = attempt(
            lambda: services.catalog_version_create(
                data=CatalogVersionInput.parse(data), copy_from=source, actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已创建草稿“%(name)s”，现在可以编辑条目或导入 Excel。") % {"name": version.name},
            )
            return redirect("catalog:manage_version", version_id=version.pk)
    return render(
        request,
        "catalog/manage.html",
        {
            "versions": selectors.catalog_versions(actor=request.actor),
            "current": selectors.catalog_current(),
            "form": form,
        },
    )


@login_required
@domain_errors
def manage_version(request, version_id: int):
    version = selectors.catalog_version_get_for_edit(actor=request.actor, version_id=version_id)
    form = None
    if version.is_draft:
        initial = {
            "name": version.name,
            "effective_date": version.effective_date,
            "notes": version.notes,
        }
        form = forms.VersionEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            error = attempt_error(
                lambda: services.catalog_version_update(
                    version=version, changes=form.cleaned_data, actor=request.actor
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("版本信息已保存。"))
                return redirect("catalog:manage_version", version_id=version.pk)
    items = selectors.catalog_tree_items(version=version)
    gaps, unfielded, gap_year = {}, [], None
    if version.is_draft:
        # the demand left unmet beside each service field (registered by stats: catalog/gaps.py)
        gap_year = min(version.effective_date.year, timezone.localdate().year)
        gaps, unfielded = gaps_beside(items, gap_year)
        for item in items:
            item.gaps = gaps.get(item.pk, [])
    return render(
        request,
        "catalog/manage_version.html",
        {
            "version": version,
            "form": form,
            "items": items,
            "counts": selectors.catalog_level_counts(version=version),
            "current": selectors.catalog_current(),
            "gap_year": gap_year,
            "unfielded": unfielded,
        },
    )


def _transition(request, version_id: int, service, done: str):
    version = selectors.catalog_version_get_for_edit(actor=request.actor, version_id=version_id)
    error = attempt_error(lambda: service(version=version, actor=request.actor))
    if error is not None:
        messages.error(request, error)
        return redirect("catalog:manage_version", version_id=version.pk)
    messages.success(request, done.format(name=version.name))
    if service is services.catalog_version_discard:
        return redirect("catalog:manage")
    return redirect("catalog:manage_version", version_id=version.pk)


@require_POST
@login_required
@domain_errors
def version_publish(request, version_id: int):
    return _transition(
        request, version_id, services.catalog_version_publish, "已发布“{name}”，此后不可再修改。"
    )


@require_POST
@login_required
@domain_errors
def version_retire(request, version_id: int):
    return _transition(request, version_id, services.catalog_version_retire, "已停用“{name}”。")


@require_POST
@login_required
@domain_errors
def version_discard(request, version_id: int):
    return _transition(
        request, version_id, services.catalog_version_discard, "已删除草稿“{name}”。"
    )


@login_required
@domain_errors
def item_create(request, version_id: int):
    version = selectors.catalog_version_get_for_edit(actor=request.actor, version_id=version_id)
    initial = {"code": request.GET.get("parent", "")[:4]}
    form = forms.ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        item, error = attempt(
            lambda: services.catalog_item_create(
                version=version,
                data=CatalogItemInput.parse(form.cleaned_data),
                actor=request.actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已新增条目 %(code)s %(name)s。") % {"code": item.code, "name": item.name},
            )
            if "another" in request.POST:
                return redirect(
                    f"{request.path}?parent={item.code if item.level < 3 else item.parent_code}"
                )
            return redirect("catalog:manage_version", version_id=version.pk)
    return render(
        request, "catalog/item_form.html", {"form": form, "version": version, "item": None}
    )


@login_required
@domain_errors
def item_edit(request, item_id: int):
    item = selectors.catalog_item_get_for_edit(actor=request.actor, item_id=item_id)
    initial = {
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "guidance_price": "" if item.guidance_price is None else str(item.guidance_price),
        "price_unit": item.price_unit,
        "bought_first": item.bought_first,
        "sort_order": item.sort_order,
    }
    form = forms.ItemEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.catalog_item_update(
                item=item, changes=form.cleaned_data, actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已保存条目 %(code)s。") % {"code": item.code})
            return redirect("catalog:manage_version", version_id=item.version_id)
    return render(
        request, "catalog/item_form.html", {"form": form, "version": item.version, "item": item}
    )


@require_POST
@login_required
@domain_errors
def item_delete(request, item_id: int):
    item = selectors.catalog_item_get_for_edit(actor=request.actor, item_id=item_id)
    error = attempt_error(lambda: services.catalog_item_delete(item=item, actor=request.actor))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(
            request, _("已删除条目 %(code)s %(name)s。") % {"code": item.code, "name": item.name}
        )
    return redirect("catalog:manage_version", version_id=item.version_id)


@login_required
@domain_errors
def version_import(request, version_id: int):
    version = selectors.catalog_version_get_for_edit(actor=request.actor, version_id=version_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[dict] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        created, refusal = attempt_refusal(
            lambda: services.catalog_version_import(
                version=version, file=form.cleaned_data["file"], actor=request.actor
            )
        )
        if refusal is not None:
            # every bad row is listed in a table; a refusal without rows goes on the form
            errors = refusal.detail.get("errors", [])
            if not errors:
                form_add_error(form, refusal)
            messages.error(request, refusal.message)
            status = refusal.status_code
        else:
            messages.success(request, _("已导入 %(len)s 个条目。") % {"len": len(created)})
            return redirect("catalog:manage_version", version_id=version.pk)
    return render(
        request,
        "catalog/import.html",
        {"form": form, "version": version, "errors": errors},
        status=status,
    )


@login_required
@domain_errors
def manage_negative_list(request):
    require(request.actor, Perm.CATALOG_MANAGE)
    form = forms.NegativeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry, error = attempt(
            lambda: services.negative_list_entry_create(
                data=NegativeListEntryInput.parse(form.cleaned_data), actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已新增负面清单事项 %(code)s。") % {"code": entry.code})
            return redirect("catalog:manage_negative_list")
    return render(
        request,
        "catalog/manage_negative_list.html",
        {"entries": selectors.negative_list_entries(include_inactive=True), "form": form},
    )


@login_required
@domain_errors
def negative_list_edit(request, entry_id: int):
    entry = selectors.negative_list_entry_get_for(actor=request.actor, entry_id=entry_id)
    initial = {
        "title": entry.title,
        "legal_basis": entry.legal_basis,
        "description": entry.description,
        "keywords": "、".join(entry.keywords or []),
        "is_active": entry.is_active,
    }
    form = forms.NegativeEntryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.negative_list_entry_update(
                entry=entry, changes=form.cleaned_data, actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已保存负面清单事项 %(code)s。") % {"code": entry.code})
            return redirect("catalog:manage_negative_list")
    return render(request, "catalog/negative_list_form.html", {"form": form, "entry": entry})
