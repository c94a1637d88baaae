"""Web pages: upload a document and list mine; download (public ones without login)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.web.ui import attempt, attempt_refusal, domain_errors

from . import selectors, services
from .forms import DocumentUploadForm
from .responses import document_file_response


@login_required
@domain_errors
def index(request):
    form = DocumentUploadForm()
    status = 200
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            document, refusal = attempt_refusal(
                lambda: services.document_upload(
                    file=form.cleaned_data["file"],
                    actor=request.actor,
                    description=form.cleaned_data["description"],
                    is_public=form.cleaned_data["is_public"],
                    generic=True,
                ),
                form=form,
            )
            if refusal is not None:
                status = refusal.status_code
            else:
                messages.success(
                    request,
                    _("已上传“%(original_name)s”（SHA-256 %(value)s…）。")
                    % {"original_name": document.original_name, "value": document.sha256[:12]},
                )
                return redirect("documents:index")
        else:
            status = 400
    page, error = attempt(
        lambda: selectors.document_list_mine(
            actor=request.actor, cursor=request.GET.get("cursor") or None
        )
    )
    if error is not None:
        messages.error(request, error)
        page = selectors.document_list_mine(actor=request.actor)
    return render(request, "documents/index.html", {"form": form, "page": page}, status=status)


@domain_errors
def download(request, document_id: int):
    document = selectors.document_get_for(actor=request.actor, document_id=document_id)
    return document_file_response(document)
