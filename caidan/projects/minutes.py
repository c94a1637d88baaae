"""The minutes of a review session (审定会议纪要): for each agenda item the proposal, every
member's vote and comment, the recusals with their reasons, the tally against the quorum
and the decision. A read model (selector) for the printable page; four queries however
long the agenda.

Individual votes are shown once an item is decided: while the vote is open the page gives
the counts only, as the session page does, so no member sees how the others voted first."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from .models import AgendaDecision, AgendaItem, Recusal, ReviewSession, ReviewVote
from .services.review import quorum_needed, tally_from


def session_minutes(session: ReviewSession) -> dict[str, Any]:
    members = list(session.members.order_by("last_name", "first_name", "id"))
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("proposal", "proposal__unit", "decided_by")
        .prefetch_related(
            Prefetch("votes", queryset=ReviewVote.objects.order_by("cast_at", "id")),
            Prefetch("recusals", queryset=Recusal.objects.order_by("created_at", "id")),
        )
        .order_by("position", "id")
    )
    agenda = []
    for item in items:
        votes = {v.member_id: v for v in item.votes.all()}
        recusals = {r.member_id: r for r in item.recusals.all()}
        tally = tally_from(
            [v.choice for v in votes.values()], members=len(members), recused=len(recusals)
        )
        decided = item.decision != AgendaDecision.PENDING
        rows = []
        for m in members:
            vote, recusal = votes.get(m.pk), recusals.get(m.pk)
            rows.append(
                {
                    "member": m,
                    "vote": vote if decided else None,
                    "voted": vote is not None,
                    "recusal": recusal,
                }
            )
        agenda.append(
            {
                "item": item,
                "tally": tally,
                "quorum": quorum_needed(session, tally["eligible"]) if tally["eligible"] else 0,
                "decided": decided,
                "rows": rows,
            }
        )
    return {"session": session, "members": members, "agenda": agenda}
