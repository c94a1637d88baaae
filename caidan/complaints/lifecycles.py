"""The complaint's status table (``caidan.common.lifecycle``)."""

from __future__ import annotations

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import TRANSITIONS, ComplaintAction, ComplaintStatus

complaint_lifecycle = Lifecycle(
    name="complaint",
    model="complaints.Complaint",
    table=TRANSITIONS,
    audit_kind=EventKind.COMPLAINT_TRANSITION,
    noun="该投诉",
    actions=ComplaintAction,
    statuses=ComplaintStatus,
    initial=frozenset({ComplaintStatus.FILED}),
)
