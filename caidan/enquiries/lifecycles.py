"""The enquiry's status table (``caidan.common.lifecycle``)."""

from __future__ import annotations

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import TRANSITIONS, EnquiryAction, EnquiryStatus

enquiry_lifecycle = Lifecycle(
    name="enquiry",
    model="enquiries.Enquiry",
    table=TRANSITIONS,
    audit_kind={
        **dict.fromkeys(TRANSITIONS, EventKind.ENQUIRY_TRANSITION),
        EnquiryAction.EXTEND: EventKind.ENQUIRY_EXTENDED,
        EnquiryAction.PUBLISH: EventKind.ENQUIRY_PUBLISHED,
    },
    noun="该事项",
    actions=EnquiryAction,
    statuses=EnquiryStatus,
    initial=frozenset({EnquiryStatus.RECEIVED}),
)
