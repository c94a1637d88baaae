"""The providers' track record: every final evaluation's result, public."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.common.errors import NotFound
from caidan.common.schemas import ERRORS

from .. import selectors
from .access import path_id
from .routing import router
from .schemas import TrackRecordOut, str_or_none


@router.get(
    "/track-records/{organization_id}",
    response={200: TrackRecordOut, **ERRORS},
    auth=None,
    summary="承接主体的履约记录（历年终期评估结果，公开）",
)
def track_record(request, organization_id: int):
    org = selectors.organization_find(organization_id=path_id(organization_id))
    if org is None:
        raise NotFound(_("社会组织不存在。"))
    record = selectors.track_record(org)
    return {
        "organization": org,
        "count": record["count"],
        "average": str_or_none(record["average"]),
        "items": record["rows"],
        "parts": selectors.part_track_record(org),
    }
