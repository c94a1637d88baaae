"""The published audit-chain anchors (``caidan.audit.anchors``): the page
``/open/audit-anchors/`` and the open-data file ``/open/data/audit-anchors.jsonl`` (one
signed anchor per line, oldest first), no login. Auditors download the file daily and keep
their copies; ``manage.py audit_verify --anchors <file>`` checks a chain against them."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from caidan.audit.anchors import anchor_line, public_key_pem, public_keys
from caidan.audit.models import AuditAnchor

ANCHORS_FILE = "audit-anchors.jsonl"
PAGE_SIZE = 60


@require_safe
def anchor_page(request):
    keys = [
        {"key_id": key_id, "b64": b64, "pem": public_key_pem(b64)}
        for key_id, b64 in public_keys().items()
    ]
    anchors = list(AuditAnchor.objects.order_by("-day")[:PAGE_SIZE])
    return render(
        request,
        "disclosure/audit_anchors.html",
        {
            "keys": keys,
            "anchors": anchors,
            "total": AuditAnchor.objects.count(),
            "page_size": PAGE_SIZE,
            "filename": ANCHORS_FILE,
        },
    )


@require_safe
def anchor_file(request):
    def lines():
        for anchor in AuditAnchor.objects.order_by("day").iterator(chunk_size=2000):
            yield (anchor_line(anchor) + "\n").encode()

    response = StreamingHttpResponse(lines(), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ANCHORS_FILE}"'
    return response
