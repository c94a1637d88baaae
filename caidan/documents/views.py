"""Web pages: upload a document and list mine; download (public ones without login)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render

from caidan.common.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    form_add_error,
)

from . import selectors, services
from .forms import DocumentUploadForm
from .responses import document_file_response


@login_required
def index(request):
    form = DocumentUploadForm()
    status = 200
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.document_upload(
                    file=form.cleaned_data["file"],
                    actor=request.actor,
                    description=form.cleaned_data["description"],
                    is_public=form.cleaned_data["is_public"],
                    generic=True,
                )
            except PermissionDenied as exc:
                return render(request, "web/403.html", {"error": exc}, status=403)
            except DomainError as exc:
                form_add_error(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    f"已上传“{document.original_name}”（SHA-256 {document.sha256[:12]}…）。",
                )
                return redirect("documents:index")
        else:
            status = 400
    try:
        page = selectors.document_list_mine(
            actor=request.actor, cursor=request.GET.get("cursor") or None
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        page = selectors.document_list_mine(actor=request.actor)
    return render(request, "documents/index.html", {"form": form, "page": page}, status=status)


def download(request, document_id: int):
    try:
        document = selectors.document_get_for(actor=request.actor, document_id=document_id)
        return document_file_response(document)
    except NotAuthenticated:
        return redirect_to_login(request.get_full_path())
    except PermissionDenied as exc:
        return render(request, "web/403.html", {"error": exc}, status=403)
    except NotFound as exc:
        raise Http404(exc.message) from None
