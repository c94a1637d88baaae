"""What the procurement pages share: the confirmation page and the list's query string."""

from __future__ import annotations

from django.shortcuts import render


def query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def confirm(request, *, tender, title, warning, action_label, form=None, danger=False, **extra):
    """A confirmation page. ``extra`` may hold ``facts`` (label, value pairs shown above the
    form), ``back_url`` / ``back_label`` (default: the tender) and ``error``."""
    return render(
        request,
        "procurement/confirm.html",
        {
            "t": tender,
            "title": title,
            "warning": warning,
            "action_label": action_label,
            "form": form,
            "danger": danger,
            **extra,
        },
    )
