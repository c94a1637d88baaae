"""The finance bureau's waiting steps on the workbench (``caidan.accounts.workbench``):
complaints to accept (``accept_due``, 5 working days) and to decide (``decide_due``, 30
working days), the dates the ``complaints.deadlines`` tick enforces."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import TodoKind, entries, register_kind
from caidan.common.permissions import can
from caidan.common.perms import Perm
from caidan.common.roles import Role

from .models import Complaint, ComplaintStatus


def _complaints(actor, status, field):
    if not can(actor, Perm.COMPLAINTS_HANDLE):
        return []
    rows = Complaint.objects.filter(status=status).values("pk", "tender__title", field)
    return entries(rows, "complaints:detail", key="complaint", label="tender__title", moment=field)


def to_accept(actor, today):
    return _complaints(actor, ComplaintStatus.FILED, "accept_due")


def to_decide(actor, today):
    return _complaints(actor, ComplaintStatus.ACCEPTED, "decide_due")


def register() -> None:
    bureau = frozenset({Role.PLATFORM_ADMIN})
    register_kind(
        TodoKind("complaints:accept", _("决定是否受理投诉"), bureau, to_accept, _("投诉受理期限"))
    )
    register_kind(
        TodoKind(
            "complaints:decide", _("作出投诉处理决定"), bureau, to_decide, _("投诉处理决定期限")
        )
    )
