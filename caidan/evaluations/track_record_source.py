"""Gives procurement the bidders' track records (``caidan.procurement.track_records``), and
the registry the parts a hub's member delivered (``caidan.orgs.standing``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count

from caidan.orgs.standing import register_part_counter
from caidan.procurement.track_records import register_source

from .models import EvaluationStatus, PartResult, Stage, TrackRecord


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


def final_parts_counted(organization_ids, grades: tuple[str, ...]) -> dict[int, int]:
    """Per member group: its parts of hub bundles whose published final evaluation graded
    the part one of ``grades``."""
    return dict(
        PartResult.objects.filter(
            organization__in=list(organization_ids),
            grade__in=grades,
            evaluation__stage=Stage.FINAL,
            evaluation__status=EvaluationStatus.PUBLISHED,
        )
        .values("organization")
        .annotate(n=Count("id"))
        .values_list("organization", "n")
    )


register_part_counter(final_parts_counted)
