"""The tender page's lots section (分包, issue 21): on a tender in lots its lots and the cap;
on a lot the tender it belongs to and the cap; on a draft the purchaser may divide, the link
to add a lot."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("procurement/_lots.html")
def lots_section(tender, aff):
    from ..services.lots import cap_sentence, lot_cap, lots_summary

    return {
        "t": tender,
        "lots": lots_summary(tender) if tender.has_lots else [],
        "lot_rule": cap_sentence(
            tender.max_lots_per_provider if tender.has_lots else lot_cap(tender)
        ),
        "can_add_lots": aff.edit and not tender.parent_id and not tender.config.invited_only,
    }


@register.simple_tag
def tender_status_label(tender) -> str:
    """The tender's status; a tender in lots past its deadline is never opened itself (each
    lot is), so it does not say it takes bids."""
    if (
        tender.has_lots
        and tender.status == "published"
        and tender.deadline is not None
        and timezone.now() >= tender.deadline
    ):
        return _("投标已截止，各分包分别开标、评审")
    return tender.get_status_display()
