"""The printable minutes of a review session (/projects/sessions/<id>/minutes/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from caidan.web.ui import domain_errors

from . import selectors
from .minutes import session_minutes


@login_required
@domain_errors
def session_minutes_view(request, session_id: int):
    session = selectors.session_get_for(actor=request.actor, session_id=session_id)
    context = session_minutes(session)
    context["printed_at"] = timezone.localtime()
    return render(request, "projects/session_minutes.html", context)
