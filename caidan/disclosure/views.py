"""The public portal under /open/: home, notices and policies (public list and printable
page), search across public records, and the platform admin's notice editor.

Views are thin: parse a form, call one service or selector, render. Domain errors become
form errors or messages; permission problems the 403/404 pages (``domain_errors``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.errors import NotFound
from caidan.disclosure.codes import Code
from caidan.documents.forms import DocumentUploadForm
from caidan.documents.responses import document_file_response
from caidan.web.ui import attempt, attempt_error, domain_errors

from . import forms, front, notices, search, selectors
from .inputs import NoticeInput, NoticeWithdrawalInput
from .models import NoticeStatus


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


# --- public ------------------------------------------------------------------------------


def portal_home(request):
    """The newest notices, tenders, award notices and contracts, a few each, then the links
    to every part of the portal (``front.portal_latest``: one query per kind)."""
    latest = selectors.notice_list_public(include_withdrawn=False, limit=front.LATEST)
    return render(
        request,
        "disclosure/portal_home.html",
        {
            "latest": latest.items,
            **front.portal_latest(),
            "can_manage": selectors.can_manage_notices(request.actor),
        },
    )


@domain_errors
def notice_list(request):
    form = forms.NoticeFilter(request.GET or None)
    category, q = "", ""
    if form.is_valid():
        category, q = form.cleaned_data["category"], form.cleaned_data["q"]
    page = selectors.notice_list_public(
        category=category, q=q, cursor=request.GET.get("cursor") or None
    )
    return render(
        request,
        "disclosure/notice_list.html",
        {
            "page": page,
            "form": form,
            "query": _query_without_cursor(request),
            "can_manage": selectors.can_manage_notices(request.actor),
        },
    )


@domain_errors
def notice_detail(request, notice_id: int):
    notice = selectors.notice_get_for(actor=request.actor, notice_id=notice_id)
    return render(
        request,
        "disclosure/notice_detail.html",
        {
            "n": notice,
            "attachments": selectors.notice_attachments(notice),
            "can_manage": selectors.can_manage_notices(request.actor),
        },
    )


@domain_errors
def notice_file(request, notice_id: int, document_id: int):
    """An attachment, for whoever may see the notice (everyone once it is published)."""
    notice = selectors.notice_get_for(actor=request.actor, notice_id=notice_id)
    document = next((d for d in selectors.notice_attachments(notice) if d.pk == document_id), None)
    if document is None:
        raise NotFound(_("找不到该附件。"), code=Code.ATTACHMENT_NOT_FOUND)
    return document_file_response(document)


@domain_errors
def search_view(request):
    form = forms.SearchForm(request.GET or None)
    q, groups = "", []
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        groups = search.search_all(q) if q else []
    return render(
        request,
        "disclosure/search.html",
        {
            "form": form,
            "q": q,
            "groups": groups,
            "total": sum(len(g["hits"]) for g in groups),
        },
    )


# --- the platform admin's editor ---------------------------------------------------------


@login_required
@domain_errors
def notice_manage(request):
    form = forms.NoticeManageFilter(request.GET or None)
    filters = {"status": "", "category": "", "q": ""}
    if form.is_valid():
        filters = {k: form.cleaned_data[k] for k in filters}
    page = selectors.notice_list_manage(
        actor=request.actor, **filters, cursor=request.GET.get("cursor") or None
    )
    return render(
        request,
        "disclosure/notice_manage.html",
        {"page": page, "form": form, "query": _query_without_cursor(request)},
    )


@login_required
@domain_errors
def notice_new(request):
    require(request.actor, selectors.PERMISSION)
    form = forms.NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        notice, error = attempt(
            lambda: notices.notice_create(
                data=NoticeInput.parse(form.cleaned_data), actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _g("已保存草稿“%(title)s”。") % {"title": notice.title})
            return redirect("disclosure:notice_detail", notice_id=notice.pk)
    return render(request, "disclosure/notice_form.html", {"form": form, "n": None})


@login_required
@domain_errors
def notice_edit(request, notice_id: int):
    notice = selectors.notice_get_for_edit(actor=request.actor, notice_id=notice_id)
    if notice.status == NoticeStatus.WITHDRAWN:
        messages.error(request, _g("已撤回的公告不能修改。"))
        return redirect("disclosure:notice_detail", notice_id=notice.pk)
    initial = {name: getattr(notice, name) for name in notices.EDITABLE}
    form = forms.NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: notices.notice_update(
                notice=notice, changes=form.cleaned_data, actor=request.actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _g("已保存“%(title)s”。") % {"title": notice.title})
            return redirect("disclosure:notice_detail", notice_id=notice.pk)
    return _edit_page(request, notice, form)


def _upload_form(data=None, files=None) -> DocumentUploadForm:
    form = DocumentUploadForm(data, files)
    del form.fields["is_public"]  # attachments are public exactly when the notice is
    return form


def _edit_page(request, notice, form, upload_form=None, status=200):
    return render(
        request,
        "disclosure/notice_form.html",
        {
            "form": form,
            "n": notice,
            "attachments": selectors.notice_attachments(notice),
            "upload_form": upload_form or _upload_form(),
        },
        status=status,
    )


@require_POST
@login_required
@domain_errors
def notice_attach(request, notice_id: int):
    notice = selectors.notice_get_for_edit(actor=request.actor, notice_id=notice_id)
    upload_form = _upload_form(request.POST, request.FILES)
    if upload_form.is_valid():
        document, error = attempt(
            lambda: notices.notice_attach(
                notice=notice,
                file=upload_form.cleaned_data["file"],
                description=upload_form.cleaned_data["description"],
                actor=request.actor,
            ),
            form=upload_form,
        )
        if error is None:
            messages.success(
                request, _g("已上传附件“%(name)s”。") % {"name": document.original_name}
            )
            return redirect("disclosure:notice_edit", notice_id=notice.pk)
    initial = {name: getattr(notice, name) for name in notices.EDITABLE}
    return _edit_page(request, notice, forms.NoticeForm(initial=initial), upload_form)


def _confirm(request, *, notice, title, warning, action_label, form=None, danger=False, **extra):
    """A confirmation page (the contracts' pattern): ``extra`` may hold ``error`` and
    ``can_submit``."""
    return render(
        request,
        "disclosure/notice_confirm.html",
        {
            "n": notice,
            "title": title,
            "warning": warning,
            "action_label": action_label,
            "form": form,
            "danger": danger,
            "can_submit": extra.pop("can_submit", True),
            **extra,
        },
    )


@login_required
@domain_errors
def notice_publish(request, notice_id: int):
    notice = selectors.notice_get_for_edit(actor=request.actor, notice_id=notice_id)
    error = None
    if request.method == "POST":
        error = attempt_error(lambda: notices.notice_publish(notice=notice, actor=request.actor))
        if error is None:
            messages.success(request, _g("已发布，任何人均可查阅。"))
            return redirect("disclosure:notice_detail", notice_id=notice.pk)
    return _confirm(
        request,
        notice=notice,
        title=_("发布公告"),
        warning=_(
            "发布后公告立即公开，并长期保留在同一网址；此后仍可更正，每次修改都记入审计日志。"
        ),
        action_label=_("确认发布"),
        error=error,
        can_submit=notice.status == NoticeStatus.DRAFT,
    )


@login_required
@domain_errors
def notice_withdraw(request, notice_id: int):
    notice = selectors.notice_get_for_edit(actor=request.actor, notice_id=notice_id)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: notices.notice_withdraw(
                notice=notice,
                data=NoticeWithdrawalInput.parse(form.cleaned_data),
                actor=request.actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _g("公告已撤回，页面保留并标注“已撤回”。"))
            return redirect("disclosure:notice_detail", notice_id=notice.pk)
    return _confirm(
        request,
        notice=notice,
        title=_("撤回公告"),
        warning=_("撤回后公告仍保留在原网址，标注“已撤回”并公开撤回理由；撤回不可恢复。"),
        action_label=_("确认撤回"),
        form=form,
        danger=True,
        can_submit=notice.status == NoticeStatus.PUBLISHED,
    )
