"""The public home page. The shell's other pages live in the apps they belong to: login,
logout, password, tokens, role switch and dashboard in ``accounts``; the audit log in
``audit``; settings and the calendar in ``jurisdiction`` (their URL names stay ``web:…``,
see ``caidan/urls.py``)."""

from __future__ import annotations

from django.shortcuts import render

# The UI helpers moved to caidan.web.ui; this name is kept for modules not yet updated.
from .ui import attempt, attempt_error, domain_errors  # noqa: F401


def home(request):
    return render(request, "web/home.html")
