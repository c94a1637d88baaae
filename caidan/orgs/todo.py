"""The registration authority's waiting step on the workbench (``caidan.accounts.workbench``):
profile change requests to decide (no legal deadline is stored)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import Entry, TodoKind, register_kind
from caidan.common.roles import Role

from .models import ProfileChangeRequest


def change_requests(actor, today):
    if not actor.has_role(Role.REGISTRATION_AUTHORITY):
        return []
    rows = ProfileChangeRequest.objects.filter(status="pending").values("pk", "organization__name")
    url = reverse("orgs:change_requests")
    return [Entry(label=r["organization__name"], url=url, key=f"change-{r['pk']}") for r in rows]


def register() -> None:
    register_kind(
        TodoKind(
            "orgs:change_request",
            _("审核登记事项变更"),
            frozenset({Role.REGISTRATION_AUTHORITY}),
            change_requests,
        )
    )
