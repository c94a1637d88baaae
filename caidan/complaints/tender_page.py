"""What complaints adds to procurement's tender page: under a challenge, the complaint filed
on it or the way to file one; on the tender, the published decisions and a suspension in
force.

Procurement sits below complaints in the layer order, so its page does not load these: the
functions are registered in ``caidan.procurement.links`` from ``ComplaintsConfig.ready`` and
the page renders whatever is registered.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from caidan.accounts.permissions import can
from caidan.common.perms import Perm

from .models import PENDING_STATUSES, Complaint, ComplaintStatus
from .selectors import published_for_tender
from .services import can_complain_about, file_window


def challenge_complaint(request, challenge) -> str:
    """The challenger's complaint about the answer (its page), or — while the window of
    政府采购法 §55 is open — the way to file one. Nothing for anyone else."""
    actor = getattr(request, "actor", None)
    context = {"challenge": challenge, "complaint": None, "may_complain": False, "closes": None}
    if actor is None or not can(actor, Perm.COMPLAINTS_FILE, challenge.organization):
        return ""
    latest = Complaint.objects.filter(challenges=challenge).order_by("-id").first()
    if latest is not None and latest.status != ComplaintStatus.REJECTED:
        context["complaint"] = latest  # pending, decided or withdrawn: its page
    else:
        window = file_window(challenge)
        if window and can_complain_about(challenge, timezone.now()):
            context["may_complain"] = True
            context["closes"] = window[1]
    return render_to_string("complaints/_challenge_link.html", context, request=request)


def tender_decisions(request, tender) -> str:
    """The finance department's published decisions on the tender, and a suspension of the
    procurement in force (政府采购法 §57)."""
    now = timezone.now()
    pending = Complaint.objects.filter(tender=tender, status__in=PENDING_STATUSES)
    suspended = next((c for c in pending if c.suspended_at(now)), None)
    context = {"decisions": published_for_tender(tender), "suspended": suspended}
    return render_to_string("complaints/_tender_decisions.html", context, request=request)
