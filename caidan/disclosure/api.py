"""Open data in OCDS 1.1.5 (DOMAIN.md §3.7), public, no login.

``GET /ocds/releases?cursor=&limit=`` pages over approved projects (one contracting process
each) by id ascending with the keyset cursor of ``common.pagination``: the body is a release
package (``uri``, ``version``, ``publishedDate``, ``publisher``, ``extensions``, ``releases``)
with ``links.next`` (the next page's URL, absent on the last page) and, following
``page_response``, ``next_cursor`` and ``limit``. ``limit`` counts *processes*, so a page
holds every release of up to ``limit`` processes.

``GET /ocds/records/{ocid}`` is a record package with the one record (embedded releases and
the compiled release), 404 for an unknown or not approved process.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from ninja import Router

from caidan.common.pagination import keyset_paginate
from caidan.common.schemas import ERRORS

from . import feed, ocds

router = Router(tags=["ocds"])


@router.get("/releases", auth=None, response={200: dict[str, Any], **ERRORS})
def releases(request, cursor: str | None = None, limit: int = 20):
    page = keyset_paginate(ocds.approved_proposals(), ordering=("id",), cursor=cursor, limit=limit)
    ocds.prefetch(page.items)
    items = [
        release
        for proposal in page.items
        for release in ocds.releases_for(proposal, prefetched=True)
    ]
    base = request.build_absolute_uri(request.path)
    query = {"limit": page.limit, **({"cursor": cursor} if cursor else {})}
    package = ocds.release_package(items, uri=f"{base}?{urlencode(query)}")
    if page.next_cursor:
        package["links"] = {
            "next": f"{base}?{urlencode({'cursor': page.next_cursor, 'limit': page.limit})}"
        }
    package["next_cursor"] = page.next_cursor
    package["limit"] = page.limit
    return package


@router.get("/records/{ocid}", auth=None, response={200: dict[str, Any], **ERRORS})
def record(request, ocid: str):
    """The record package; the same record reads as a page at /open/ocds/{ocid}/."""
    from .ocds_page import record_get

    return ocds.record_package([record_get(ocid)], uri=request.build_absolute_uri(request.path))


@router.get("/changes", auth=None, response={200: dict[str, Any], **ERRORS})
def changes(request, cursor: str | None = None, limit: int = 100):
    """The changes feed: processes by their latest public change, oldest first. Poll with
    ``next_cursor`` (always given); ``has_more`` false means caught up for now."""
    page = keyset_paginate(
        feed.feed_entries(), ordering=("modified", "id"), cursor=cursor, limit=limit, follow=True
    )
    base = request.build_absolute_uri(request.path)
    records = request.build_absolute_uri("/api/v1/ocds/records/")
    items = []
    for entry in page.items:
        ocid = f"{settings.OCDS_OCID_PREFIX}-{entry.proposal_id}"
        items.append(
            {
                "ocid": ocid,
                "modified": entry.modified.isoformat(),
                "changes": entry.changes,
                "record": f"{records}{ocid}",
            }
        )
    query = {"limit": page.limit, **({"cursor": page.next_cursor} if page.next_cursor else {})}
    return {
        "items": items,
        "next_cursor": page.next_cursor,
        "has_more": page.has_more,
        "limit": page.limit,
        "links": {"next": f"{base}?{urlencode(query)}"},
    }
