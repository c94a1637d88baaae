"""Gives procurement the bidders' track records (``caidan.procurement.track_records``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg

from caidan.procurement.track_records import register_source

from .models import TrackRecord


def mean_totals(organization_ids: list[int]) -> dict[int, Decimal]:
    return {
        org: Decimal(mean)
        for org, mean in TrackRecord.objects.filter(organization__in=organization_ids)
        .values("organization")
        .annotate(mean=Avg("total"))
        .values_list("organization", "mean")
        if mean is not None
    }


register_source(mean_totals)
