"""A provider's track record: its final evaluations' results, public."""

from __future__ import annotations

from django.shortcuts import render

from caidan.orgs.selectors import organization_get
from caidan.web.ui import domain_errors

from .. import selectors


@domain_errors
def track_record(request, org_id: int):
    org = organization_get(organization_id=org_id)
    return render(
        request,
        "evaluations/track_record.html",
        {"org": org, "parts": selectors.part_track_record(org), **selectors.track_record(org)},
    )
