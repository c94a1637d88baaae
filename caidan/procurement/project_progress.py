"""A project's public procurements for its page (``caidan/projects/progress.py``)."""

from __future__ import annotations

from caidan.projects.progress import register_progress

from .models import Tender


def public_procurements(proposal) -> list[dict]:
    tenders = Tender.objects.public().filter(proposal=proposal).order_by("id")
    return [
        {"tender": t, "has_notice": bool(t.awards.all())}
        for t in tenders.prefetch_related("awards")
    ]


register_progress("procurements", public_procurements)
