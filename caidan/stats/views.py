"""Integrity flags: the detail for the finance bureau and auditors, counts for everyone."""

from __future__ import annotations

from django.shortcuts import render

from caidan.accounts.permissions import can

from . import permissions  # noqa: F401 - registers the rule
from .flags import LABELS, flag_counts, integrity_flags


def flags(request):
    actor = request.actor
    found = integrity_flags()
    detail = can(actor, "stats.view_flags")
    counts = flag_counts(found)
    return render(
        request,
        "stats/flags.html",
        {
            "rows": [(code, LABELS[code], counts[code]) for code in LABELS],
            "flags": sorted(found, key=lambda f: (f.code, f.url)) if detail else [],
            "detail": detail,
        },
    )
