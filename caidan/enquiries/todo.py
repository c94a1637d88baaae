"""The enquiries' waiting step on the workbench (``caidan.accounts.workbench``): open items
the officer handles, due on ``effective_due_on`` (the extended date when extended), the
date the ``enquiries.overdue`` tick enforces."""

from __future__ import annotations

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import Entry, TodoKind, register_kind

from .models import OPEN_STATUSES, Enquiry
from .permissions import HANDLER_ROLES
from .selectors import visible_filter


def enquiries_to_answer(actor, today):
    q = visible_filter(actor)
    if q is None or actor.role not in HANDLER_ROLES:
        return []
    kinds = dict(Enquiry._meta.get_field("kind").choices)
    rows = (
        Enquiry.objects.filter(q, status__in=OPEN_STATUSES)
        .annotate(due=Coalesce("extended_due_on", "due_on"))
        .values("pk", "kind", "title", "due")
    )
    return [
        Entry(
            label=f"{kinds.get(r['kind'], r['kind'])} · {r['title']}",
            url=reverse("enquiries:detail", args=[r["pk"]]),
            due=r["due"],
            key=f"enquiry-{r['pk']}",
        )
        for r in rows
    ]


def register() -> None:
    register_kind(
        TodoKind(
            "enquiries:answer",
            _("答复咨询建议"),
            frozenset(HANDLER_ROLES),
            enquiries_to_answer,
            _("咨询建议答复期限"),
        )
    )
