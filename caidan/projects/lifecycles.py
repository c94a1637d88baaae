"""Projects' status tables: the proposal and the review session (``caidan.common.lifecycle``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import SESSION_TRANSITIONS, TRANSITIONS, ProposalAction, ProposalStatus, SessionStatus

proposal_lifecycle = Lifecycle(
    name="proposal",
    model="projects.Proposal",
    table=TRANSITIONS,
    audit_kind=EventKind.PROPOSAL_TRANSITION,
    noun="项目",
    actions=ProposalAction,
    statuses=ProposalStatus,
    # a historical import records projects approved before the platform existed
    initial=frozenset({ProposalStatus.DRAFT, ProposalStatus.APPROVED}),
)


class SessionAction(models.TextChoices):
    OPEN = "open", _("开始表决")
    CLOSE = "close", _("结束会议")


session_lifecycle = Lifecycle(
    name="review_session",
    model="projects.ReviewSession",
    table=SESSION_TRANSITIONS,
    audit_kind=EventKind.SESSION_TRANSITION,
    noun="会议",
    actions=SessionAction,
    statuses=SessionStatus,
    initial=frozenset({SessionStatus.PLANNED}),
)
