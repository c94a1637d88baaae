"""The tender page's lots section (分包, issue 21): on a tender in lots its lots and the cap;
on a lot the tender it belongs to and the cap; on a draft the purchaser may divide, the link
to add a lot. And the tender's status tag: its phase (``Tender.phase_at``, which the API's
``phase_label`` reads too)."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("procurement/_lots.html")
def lots_section(tender, aff):
    from ..services.lots import cap_sentence, lot_cap, lots_summary

    lots = lots_summary(tender) if tender.has_lots else []
    for row in lots:  # each lot's phase by the rule the tender's own tag follows
        row["status_label"] = row["phase"].label
    return {
        "t": tender,
        "lots": lots,
        "lot_rule": cap_sentence(
            tender.max_lots_per_provider if tender.has_lots else lot_cap(tender)
        ),
        "can_add_lots": aff.edit and not tender.parent_id and not tender.config.invited_only,
    }


@register.simple_tag
def tender_status_label(tender) -> str:
    """The tender's phase (``Tender.phase_at``, the rule the API's ``phase_label`` follows):
    its status, except that a published tender past its deadline says bidding has closed —
    until it is opened, or, a tender in lots (never opened itself), for good."""
    return tender.phase_at(timezone.now()).label
