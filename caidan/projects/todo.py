"""The projects' waiting steps on the workbench (``caidan.accounts.workbench``): proposals to
submit (drafts and the ones returned for changes) and, for a committee member, agenda items
of an open session waiting for his or her vote (due: the session's meeting day). Review
sessions are calendar events."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import (
    Entry,
    EventSource,
    TodoKind,
    entries,
    local_day,
    register_kind,
    register_source,
)
from caidan.common.calendar import start_of_day
from caidan.common.roles import Role

from .models import (
    AgendaDecision,
    AgendaItem,
    Proposal,
    ProposalStatus,
    Recusal,
    ReviewSession,
    ReviewVote,
    SessionStatus,
)


def proposals_to_submit(actor, today):
    """Drafts and returned proposals of my unit (or my organization's): no legal deadline."""
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        scope = Q(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.HUB, Role.PROVIDER) and actor.organization is not None:
        scope = Q(proposing_organization=actor.organization) | Q(
            lead_organization=actor.organization
        )
    else:
        return []
    rows = Proposal.objects.filter(
        scope, status__in=[ProposalStatus.DRAFT, ProposalStatus.RETURNED]
    ).values("pk", "title", "status")
    return [
        Entry(
            label=r["title"] + ("（退回修改）" if r["status"] == ProposalStatus.RETURNED else ""),
            url=reverse("projects:proposal", args=[r["pk"]]),
            key=f"proposal-{r['pk']}",
        )
        for r in rows
    ]


def proposals_to_schedule(actor, today):
    """Submitted proposals waiting for a review agenda, for the platform admin who sets it
    (``_agenda_setters``): no legal deadline."""
    if not actor.has_role(Role.PLATFORM_ADMIN):
        return []
    rows = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).values("pk", "title")
    return entries(rows, "projects:proposal", key="proposal")


def votes_waiting(actor, today):
    """Pending agenda items of open sessions I sit on, that I have neither voted on nor
    recused myself from (what ``vote_cast`` accepts)."""
    if not actor.has_role(Role.COMMITTEE_MEMBER) or actor.user is None:
        return []
    user = actor.user
    rows = (
        AgendaItem.objects.filter(
            session__status=SessionStatus.OPEN,
            session__members=user,
            decision=AgendaDecision.PENDING,
        )
        .exclude(Exists(ReviewVote.objects.filter(item=OuterRef("pk"), member=user)))
        .exclude(Exists(Recusal.objects.filter(item=OuterRef("pk"), member=user)))
        .values(
            "pk",
            "position",
            "session_id",
            "session__title",
            "session__meeting_at",
            "proposal__title",
        )
    )
    return [
        Entry(
            label=_("%(session)s · 第 %(position)s 项 %(proposal)s")
            % {
                "session": r["session__title"],
                "position": r["position"],
                "proposal": r["proposal__title"],
            },
            url=reverse("projects:session", args=[r["session_id"]]),
            due=local_day(r["session__meeting_at"]),
            at=r["session__meeting_at"],
            key=f"agenda-{r['pk']}",
        )
        for r in rows
    ]


def sessions(actor, start, end):
    """Review sessions (meetings) of my committee, or of my unit for a purchaser. A member
    opens the session's page; a purchaser, who may not (the committee's votes are its own),
    opens the page of its proposal on the agenda, which shows the decision once made."""
    within = Q(
        meeting_at__gte=start_of_day(start),
        meeting_at__lt=start_of_day(end + dt.timedelta(days=1)),
    )
    if actor.has_role(Role.COMMITTEE_MEMBER) and actor.user is not None:
        rows = (
            ReviewSession.objects.filter(within, members=actor.user)
            .values("pk", "title", "meeting_at")
            .distinct()
        )
        return entries(rows, "projects:session", key="session", moment="meeting_at")
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        rows = (
            ReviewSession.objects.filter(
                within, agenda__proposal__unit__path__startswith=actor.unit.path
            )
            .values("pk", "title", "meeting_at", "agenda__proposal", "agenda__proposal__title")
            .distinct()
        )
        return [
            Entry(
                label=f"{r['title']} · {r['agenda__proposal__title']}",
                url=reverse("projects:proposal", args=[r["agenda__proposal"]]),
                due=local_day(r["meeting_at"]),
                at=r["meeting_at"],
                key=f"session-{r['pk']}-{r['agenda__proposal']}",
            )
            for r in rows
        ]
    return []


def register() -> None:
    register_kind(
        TodoKind(
            "projects:submit",
            _("提交项目申报"),
            frozenset({Role.PURCHASER, Role.PROVIDER, Role.HUB}),
            proposals_to_submit,
        )
    )
    register_kind(
        TodoKind(
            "projects:schedule",
            _("将项目列入审定议程"),
            frozenset({Role.PLATFORM_ADMIN}),
            proposals_to_schedule,
        )
    )
    register_kind(
        TodoKind(
            "projects:vote",
            _("对审定议程表决"),
            frozenset({Role.COMMITTEE_MEMBER}),
            votes_waiting,
            _("审定会议表决"),
        )
    )
    register_source(
        EventSource(
            "projects:session",
            _("审定会议"),
            frozenset({Role.COMMITTEE_MEMBER, Role.PURCHASER}),
            sessions,
        )
    )
