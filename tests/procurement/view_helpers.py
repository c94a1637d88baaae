"""Shared by the procurement page tests (``test_views_*.py``) and the ``evaluated`` fixture of
the directory's conftest: a client logged in as any user, a page's HTML, a committee's
sheets declared and submitted."""

from __future__ import annotations

from caidan.accounts.middleware import SESSION_KEY
from caidan.accounts.models import Membership
from caidan.procurement.inputs import SheetScoresInput
from caidan.procurement.models import PanelMember

from . import factories


def _as(client, user, role=None):
    """Log the test client in as any user (e.g. a factory-made bidder or expert)."""
    client.force_login(user)
    qs = Membership.objects.filter(user=user, is_active=True)
    if role:
        qs = qs.filter(role=role)
    session = client.session
    session[SESSION_KEY] = qs.order_by("id").first().pk
    session.save()
    return client


def _html(response) -> str:
    return response.content.decode()


def _score_everyone(tender, members=None, *, skip=()):
    """Declare and submit full sheets for the seated members (bid i gets lower marks)."""
    from caidan.procurement.services.evaluation import scorable_bids, scores_save, scores_submit
    from caidan.procurement.services.panel import panel_declare

    members = members or list(
        PanelMember.objects.filter(tender=tender, status__in=["drawn", "active"])
    )
    bids = scorable_bids(tender)
    for m in members:
        if m.pk in skip:
            continue
        actor = factories.expert_actor(m.expert)
        if m.status == "drawn":
            panel_declare(member=m, no_conflict=True, actor=actor)
        scores = {
            str(b.pk): {f["id"]: str(max(int(f["max"]) - 3 * i, 0)) for f in tender.factors}
            for i, b in enumerate(bids)
        }
        scores_save(member=m, data=SheetScoresInput.parse(scores=scores), actor=actor)
        scores_submit(member=m, actor=actor)
