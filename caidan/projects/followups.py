"""What became of a need or a menu order: the proposals that came from it."""

from __future__ import annotations

from django.utils.translation import gettext

from caidan.needs.followups import register_followup

from .models import ProposalStatus

HIDDEN = {ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN}


@register_followup
def proposals_from(obj) -> list[dict]:
    proposals = getattr(obj, "proposals", None)
    if proposals is None:
        return []
    out = []
    # .all() uses what the caller prefetched (one query for a whole page, not one a row)
    for p in sorted(proposals.all(), key=lambda p: p.pk):
        if p.status in HIDDEN:
            continue
        public = p.status == ProposalStatus.APPROVED
        out.append(
            {
                "label": gettext("立项申报 · %(title)s") % {"title": p.title},
                "url": f"/projects/proposals/{p.pk}/" if public else "",
                "status": p.get_status_display(),
            }
        )
    return out
