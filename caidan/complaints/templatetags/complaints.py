"""Tags the procurement tender page includes (one line each): the complaint link under a
challenge, and the published decisions (and a suspension in force) on the tender."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ..models import PENDING_STATUSES, Complaint, ComplaintStatus
from ..selectors import published_for_tender
from ..services import can_complain_about, file_window

register = template.Library()


@register.inclusion_tag("complaints/_challenge_link.html", takes_context=True)
def complaint_link(context, challenge):
    from caidan.accounts.permissions import can

    actor = getattr(context.get("request"), "actor", None)
    out = {"challenge": challenge, "complaint": None, "may_complain": False, "closes": None}
    if actor is None or not can(actor, "complaints.file", challenge.organization):
        return out
    latest = Complaint.objects.filter(challenges=challenge).order_by("-id").first()
    if latest is not None and latest.status != ComplaintStatus.REJECTED:
        out["complaint"] = latest  # pending, decided or withdrawn: its page
        return out
    window = file_window(challenge)
    if window and can_complain_about(challenge, timezone.now()):
        out["may_complain"] = True
        out["closes"] = window[1]
    return out


@register.inclusion_tag("complaints/_tender_decisions.html")
def tender_complaints(tender):
    now = timezone.now()
    pending = Complaint.objects.filter(tender=tender, status__in=PENDING_STATUSES)
    suspended = next((c for c in pending if c.suspended_at(now)), None)
    return {"decisions": published_for_tender(tender), "suspended": suspended}
